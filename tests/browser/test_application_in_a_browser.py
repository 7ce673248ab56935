"""The application form in a real browser on a phone, with and without JavaScript, and axe-core
on the form, the receipt and the status page."""

import re

import pytest
from django.urls import reverse

from tests.browser.test_document_page_in_a_browser import chromium
from tests.disclosure.applications.helpers import (
    VALID_CREDIT_CODE,
    VALID_ID,
    png_bytes,
    with_lookup_code,
)
from tests.factories import AgencyFactory

PHONE = {"width": 390, "height": 844}
BLOCKING = ("serious", "critical")


def serious_findings(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def fits_the_screen(page):
    width = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    return page.evaluate(width) <= 0


@pytest.fixture
def identity_png(tmp_path):
    path = tmp_path / "身份证.png"
    path.write_bytes(png_bytes())
    return path


@pytest.fixture
def agency(transactional_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return AgencyFactory(name="铜梁区交通局", address="重庆市铜梁区巴川街道金龙大道100号",
                         office_hours="工作日 9:00-12:00，14:00-17:30", phone="023-45671234",
                         email="jtj@example.gov.cn")  # fmt: skip


def look_up_on_the_page(page, live_server, code, tail="5678"):
    page.goto(live_server.url + reverse("applications:status"))
    page.get_by_label("查询码").fill(code)
    page.get_by_label("联系电话后四位").fill(tail)
    page.get_by_role("button", name="查询").click()


def fill_person(page, identity_png):
    page.get_by_label("姓名").first.fill("李四")
    page.get_by_label("证件号码").fill(VALID_ID)
    page.locator("#id_person_phone").fill("13800005678")
    page.locator("#id_person_email").fill("lisi@example.com")
    page.get_by_label("所需信息的名称").fill("2025年铜梁区道路维修计划")
    page.get_by_label("所需信息的内容描述").fill("请提供2025年城区道路维修计划的路段清单。")
    page.get_by_label("身份证明").set_input_files(str(identity_png))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_applies_on_a_phone_and_looks_the_application_up(
    live_server, agency, identity_png
):
    form_url = live_server.url + reverse("applications:apply", args=[agency.pk])
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(live_server.url + reverse("applications:guide"))
        assert serious_findings(page) == []
        assert fits_the_screen(page)
        page.get_by_role("link", name=f"向{agency.display_name}提出申请").click()
        page.wait_for_url(form_url)

        # With JavaScript only the person's fieldset shows; choosing a company switches.
        assert page.is_visible("#fs-person") and not page.is_visible("#fs-org")
        page.get_by_label("商业企业").check()
        assert page.is_visible("#fs-org") and not page.is_visible("#fs-person")
        page.get_by_label("自然人").check()
        assert serious_findings(page) == []
        assert fits_the_screen(page)
        # The page as it is without JavaScript (axe needs scripts, so both fieldsets are shown
        # here by hand): both fieldsets pass too.
        page.evaluate(
            "document.querySelectorAll('fieldset[hidden]').forEach(f => f.hidden = false)"
        )
        assert serious_findings(page) == []
        page.get_by_label("自然人").check()

        # A wrong check digit: the form comes back with a message, and the page stays usable.
        fill_person(page, identity_png)
        page.get_by_label("证件号码").fill(VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1"))
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_url(form_url)
        assert "校验位错误" in page.inner_text("#error-summary")
        # The script moves the focus to the summary, so a screen reader reads it first.
        page.wait_for_function("document.activeElement.id === 'error-summary'", timeout=5000)
        assert serious_findings(page) == []

        page.get_by_label("证件号码").fill(VALID_ID)
        page.get_by_label("身份证明").set_input_files(str(identity_png))
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_url("**" + reverse("applications:receipt"))
        code = page.inner_text(".lookup-code")
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
        assert serious_findings(page) == []
        assert fits_the_screen(page)

        page.get_by_role("link", name="查询办理进度").click()
        page.get_by_label("查询码").fill(code)
        page.get_by_label("联系电话后四位").fill("5678")
        page.get_by_role("button", name="查询").click()
        assert "待确认收到" in page.inner_text("#result-heading + dl")
        assert serious_findings(page) == []
        assert fits_the_screen(page)

        page.goto(live_server.url + reverse("applications:statistics"))
        assert serious_findings(page) == []
        assert fits_the_screen(page)
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_organisation_applies_without_javascript(live_server, agency, identity_png):
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False)
        page = context.new_page()
        page.goto(live_server.url + reverse("applications:apply", args=[agency.pk]))
        # Both fieldsets show, each saying whom it is for.
        assert page.is_visible("#fs-person") and page.is_visible("#fs-org")
        assert "自然人填写" in page.inner_text("#fs-person legend")
        assert "法人或其他组织填写" in page.inner_text("#fs-org legend")
        assert fits_the_screen(page)

        page.get_by_label("商业企业").check()
        page.locator("#id_org_name").fill("重庆某某建材有限公司")
        page.get_by_label("统一社会信用代码").fill(VALID_CREDIT_CODE)
        page.get_by_label("法定代表人或负责人").fill("王五")
        page.locator("#id_contact_person").fill("赵六")
        page.locator("#id_org_phone").fill("023-45678901")
        page.get_by_label("所需信息的名称").fill("铜梁区2025年政府采购意向公开")
        page.get_by_label("所需信息的内容描述").fill("请提供该文件全文。")
        page.get_by_label("身份证明").set_input_files(str(identity_png))
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_url("**" + reverse("applications:receipt"))
        code = page.inner_text(".lookup-code")
        assert len(code) == 14

        page.goto(live_server.url + reverse("applications:status"))
        page.get_by_label("查询码").fill(code)
        page.get_by_label("联系电话后四位").fill("8901")
        page.get_by_role("button", name="查询").click()
        assert "待确认收到" in page.inner_text("#result-heading + dl")
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_applicant_answered_online_downloads_the_information_on_a_phone(live_server, agency):
    from datetime import date

    from disclosure.applications import services
    from disclosure.applications.models import Application
    from portal.actors import SYSTEM
    from tests.disclosure.applications.helpers import give_information

    application, code = with_lookup_code(
        agency=agency, received_on=date(2026, 6, 1), phone="13800005678"
    )
    give_information(application, "2025年道路维修路段清单.pdf")
    services.answer(
        application, SYSTEM, Application.Result.PARTIAL, withheld_note="施工单位报价不予公开。"
    )
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, accept_downloads=True)
        page = context.new_page()
        look_up_on_the_page(page, live_server, code)
        assert "施工单位报价不予公开。" in page.inner_text("main")
        assert "随本答复书提供以下信息" in page.inner_text(".letter")
        with page.expect_download() as download:
            page.get_by_role("link", name="2025年道路维修路段清单.pdf").click()
        saved = download.value
        assert saved.suggested_filename == "2025年道路维修路段清单.pdf"
        with open(saved.path(), "rb") as got:
            assert got.read(5) == b"%PDF-"
        with page.expect_download() as letter:
            page.get_by_role("link", name="政府信息公开申请答复书").click()
        assert letter.value.suggested_filename.endswith(".docx")
        assert serious_findings(page) == []
        assert fits_the_screen(page)
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_applicant_supplements_on_a_phone(live_server, agency):
    from datetime import timedelta

    from disclosure.applications import services
    from disclosure.applications.clock import today
    from disclosure.applications.models import Application
    from portal.actors import SYSTEM

    application, code = with_lookup_code(agency=agency, received_on=today(), phone="13800005678")
    services.request_supplement(
        application, SYSTEM, "请写明所需信息的年份。", today() + timedelta(days=15)
    )
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        look_up_on_the_page(page, live_server, code)
        assert "待补正" in page.inner_text("#result-heading + dl")
        assert serious_findings(page) == []
        assert fits_the_screen(page)
        page.get_by_label("补正的内容").fill("所需信息为2025年度的道路维修计划。")
        page.get_by_role("button", name="提交补正").click()
        assert "补正已提交" in page.inner_text("main")
        assert "办理中" in page.inner_text("#result-heading + dl")
        assert serious_findings(page) == []
        context.close()
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
