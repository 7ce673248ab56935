from datetime import date

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.letter_parser import parse_reply_letter
from disclosure.models import (
    CongressSession,
    Document,
    Proposal,
    ProposalReply,
    ReplyClassification,
)
from disclosure.replies import compose_letter_html, record_feedback, save_reply
from disclosure.reports.compliance import build_report
from disclosure.services import publish
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

# The seed page's text exactly as it was copied (characters lost included).
SEED_TEXT = django_settings.BASE_DIR / "tests/disclosure/seed_letter.txt"


def seed_text():
    return SEED_TEXT.read_text(encoding="utf-8")


@pytest.fixture
def reply_nodes(db):
    root = CatalogNode.objects.create(name="政务公开")
    return {
        "congress": CatalogNode.objects.create(name="人大代表建议办理", slug="rddbjy", parent=root),
        "cppcc": CatalogNode.objects.create(name="政协委员提案办理", slug="zxwyta", parent=root),
    }


@pytest.fixture
def session(db):
    return CongressSession.objects.create(
        body="congress", level="区", term=18, session=1, year=2022
    )


def make_proposal(session, number=94, assigned=date(2022, 3, 10), **kw):
    defaults = {
        "title": "关于进一步加大政务公开力度的建议",
        "lead_delegate": "范川",
        "lead_unit": AgencyFactory(),
    }
    return Proposal.objects.create(
        session=session, number=number, assigned_on=assigned, **{**defaults, **kw}
    )


def make_reply(proposal, letter_date=date(2022, 6, 6), **kw):
    values = {
        "issuing_office": "重庆市铜梁区人民政府办公室", "body": "<p>现函复如下。</p>", "signer_title": "区政府办公室主任",
        "signer": "汪文波", "feedback_to": "区人大常委会人代工委", "signing_office": "重庆市铜梁区人民政府办公室",
        "letter_date": letter_date, "contact_person": "邱源旭", "contact_phone": "023-45632266", "postcode": "402560",
    }  # fmt: skip
    values.update(kw)
    return save_reply(ProposalReply(proposal=proposal, **values))


# --- the letter parser -------------------------------------------------------------------


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
    assert parse_reply_letter(seed_text()).missing == []


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


# --- the admin import --------------------------------------------------------------------


@pytest.fixture
def boss(client, reply_nodes):
    user = get_user_model().objects.create_superuser(
        "boss", "b@example.com", "correct-horse-battery"
    )
    client.force_login(user)
    return user


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
    assert "未能从文本中识别" in html and "编号" in html
    response = client.post(url, {"step": "confirm", "delegates": "范川", "body": "<p>x</p>"})
    assert response.status_code == 200 and not ProposalReply.objects.exists()


# --- deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "assigned, complex_, deadline",
    [
        (date(2026, 1, 4), False, date(2026, 4, 7)),  # 4-4 falls in 清明: next working day
        (
            date(2025, 11, 30),
            False,
            date(2026, 2, 28),
        ),  # no 30 February: month end, a 调休 Saturday
        (date(2022, 3, 10), False, date(2022, 6, 10)),
        (date(2022, 3, 10), True, date(2022, 9, 13)),  # 9-10 Saturday, 9-12 中秋: then 9-13
        (date(2025, 8, 31), True, date(2026, 2, 28)),
    ],
)
def test_reply_deadline_counts_months_as_the_civil_code_does(session, assigned, complex_, deadline):
    assert make_proposal(session, assigned=assigned, is_complex=complex_).deadline == deadline


def test_co_units_owe_their_opinion_within_a_month(session):
    proposal = make_proposal(session, assigned=date(2022, 3, 10))
    assert proposal.co_unit_deadline == date(2022, 4, 11)  # 4-10 is a Sunday


# --- replies -------------------------------------------------------------------------------


def test_reply_parts_title_salutation_and_letter_layout(session, reply_nodes):
    proposal = make_proposal(session, lead_delegate="范川", co_signers="张三、李四")
    reply = make_reply(proposal)
    assert reply.title == "关于区第十八届人民代表大会第一次会议第94号建议的复函"
    assert reply.salutation == "范川、张三、李四代表："
    assert reply.sign_off == "此复函已经区政府办公室主任汪文波审签。"
    html = compose_letter_html(reply)
    order = ["重庆市铜梁区人民政府办公室", reply.title, "范川、张三、李四代表：", "现函复如下", "汪文波审签",
             "2022年6月6日", "联系人：邱源旭，联系电话：023-45632266，邮政编码：402560"]  # fmt: skip
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert reply.document.body.count('style="text-align:right"') == 2


def test_cppcc_replies_say_ti_an_and_wei_yuan(reply_nodes):
    cppcc = CongressSession.objects.create(body="cppcc", level="区", term=16, session=1, year=2022)
    reply = make_reply(make_proposal(cppcc, number=8, lead_delegate="刘洋"))
    assert reply.title == "关于区政协第十六届一次会议第8号提案的答复"
    assert reply.salutation == "刘洋委员："
    assert (
        reply.document.node == reply_nodes["cppcc"] and reply.document.genre.name == "政协提案办理"
    )


def test_summary_and_withheld_replies(session, reply_nodes):
    summary = make_reply(
        make_proposal(session, number=1), disclosure="summary", summary="已纳入明年计划。"
    )
    assert "已纳入明年计划。" in summary.document.body and "现函复如下" not in summary.document.body
    withheld = make_reply(
        make_proposal(session, number=2), disclosure="none", non_disclosure_reason="涉及第三方"
    )
    assert withheld.document.disclosure_mode == Document.DisclosureMode.EXEMPT


def test_dissatisfied_feedback_reopens_and_both_replies_are_kept(session, reply_nodes):
    proposal = make_proposal(session)
    make_reply(proposal)
    assert Proposal.objects.get().status == Proposal.Status.REPLIED
    record_feedback(proposal, Proposal.Feedback.DISSATISFIED, "答复不具体", date(2022, 6, 20))
    assert Proposal.objects.get().status == Proposal.Status.REOPENED
    make_reply(proposal, round=2, letter_date=date(2022, 8, 1))
    assert Proposal.objects.get().status == Proposal.Status.REPLIED
    assert list(proposal.replies.values_list("round", flat=True)) == [1, 2]


# --- public pages ------------------------------------------------------------------------


def public_reply(session, number, title, **kw):
    reply = make_reply(make_proposal(session, number=number, title=title, **kw))
    return reply, publish(reply.document)


def test_list_shows_only_proposals_with_a_public_reply(client, session, reply_nodes):
    public_reply(session, 94, "关于进一步加大政务公开力度的建议")
    make_reply(make_proposal(session, number=95, title="尚未公开答复的建议"))
    make_proposal(session, number=96, title="尚未答复的建议")
    html = client.get(reverse("disclosure:proposals")).content.decode()
    assert "关于进一步加大政务公开力度的建议" in html
    assert "尚未公开答复的建议" not in html and "尚未答复的建议" not in html


def test_list_filters_and_search(client, session, reply_nodes):
    public_reply(session, 94, "关于进一步加大政务公开力度的建议")
    public_reply(session, 12, "关于加快老旧小区改造的建议", lead_delegate="张明")
    url = reverse("disclosure:proposals")
    assert "老旧小区" not in client.get(url, {"q": "94"}).content.decode()
    assert "老旧小区" not in client.get(url, {"q": "第94号"}).content.decode()
    html = client.get(url, {"q": "老旧 改造"}).content.decode()
    assert "老旧小区" in html and "政务公开力度" not in html
    assert "老旧小区" in client.get(url, {"q": "张明"}).content.decode()
    assert "政务公开力度" not in client.get(url, {"body": "cppcc"}).content.decode()


def test_list_query_budget(client, session, reply_nodes, django_assert_max_num_queries):
    for number in range(1, 31):
        public_reply(session, number, f"第{number}件建议")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("disclosure:proposals"))
    assert response.status_code == 200 and len(response.context["proposals"]) == 20


def test_reply_page_shows_letter_and_proposal_metadata(
    client, session, reply_nodes, django_assert_max_num_queries
):
    reply, document = public_reply(session, 94, "关于进一步加大政务公开力度的建议")
    with django_assert_max_num_queries(10):
        html = client.get(document.get_absolute_url()).content.decode()
    for text in ["区第十八届人民代表大会第一次会议", "第94号", "范川", reply.proposal.lead_unit.name, document.index_number,
                 "此复函已经区政府办公室主任汪文波审签", "2022年6月6日", "邮政编码：402560"]:  # fmt: skip
        assert text in html, text


def test_statistics_add_up(client, session, reply_nodes, monkeypatch):
    solved = ReplyClassification.objects.get(code="A")
    on_time = make_proposal(session, number=1, classification=solved)
    make_reply(on_time, letter_date=date(2022, 5, 1))
    record_feedback(on_time, Proposal.Feedback.SATISFIED)
    late = make_proposal(session, number=2)
    make_reply(late, letter_date=date(2022, 7, 1))
    record_feedback(late, Proposal.Feedback.DISSATISFIED)
    make_proposal(session, number=3)  # not replied, deadline passed
    context = client.get(reverse("disclosure:proposal-statistics", args=[session.pk])).context
    totals = context["totals"]
    assert (totals["received"], totals["replied"], totals["in_time"], totals["overdue"]) == (
        3,
        2,
        1,
        1,
    )
    assert totals["in_time_rate"] == round(100 * 1 / 3, 1)
    assert totals["feedback"] == 2 and totals["satisfaction_rate"] == 50.0
    rows = context["rows"]
    assert totals["received"] == len(rows) and totals["in_time"] == sum(r["in_time"] for r in rows)
    assert sum(u["received"] for u in context["units"]) == totals["received"]
    assert sum(c["count"] for c in context["classifications"]) == totals["received"]


def test_overdue_proposal_is_a_compliance_finding(session, reply_nodes):
    make_proposal(session, number=3, title="逾期未复的建议")
    replied = make_proposal(session, number=4, title="按时答复的建议")
    make_reply(replied, letter_date=date(2022, 5, 1))
    findings = [f for f in build_report(date(2022, 7, 1)).findings if f.kind == "overdue_proposal"]
    assert [f.subject for f in findings] == ["区第十八届人民代表大会第一次会议第3号 逾期未复的建议"]
    assert not [f for f in build_report(date(2022, 6, 1)).findings if f.kind == "overdue_proposal"]


def test_dashboard_lists_overdue_first_and_export(client, boss, session):
    make_proposal(session, number=1, title="早已逾期", assigned=date(2022, 1, 4))
    make_proposal(session, number=2, title="尚早", assigned=date(2099, 1, 4))
    html = client.get(reverse("admin:disclosure_proposal_dashboard")).content.decode()
    assert html.index("早已逾期") < html.index("尚早")
    response = client.get(
        reverse("admin:disclosure_proposal_export"), {"session": session.pk, "format": "csv"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("编号,标题,领衔") and "早已逾期" in text


def test_admin_proposal_page_shows_both_deadlines(client, boss, session):
    proposal = make_proposal(session, assigned=date(2022, 3, 10))
    html = client.get(
        reverse("admin:disclosure_proposal_change", args=[proposal.pk])
    ).content.decode()
    assert "协办单位提出意见：2022-04-11；答复：2022-06-10" in html
    assert client.get(reverse("admin:disclosure_proposal_changelist")).status_code == 200
    assert client.get(reverse("admin:disclosure_proposalreply_changelist")).status_code == 200


# --- replies stay in their lane -------------------------------------------------------------


@pytest.fixture
def clerk(client, session, reply_nodes):
    from django.contrib.auth.models import Group

    from portal.roles import PROPOSALS, sync_roles
    from tests.factories import StaffUserFactory

    sync_roles()
    unit = AgencyFactory(name="区政府办公室")
    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name=PROPOSALS))
    user.agencies.add(unit)
    client.force_login(user)
    return unit


REPLY_FORM = {
    "round": 1, "issuing_office": "办公室", "body": "<p>答复</p>", "signing_office": "办公室",
    "letter_date": "2022-06-06", "disclosure": "full",
}  # fmt: skip


def test_a_reply_whose_document_left_draft_cannot_be_changed_here(client, session, clerk):
    proposal = make_proposal(session, lead_unit=clerk)
    reply = make_reply(proposal, disclosure="none", non_disclosure_reason="涉及第三方")
    publish(reply.document)
    response = client.post(
        reverse("admin:disclosure_proposalreply_change", args=[reply.pk]),
        {**REPLY_FORM, "proposal": proposal.pk, "body": "<p>未经审核的全文</p>"},
    )
    assert response.status_code == 200 and "不能在这里修改" in response.content.decode()
    reply.document.refresh_from_db()
    assert reply.document.disclosure_mode == Document.DisclosureMode.EXEMPT
    assert not Document.objects.public().filter(pk=reply.document.pk).exists()


def test_a_reply_cannot_be_filed_for_another_units_proposal(client, session, clerk):
    other = make_proposal(session, number=2)
    response = client.post(
        reverse("admin:disclosure_proposalreply_add"), {**REPLY_FORM, "proposal": other.pk}
    )
    assert response.status_code == 200 and not ProposalReply.objects.exists()
    data = {
        "step": "confirm", "body_kind": "congress", "level": "区", "term": 18, "session": 1, "number": 2,
        "delegates": "范川", "proposal_title": "x", "issuing_office": "办公室", "body": "<p>x</p>",
        "signing_office": "办公室", "letter_date": "2022-06-06", "lead_unit": clerk.pk,
    }  # fmt: skip
    response = client.post(reverse("admin:disclosure_proposalreply_import"), data)
    assert "由其他单位办理" in response.content.decode() and not ProposalReply.objects.exists()


def test_odd_digits_in_a_proposal_search_give_a_normal_page(client, session):
    assert client.get(reverse("disclosure:proposals"), {"q": "²"}).status_code == 200


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
        ("各位代表：\n正文。\n", "delegates", []),
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
    assert value == expected or (expected == [] and value in ([], ""))


def test_the_level_is_not_guessed():
    assert (
        parse_reply_letter("第十八届人民代表大会第一次会议第3号建议\n张三代表：\n").values["level"]
        == ""
    )
