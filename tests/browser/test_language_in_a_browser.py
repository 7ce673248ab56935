"""A browser that asks for English still gets Chinese pages: public pages and the admin login."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.documents.services import add_attachment, publish
from tests.browser.helpers import chromium, skip_without_chromium
from tests.factories import DocumentFactory

skip_without_chromium()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n" + b" " * 560


def test_an_english_browser_gets_chinese_pages(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = DocumentFactory(title="附件大小的写法")
    add_attachment(document, SimpleUploadedFile("政策原文.pdf", PDF))
    document = publish(document)
    with chromium() as browser:
        context = browser.new_context(
            locale="en-US", extra_http_headers={"Accept-Language": "en-US,en;q=0.9"}
        )
        page = context.new_page()
        page.goto(live_server.url + document.get_absolute_url())
        sizes = page.inner_text(".attachments")
        assert f"{len(PDF)}\xa0字节" in sizes
        assert "bytes" not in sizes
        assert page.get_attribute("html", "lang") == "zh-CN"

        page.goto(live_server.url + "/admin/login/")
        login = page.inner_text("body")
        assert "用户名" in login and "密码" in login
        assert "Username" not in login and "Password" not in login
