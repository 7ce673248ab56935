"""The admin as clerks use it, in a real browser: the letter import's confirm step and the
reviewer's document list at 1366 px."""

import pytest
from django.contrib.auth import get_user_model

from disclosure.documents.models import Document
from disclosure.proposals.models import ProposalReply
from tests.browser.helpers import chromium, skip_without_chromium
from tests.disclosure.proposals.test_letters import seed_text
from tests.factories import AgencyFactory, DocumentFactory

PASSWORD = "correct-horse-battery"

skip_without_chromium()


def logged_in(browser, live_server, width=1366, height=768):
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    return page


@pytest.fixture
def boss(db):
    return get_user_model().objects.create_superuser("boss", "b@example.com", PASSWORD)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_letter_import_confirm_step_saves_with_the_recognised_date(live_server, boss):
    from catalog.models import CatalogNode

    CatalogNode.objects.create(name="人大代表建议办理", slug="rddbjy")
    AgencyFactory(name="重庆市铜梁区人民政府办公室")
    with chromium() as browser:
        page = logged_in(browser, live_server)
        page.goto(f"{live_server.url}/admin/disclosure/proposalreply/import/")
        page.fill("#id_text", seed_text())
        page.click("input[value=识别]")
        # The browser's date picker shows the recognised date (it reads ISO dates only).
        assert page.input_value("#id_letter_date") == "2022-06-06"
        page.fill("#id_assigned_on", "2022-03-10")
        page.click("input[value=确认保存]")
        page.wait_for_url("**/proposalreply/*/change/")
        message = page.inner_text(".messagelist")
        page.close()
    assert "草稿" in message
    reply = ProposalReply.objects.get()
    assert str(reply.letter_date) == "2022-06-06"
    assert reply.document.status == Document.Status.DRAFT


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_document_list_fits_1366_pixels(live_server, boss):
    agency = AgencyFactory(name="重庆市铜梁区规划和自然资源局", short_name="区规划自然资源局")
    for n in range(5):
        DocumentFactory(
            agency=agency,
            title=f"重庆市铜梁区规划和自然资源局关于做好2024年第{n}批次城乡建设用地审批工作的通知",
        )
    with chromium() as browser:
        page = logged_in(browser, live_server)
        page.goto(f"{live_server.url}/admin/disclosure/document/")
        title = page.locator("#result_list th.column-title_display").bounding_box()
        published = page.locator("#result_list th.column-published_display").bounding_box()
        results = page.locator(".results").bounding_box()
        overflow = page.evaluate(
            "(() => { const r = document.querySelector('.results');"
            " return r.scrollWidth - r.clientWidth; })()"
        )
        page.close()
    assert title["width"] >= 200  # about 15 characters a line, not two
    assert overflow <= 0  # nothing cut off at the right: no sideways scrolling
    assert published["x"] + published["width"] <= results["x"] + results["width"] <= 1366


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_annual_report_form_at_1366_keeps_labels_readable_and_the_total_in_view(
    live_server, boss
):
    from tests.factories import AnnualReportFactory

    report = AnnualReportFactory(agency=AgencyFactory(name="区人民政府"), year=2026)
    with chromium() as browser:
        page = logged_in(browser, live_server)
        page.goto(f"{live_server.url}/admin/disclosure/annualreport/{report.pk}/change/")
        table = page.locator("table.report-three")
        label = table.locator("th[scope=row]", has_text="1.属于国家秘密")
        # A label of seven characters on one line, not two or three characters a line.
        box = label.bounding_box()
        assert box["width"] >= 100 and box["height"] < 40, box
        # 总计 is inside the page, or inside the table's own scrolling box.
        total = table.locator("th", has_text="总计").first
        holder = page.locator("fieldset.report-computed").first.bounding_box()
        total.scroll_into_view_if_needed()
        assert total.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        assert holder["x"] + holder["width"] <= 1366


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_document_with_an_attachment_fits_1366_without_scrolling_sideways(
    live_server, boss, settings, tmp_path
):
    from tests.factories import AttachmentFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    document = DocumentFactory(title="重庆市铜梁区人民政府办公室关于进一步做好政务公开工作的通知")
    AttachmentFactory(document=document, name="关于进一步做好政务公开工作的通知（附件一）.pdf")
    with chromium() as browser:
        page = logged_in(browser, live_server)
        page.goto(f"{live_server.url}/admin/disclosure/document/{document.pk}/change/")
        # The attachment's row shows its SHA-256 and its stored name, long words both.
        assert page.locator(".field-sha256").first.inner_text().strip() != "-"
        width = page.evaluate("document.documentElement.scrollWidth")
        page.close()
    assert width <= 1366
