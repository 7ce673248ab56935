"""The published annual report and the guide in a real browser: no serious or critical axe-core
finding, and the report's tables laid out with the template's merged headings."""

import os
from datetime import date

import pytest
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.documents.services import publish
from disclosure.reports.annual_services import make_final
from portal.actors import SYSTEM
from tests.browser.test_document_page_in_a_browser import chromium
from tests.factories import (
    AgencyFactory,
    AnnualReportFactory,
    ApplicationFactory,
    DisclosureGuideFactory,
    published,
)


def serious(results):
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def make_published_report():
    agency = AgencyFactory(
        name="铜梁区浏览器测试局", address="金龙大道333号", phone="023-45632266", fax="023-1"
    )
    node = CatalogNode.objects.create(name="政府信息公开年报", slug="gknb")
    published(agency=agency, node=node)
    ApplicationFactory(agency=agency, received_on=date(2025, 3, 1))
    report = AnnualReportFactory(
        agency=agency,
        overview="2025年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。",
        licences=12,
        review_upheld=1,
        review_total=1,
    )
    report = make_final(report, SYSTEM)
    publish(report.document, at=timezone.now())
    DisclosureGuideFactory(agency=agency)
    return report


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_report_and_guide_pages_pass_axe(live_server):
    from axe_playwright_python.sync_playwright import Axe

    report = make_published_report()
    pages = [report.get_absolute_url(), f"/documents/guide/{report.agency_id}/"]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for url in pages:
            page.goto(f"{live_server.url}{url}")
            assert serious(Axe().run(page)) == [], url
        page.goto(f"{live_server.url}{pages[0]}")
        # The merged heading of section 三 spans three header rows and three columns.
        box = page.locator(".report-three thead th").first.bounding_box()
        row = page.locator(".report-three thead tr").nth(2).bounding_box()
        assert box["y"] + box["height"] >= row["y"] + row["height"] - 1
        shot = os.environ.get("REPORT_SCREENSHOT")
        if shot:
            page.locator("#section-three").scroll_into_view_if_needed()
            page.screenshot(path=shot, full_page=True)
        page.close()
