"""The document page in a real browser (Debian's chromium, driven by Playwright)."""

import pytest

from tests.browser.helpers import chromium, skip_without_chromium
from tests.factories import published

skip_without_chromium()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_font_size_is_switched_and_remembered_and_print_is_offered(live_server):
    document = published(title="字号测试文件", body="<p>正文内容，供年长读者放大阅读。</p>")
    url = document.get_absolute_url()
    with chromium() as browser:
        check_font_size(browser.new_page(), f"{live_server.url}{url}", url)


def check_font_size(page, address, url):
    page.goto(address)
    assert page.evaluate("document.body.className") == "fs-medium"
    assert page.is_visible("button.js-print")  # shown only when JavaScript runs

    page.click("a[data-font-size=large]")
    assert page.evaluate("document.body.className") == "fs-large"
    assert page.url.endswith(url)  # switched in place, no reload
    large = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.doc-body')).fontSize)"
    )

    page.goto(address)  # a later visit
    assert page.evaluate("document.body.className") == "fs-large"
    page.click("a[data-font-size=small]")
    small = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.doc-body')).fontSize)"
    )
    assert small < large
    page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_fits_a_phone_screen(live_server):
    document = published(title="手机上阅读的文件" * 3, body="<p>" + "正文" * 400 + "</p>")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 740})
        page.goto(f"{live_server.url}{document.get_absolute_url()}")
        width = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        assert page.evaluate(width) <= 0
