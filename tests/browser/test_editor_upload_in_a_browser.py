"""An editor inserts an image through the rich-text editor's upload tab in a real browser: the
upload carries the CSRF token and comes back as a re-encoded image under the agency's folder."""

import io
import re

import pytest
from PIL import Image

from portal.roles import EDITOR
from tests.browser.helpers import chromium
from tests.factories import AgencyFactory, StaffUserFactory

PASSWORD = "correct-horse-battery-staple"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_uploads_an_image_through_the_editor_dialog(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agency = AgencyFactory(name="区政府办公室")
    editor = StaffUserFactory(username="editor-upload", role=EDITOR, agencies=[agency])
    editor.set_password(PASSWORD)
    editor.save()
    picture = tmp_path / "现场照片.png"
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buffer, "PNG")
    picture.write_bytes(buffer.getvalue())

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "editor-upload")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():  # the login's cookies are set before the next page
            page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/disclosure/document/add/")
        page.wait_for_function(
            "window.CKEDITOR && CKEDITOR.instances.id_body"
            " && CKEDITOR.instances.id_body.status === 'ready'",
            timeout=60_000,
        )
        page.evaluate("CKEDITOR.instances.id_body.execCommand('image')")
        page.click("a.cke_dialog_tab[id^=cke_Upload_]")
        upload_frame = page.frame_locator("iframe.cke_dialog_ui_input_file:visible")
        upload_frame.locator("input[type=file]").set_input_files(str(picture))
        with page.expect_response(lambda r: "/admin/ckeditor/upload/" in r.url) as sent:
            page.click(".cke_dialog_ui_fileButton:visible")
        assert sent.value.status == 200, re.sub(
            r"\s+", " ", re.sub("<[^>]+>", " ", sent.value.text())
        )[:1500]
        url_field = page.locator(".cke_dialog_ui_input_text input").first
        page.wait_for_function(
            "el => el.value.startsWith('/media/editor/')", arg=url_field.element_handle()
        )
        url = url_field.input_value()
        page.close()

    assert url.startswith(f"/media/editor/{agency.pk}/") and url.endswith(".png")
    stored = [p for p in (tmp_path / "editor").rglob("*.png")]
    assert len(stored) == 1 and Image.open(stored[0]).size == (16, 16)
