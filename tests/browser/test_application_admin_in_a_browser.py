"""An application handled in the admin in a real browser: registered at the counter, a 补正
asked for and received, then answered; the answer letter is composed, edited and saved final."""

import os
from pathlib import Path

import pytest

from disclosure.applications.models import Application, Letter
from disclosure.applications.roles import REQUESTS
from tests.browser.helpers import chromium, skip_without_chromium
from tests.factories import AgencyFactory, StaffUserFactory, id_number_for

PASSWORD = "correct-horse-battery-staple"
# Set to a folder to keep 1366x768 screenshots of each page for a look by eye.
SHOTS = os.environ.get("APPLICATION_SCREENSHOTS")

skip_without_chromium()


def shot(page, name, full_page=False):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=full_page)


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_application_is_registered_and_its_answer_saved_final(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    office = AgencyFactory(name="铜梁区人民政府办公室", phone="023-45632266")
    handler = StaffUserFactory(username="handler", role=REQUESTS, agencies=[office])
    handler.set_password(PASSWORD)
    handler.save()

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "handler")
        page.fill("#id_password", PASSWORD)
        click_and_wait(page, "input[type=submit]")
        shot(page, "01-index")

        page.goto(f"{live_server.url}/admin/applications/application/add/")
        page.select_option("#id_agency", str(office.pk))
        page.select_option("#id_channel", "in_person")
        page.fill("#id_received_on", live_today())
        page.fill("#id_name", "李四")
        page.select_option("#id_id_type", "resident")
        page.fill("#id_id_number", id_number_for(3))
        page.fill("#id_phone", "13912345678")
        page.fill("#id_info_title", "2025年巴川街道老旧小区改造项目清单")
        page.fill("#id_description", "项目名称、地址和投资额。")
        page.select_option("#id_delivery", "online")
        shot(page, "02-register")
        click_and_wait(page, "input[name=_save]")
        assert "查询码" in page.inner_text(".messagelist")
        shot(page, "03-handling")
        assert "5002**********" in page.inner_text("#content-main")

        click_and_wait(page, "a.button:has-text('告知补正')")
        page.fill("#id_text", "请写明所需信息的年份和具体项目。")
        # The deadline is offered (15 working days); the clerk may change it.
        assert page.input_value("#id_due_on") != ""
        page.fill("#id_due_on", live_today(days=10))
        click_and_wait(page, "input[type=submit].default")
        shot(page, "04-supplement-letter")
        assert "补正申请告知书" in page.inner_text(".letter-paper")

        click_and_wait(page, "text=返回申请")
        click_and_wait(page, "a.button:has-text('收到补正')")
        page.fill("#id_supplied", "所需信息为2025年巴川街道老旧小区改造项目清单。")
        click_and_wait(page, "input[type=submit].default")

        with page.expect_navigation():
            page.get_by_role("link", name="答复", exact=True).click()
        page.select_option("#id_result", "withheld")
        # Only the reasons of 不予公开 are offered.
        offered = page.eval_on_selector_all(
            "#id_reason option:not([disabled])", "els => els.map(e => e.value)"
        )
        assert "state_secret" in offered and "repeated" not in offered
        page.select_option("#id_result", "partial")
        page.fill("#id_withheld_note", "投资额涉及在谈合同，依据《条例》第十五条不予公开。")
        released = tmp_path / "改造项目清单.pdf"
        released.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        page.set_input_files("#id_files", str(released))
        click_and_wait(page, "input[name=_preview]")
        assert "改造项目清单.pdf" in page.inner_text(".released-files")
        page.wait_for_function(
            "window.CKEDITOR && CKEDITOR.instances.id_letter_body"
            " && CKEDITOR.instances.id_letter_body.status === 'ready'",
            timeout=60_000,
        )
        page.evaluate(
            "CKEDITOR.instances.id_letter_body.setData("
            "CKEDITOR.instances.id_letter_body.getData().replace("
            "'现向您提供可以公开的部分。', '现向您提供可以公开的部分（项目名称和地址）。'))"
        )
        shot(page, "05-answer-preview")
        click_and_wait(page, "input[name=_confirm]")
        shot(page, "06-answer-letter")
        assert "已定稿" in page.inner_text(".letter-tools")
        assert "（项目名称和地址）" in page.inner_text(".letter-paper")
        assert page.locator("form.letter-edit").count() == 0
        assert "改造项目清单.pdf" in page.inner_text(".letter-paper")
        assert "投资额涉及在谈合同" in page.inner_text(".letter-paper")
        page.emulate_media(media="print")
        shot(page, "07-answer-print", full_page=True)
        assert not page.is_visible("#header") and not page.is_visible(".letter-tools")
        page.emulate_media(media="screen")
        page.goto(f"{live_server.url}/admin/applications/application/")
        shot(page, "08-list")
        page.close()

    application = Application.objects.get()
    assert application.status == Application.Status.CLOSED
    answer = application.letters.get(kind=Letter.Kind.ANSWER)
    assert answer.is_final and "（项目名称和地址）" in answer.body


def live_today(days=0):
    from datetime import timedelta

    from disclosure.applications.clock import today

    return (today() + timedelta(days=days)).isoformat()
