"""The one-page entry of a past year's printed report, in a real browser at 1366 px: every table
of the 2019 template fits the page, the cells are typed in as on paper, one save keeps them all,
and a column that does not balance is marked where it is."""

import os

import pytest
from django.contrib.auth import get_user_model

from disclosure.models import AnnualReport
from portal.models import AuditEvent
from tests.browser.helpers import DESKTOP, chromium, skip_without_chromium
from tests.factories import AgencyFactory

PASSWORD = "correct-horse-battery"

skip_without_chromium()


@pytest.fixture
def boss(db):
    return get_user_model().objects.create_superuser("boss", "b@example.com", PASSWORD)


def logged_in(browser, live_server):
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    return page


def cell(page, key):
    return page.locator(f'input[name="c-{key}"]')


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_printed_2019_report_is_entered_on_one_page_at_1366_pixels(live_server, boss):
    agency = AgencyFactory(name="铜梁区往年报告浏览器测试局")
    with chromium() as browser:
        page = logged_in(browser, live_server)
        page.goto(f"{live_server.url}/admin/disclosure/annualreport/")
        page.click("text=录入已印发的往年报告")
        page.select_option("#id_agency", str(agency.pk))
        page.fill("#id_year", "2019")
        page.click("text=开始录入")
        # Every table of the template on the one page, none wider than the window.
        for key in ("two", "three", "four"):
            box = page.locator(f".entry-table.report-{key}").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], key
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= DESKTOP["width"]
        assert cell(page, "items.licences.change").get_attribute("aria-label") == (
            "行政许可 · 本年增/减"
        )
        cell(page, "items.licences.previous").fill("23")
        cell(page, "items.licences.change").fill("-4")
        cell(page, "items.procurement.count").fill("3")
        cell(page, "f.procurement_amount").fill("12.5")
        for key, value in [("new", "5"), ("disclosed", "4"), ("total", "4")]:
            cell(page, f"apps.{key}.person").fill(value)
            cell(page, f"apps.{key}.total").fill(value)
        # Printed so: one application of 2019 is neither answered nor carried over.
        page.fill("#id_overview", "2019年，本局认真落实修订后的条例。")
        page.click("input[value=保存录入内容]")
        page.wait_for_selector(".entry-findings")
        findings = page.inner_text(".entry-findings")
        marked = page.locator('td.warn[data-cell="apps.new.person"]').count()
        unmarked = page.locator('td.warn[data-cell="apps.disclosed.person"]').count()
        kept = cell(page, "items.licences.change").input_value()
        shot = os.environ.get("ENTRY_SCREENSHOT")
        if shot:
            page.screenshot(path=shot, full_page=True)
        page.close()
    assert "三、“自然人”列不平衡" in findings
    assert marked == 1 and unmarked == 0
    assert kept == "-4"
    report = AnnualReport.objects.get()
    assert report.printed_numbers["items.licences.change"] == -4
    assert report.printed_reason == "据已印发的2019年度报告录入"  # the suggested reason
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ANNUAL_REPORT).count() == 1
