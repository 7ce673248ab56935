"""Reply letters pasted as text: what the parser reads, and the admin import built on it."""

from datetime import date

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from disclosure.models import Document, Proposal, ProposalReply
from disclosure.proposals.letters import parse_reply_letter
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


# The seed page's text exactly as it was copied (characters lost included).
SEED_TEXT = django_settings.BASE_DIR / "tests/disclosure/proposals/seed_letter.txt"


def seed_text():
    return SEED_TEXT.read_text(encoding="utf-8")


def test_the_seed_text_as_it_is_fills_every_field():
    values = parse_reply_letter(seed_text()).values
    assert values["body_kind"] == "congress"
    assert (values["level"], values["term"], values["session"], values["number"]) == (
        "区",
        18,
        1,
        94,
    )
    assert values["delegates"] == ["范川"]
    assert values["proposal_title"] == "关于进一步加大政务公开力度的建议"
    assert values["issuing_office"] == "重庆市铜梁区人民政府办公室"
    assert values["signer_title"] == "区政府办公室主任" and values["signer"] == "汪文波"
    assert values["feedback_to"] == "区人大常委会人代工委"
    assert values["signing_office"] == "重庆市铜梁区人民政府办公室"
    assert values["letter_date"] == date(2022, 6, 6)  # written "202266" in the copy
    assert (values["contact_person"], values["contact_phone"], values["postcode"]) == (
        "邱源旭",
        "023-45632266",
        "402560",
    )
    body = values["body"]
    assert body.startswith(
        '<p style="text-indent:2em">您提出的《关于进一步加大政务公开力度的建议》'
    )
    assert "下一步，区政府办公室将持续深入推进政务公开工作" in body.replace(",", "，")
    assert "此复函已经" not in body and "扫一扫" not in body
    assert parse_reply_letter(seed_text()).missing == ["category", "doc_number"]


VARIANT = """区政协第十六届一次会议
重庆市铜梁区规划和自然资源局
对区政协十六届一次会议第８号提案的答复

刘洋委员：
　　您提出的《关于加强城市历史文化街区保护的提案》（第８号）收悉，现答复如下：
　　一、加强规划引领。
　　此答复已经区规划自然资源局局长张伟审签。对答复如有意见，请将回执寄给区政协提案委，以便改进工作。
重庆市铜梁区规划和自然资源局
二〇二二年六月十日
（联系人：王芳，联系电话：０２３－４５６００００１，邮政编码：４０２５６０）
"""


def test_variants_parse_cppcc_reply_chinese_date_full_width_digits():
    letter = parse_reply_letter(VARIANT)
    values = letter.values
    assert values["body_kind"] == "cppcc"
    assert (values["term"], values["session"], values["number"]) == (16, 1, 8)
    assert values["delegates"] == ["刘洋"]
    assert values["proposal_title"] == "关于加强城市历史文化街区保护的提案"
    assert values["letter_date"] == date(2022, 6, 10)
    assert values["signer_title"] == "区规划自然资源局局长" and values["signer"] == "张伟"
    assert values["feedback_to"] == "区政协提案委"
    assert values["contact_phone"] == "023-45600001" and values["postcode"] == "402560"
    assert values["issuing_office"] == "重庆市铜梁区规划和自然资源局"
    assert "一、加强规划引领。" in values["body"]


def test_arabic_dates_joint_proposals_and_missing_parts_are_marked():
    letter = parse_reply_letter("张三、李四代表：\n您们提出的建议收悉。\n2023年1月5日\n")
    assert letter.values["delegates"] == ["张三", "李四"]
    assert letter.values["letter_date"] == date(2023, 1, 5)
    assert (
        "number" in letter.missing and "signer" in letter.missing and "postcode" in letter.missing
    )


def test_ambiguous_digit_dates_are_left_for_staff():
    letter = parse_reply_letter(
        "范川代表：\n正文。\n此复函已经区政府办公室主任汪文波审签。\n某某办公室\n2022116\n"
    )
    assert letter.values["letter_date"] == ""  # 2022-1-16 or 2022-11-6
    assert "letter_date" in letter.notes


@pytest.mark.parametrize(
    "text, field, expected",
    [
        # No closing sentence: a date in the body is not the letter's date.
        (
            "范川代表：\n我局于2020年4月1日完成迁移。\n某某办公室\n2022年6月6日\n",
            "letter_date",
            date(2022, 6, 6),
        ),
        ("关于市第六届人民代表大会第二次会议第3号建议的答复\n张三代表：\n正文。\n", "level", "市"),
        (
            "关于县第十八届人民代表大会第一次会议第3号建议的答复\n张三代表：\n正文。\n",
            "level",
            "县",
        ),
        ("尊敬的范川代表：\n正文。\n", "delegates", ["范川"]),
        # A body sentence with a footer's words is not the page's footer.
        (
            "范川代表：\n如有疑问，请联系我们。\n某某办公室\n2022年6月6日\n",
            "letter_date",
            date(2022, 6, 6),
        ),
        ("各位代表：\n正文。\n", "delegates", []),
        # With no one greeted, a lead-in line ending in a colon is not an addressee.
        ("现将办理情况答复如下：\n正文。\n", "body", ""),
        ("范川代表：\n正文。\n此复函已经区人大常委会主任委员李四审签。\n", "signer", "李四"),
        (
            "范川代表：\n正文。\n此复函已经区人大常委会主任委员李四审签。\n",
            "signer_title",
            "区人大常委会主任委员",
        ),
        (
            "范川代表：\n正文。\n此复函已经局长王五审签。\n（联系人：张三联系电话：023-45600000）\n",
            "contact_person",
            "张三",
        ),
        (
            "范川代表：\n可拨打咨询电话：12345678910。\n此复函已经局长王五审签。\n某局\n2022年6月6日\n",
            "contact_phone",
            "",
        ),
    ],
)
def test_the_parser_leaves_empty_what_it_cannot_be_sure_of(text, field, expected):
    value = parse_reply_letter(text).values[field]
    assert value == expected


def test_the_level_is_not_guessed():
    assert (
        parse_reply_letter("第十八届人民代表大会第一次会议第3号建议\n张三代表：\n").values["level"]
        == ""
    )


def test_admin_import_prefills_then_saves_only_on_confirmation(client, boss):
    office = AgencyFactory(name="重庆市铜梁区人民政府办公室")
    url = reverse("admin:disclosure_proposalreply_import")
    response = client.post(url, {"text": seed_text()})
    form = response.context["form"]
    assert form.initial["number"] == 94 and form.initial["delegates"] == "范川"
    assert (
        form.initial["letter_date"] == date(2022, 6, 6) and form.initial["lead_unit"] == office.pk
    )
    assert form.initial["signer"] == "汪文波" and form.initial["postcode"] == "402560"
    assert not ProposalReply.objects.exists() and not Proposal.objects.exists()

    data = {key: value for key, value in form.initial.items() if value not in (None, "")}
    data.update(step="confirm", letter_date="2022-06-06", assigned_on="2022-03-10")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    reply = ProposalReply.objects.get()
    assert reply.proposal.session.name == "区第十八届人民代表大会第一次会议"
    assert reply.proposal.number == 94 and reply.proposal.lead_delegate == "范川"
    assert reply.title == "关于区第十八届人民代表大会第一次会议第94号建议的复函"
    assert reply.document.status == Document.Status.DRAFT
    assert reply.document.genre.name == "人大建议办理"


def test_admin_import_asks_for_what_it_could_not_find(client, boss):
    url = reverse("admin:disclosure_proposalreply_import")
    response = client.post(url, {"text": "范川代表：\n正文一段。\n"})
    html = response.content.decode()
    assert "复函中没有或未能识别" in html and "编号" in html
    response = client.post(url, {"step": "confirm", "delegates": "范川", "body": "<p>x</p>"})
    assert response.status_code == 200 and not ProposalReply.objects.exists()
