"""The letter import with letters as real offices write them: uploaded as Word files, with a
category and a 文号, and without the number, session, date or offices some letters leave out."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.proposals.models import Proposal, ProposalReply
from tests.disclosure.proposals.letter_documents import letter_docx
from tests.disclosure.proposals.letter_set import FOLDER
from tests.factories import AgencyFactory, CongressSessionFactory, ProposalFactory

pytestmark = pytest.mark.django_db
URL = "admin:disclosure_proposalreply_import"

# A CPPCC reply that names no session, number, date or signing office (such letters are real).
BARE_CPPCC = """侯春生委员：
　　你提出的《关于解决东坪镇集镇供水水压不足的提案》，已交我们研究办理，现答复如下：
　　我局已将管网改造列入明年计划，先行增设一处加压泵站。
　　感谢各位委员对水务工作的关心！
"""


def letter_text(name):
    return (FOLDER / f"{name}.txt").read_text(encoding="utf-8")


def confirm_data(response, **changes):
    """The confirm form's fields as the page filled them, with ``changes``, ready to post."""
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value not in (None, "")}
    return {**data, "step": "confirm", **changes}


def test_an_uploaded_word_letter_is_recognised_and_each_part_marked_found_or_not(client, boss):
    text = letter_text("01_cppcc_category_number_signer_one_line")
    upload = SimpleUploadedFile("复函.docx", letter_docx(text, head_in_table=True))
    response = client.post(reverse(URL), {"file": upload})
    form, html = response.context["form"], response.content.decode()
    assert form.initial["doc_number"] == "柳江交函〔2024〕117号"
    assert form["category"].value() == form.fields["category"].queryset.get(code="A").pk
    assert form.initial["number"] == 37 and form.initial["signer"] == "何振东"
    found = html.split('id="letter-found"')[1].split("</p>")[0]
    missing = html.split('id="letter-missing"')[1].split("</p>")[0]
    assert "办理类别" in found and "文号" in found and "审签人" in found
    assert "邮政编码" in missing and "审签人职务" in missing and "文号" not in missing
    assert 'class="needs-input"' in html and 'class="found"' in html
    assert not ProposalReply.objects.exists()


def test_a_pdf_renamed_docx_is_refused_with_a_chinese_message(client, boss):
    upload = SimpleUploadedFile("复函.docx", b"%PDF-1.7\n%%EOF")
    response = client.post(reverse(URL), {"file": upload})
    assert "这是 PDF 文件" in response.content.decode()
    assert "form" in response.context and not ProposalReply.objects.exists()


def test_a_letter_without_number_session_date_or_office_saves_to_the_chosen_proposal(client, boss):
    session = CongressSessionFactory(body="cppcc", level="县", term=9, session=4, year=2021)
    proposal = ProposalFactory(session=session, number=15, title="关于解决东坪镇供水的提案")
    response = client.post(reverse(URL), {"text": BARE_CPPCC})
    assert response.context["form"].initial["number"] in (None, "")
    response = client.post(reverse(URL), confirm_data(response, proposal=proposal.pk))
    assert response.status_code == 302, response.context["form"].errors
    reply = ProposalReply.objects.get()
    assert reply.proposal == proposal and Proposal.objects.count() == 1
    assert reply.letter_date is None and reply.signing_office == "" and reply.issuing_office == ""
    assert reply.document.written_on is None
    assert (
        "加压泵站" in reply.document.body and "年" not in reply.document.body.split("加压泵站")[1]
    )


def test_the_category_and_doc_number_of_a_letter_are_kept(client, boss):
    AgencyFactory(name="柳江县交通运输局")
    response = client.post(
        reverse(URL), {"text": letter_text("01_cppcc_category_number_signer_one_line")}
    )
    data = confirm_data(response, assigned_on="2024-03-01")
    response = client.post(reverse(URL), data)
    assert response.status_code == 302, response.context["form"].errors
    reply = ProposalReply.objects.get()
    assert reply.doc_number == "柳江交函〔2024〕117号"
    assert reply.document.doc_number == "柳江交函〔2024〕117号"
    assert reply.proposal.classification.code == "A"
    assert reply.proposal.session.name == "县政协第十一届四次会议" and reply.proposal.number == 37
    assert reply.letter_date == date(2024, 7, 9) and reply.signer == "何振东"


def test_a_new_proposal_asks_for_the_parts_a_proposal_must_have(client, boss):
    response = client.post(reverse(URL), {"text": BARE_CPPCC})
    response = client.post(reverse(URL), confirm_data(response))
    assert response.status_code == 200 and not ProposalReply.objects.exists()
    form = response.context["form"]
    assert "没有找到复函所答复的建议（提案）" in str(form.non_field_errors())
    assert {"number", "term", "session", "level", "lead_unit", "assigned_on"} <= set(form.errors)
    assert "body" not in form.errors and "letter_date" not in form.errors


def test_a_chosen_proposal_of_another_number_than_the_letter_states_is_questioned(client, boss):
    other = ProposalFactory(number=93)
    response = client.post(
        reverse(URL), {"text": letter_text("19_npc_short_district_session_name_first_signer")}
    )
    response = client.post(reverse(URL), confirm_data(response, proposal=other.pk))
    assert response.status_code == 200 and not ProposalReply.objects.exists()
    assert "复函写的是第12号，所选的建议（提案）是第93号" in str(response.context["form"].errors)


def test_a_letter_that_leaves_out_the_level_finds_its_registered_proposal(client, boss):
    session = CongressSessionFactory(level="县", term=17, session=3, year=2018)
    proposal = ProposalFactory(session=session, number=44)
    response = client.post(reverse(URL), {"text": letter_text("15_npc_typo_session_no_level")})
    assert response.context["form"].initial["proposal"] == proposal.pk
    response = client.post(reverse(URL), confirm_data(response))
    assert response.status_code == 302, response.context["form"].errors
    assert ProposalReply.objects.get().proposal == proposal


def test_only_what_the_page_around_the_letter_shows_is_not_offered(client, boss):
    ProposalFactory(
        session=CongressSessionFactory(body="cppcc", level="县", term=9, session=4), number=8
    )
    response = client.post(reverse(URL), {"text": letter_text("03_cppcc_page_chrome_only_numbers")})
    form = response.context["form"]
    assert form.initial["number"] in (None, "") and form.initial["proposal"] is None
    assert form.initial["term"] in (None, "")


def test_an_undated_letter_imported_twice_asks_for_confirmation(client, boss):
    proposal = ProposalFactory(session=CongressSessionFactory(body="cppcc"), number=15)
    first = client.post(reverse(URL), {"text": BARE_CPPCC})
    data = confirm_data(first, proposal=proposal.pk)
    assert client.post(reverse(URL), data).status_code == 302
    response = client.post(reverse(URL), data)
    assert response.status_code == 200 and ProposalReply.objects.count() == 1
    assert "已有一份未注明日期的答复" in response.content.decode()
    assert client.post(reverse(URL), {**data, "confirm_duplicate": "on"}).status_code == 302


def test_an_undated_reply_counts_as_given_but_not_as_in_time(reply_nodes):
    from tests.factories import ProposalReplyFactory

    reply = ProposalReplyFactory(letter_date=None, signing_office="", issuing_office="")
    proposal = reply.proposal
    assert proposal.deadline < date(2023, 1, 1)
    assert not proposal.overdue_on(date(2023, 1, 1))
    assert not reply.replied_in_time
    assert "年" not in reply.document.body.split("现函复如下")[1]
