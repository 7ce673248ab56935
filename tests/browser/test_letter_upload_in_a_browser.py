"""The reply-letter import in a real browser: a proposal clerk uploads a Word letter, sees
which parts were found and which not, fills in what is missing and saves."""

import pytest

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from disclosure.proposals.models import ProposalReply
from disclosure.proposals.roles import PROPOSALS
from tests.browser.helpers import chromium, restore_migration_data, skip_without_chromium
from tests.disclosure.proposals.letter_documents import letter_docx
from tests.disclosure.proposals.letter_set import FOLDER
from tests.factories import AgencyFactory, StaffUserFactory

skip_without_chromium()

LETTER = FOLDER / "02_cppcc_spaced_category_title_broken.txt"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clerk_uploads_a_word_letter_fills_the_missing_parts_and_saves(live_server, tmp_path):
    restore_migration_data()  # the reply classifications A–D, which the flush removed
    root = CatalogNode.objects.create(name="政务公开")
    CatalogNode.objects.create(name="政协委员提案办理", slug="zxwyta", parent=root)
    office = AgencyFactory(name="石门县交通运输局")
    StaffUserFactory(username="tian", role=PROPOSALS, agencies=[office])
    path = tmp_path / "第9号提案复函.docx"
    path.write_bytes(letter_docx(LETTER.read_text(encoding="utf-8"), head_in_table=True))

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page.goto(f"{live_server.url}/admin/login/?next=/admin/disclosure/proposalreply/import/")
        page.fill("#id_username", "tian")
        page.fill("#id_password", "correct-horse-battery")
        page.click("input[type=submit]")
        page.set_input_files("#id_file", str(path))
        page.click("input[value=识别]")
        found, missing = page.inner_text("#letter-found"), page.inner_text("#letter-missing")
        assert page.input_value("#id_doc_number") == "石交函〔2023〕52号"
        assert page.input_value("#id_number") == "9" and page.input_value("#id_signer") == "贺明远"
        assert page.input_value("#id_letter_date") == "2023-11-02"
        assert page.locator("#id_contact_person.needs-input").count() == 1
        page.fill("#id_contact_person", "冯晓")
        page.fill("#id_contact_phone", "0736-5210000")
        page.fill("#id_assigned_on", "2023-08-01")
        page.click("input[value=确认保存]")
        page.wait_for_url("**/proposalreply/*/change/")
        message = page.inner_text(".messagelist")
        page.close()
    assert "办理类别" in found and "文号" in found and "联系人" in missing
    assert "草稿" in message
    reply = ProposalReply.objects.select_related("proposal__classification").get()
    assert reply.doc_number == "石交函〔2023〕52号" and reply.contact_person == "冯晓"
    assert reply.proposal.classification.code == "B" and reply.proposal.lead_unit == office
    assert reply.proposal.number == 9 and reply.proposal.session.term == 10
    assert reply.document.status == Document.Status.DRAFT
