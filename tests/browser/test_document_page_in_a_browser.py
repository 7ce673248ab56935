"""The document page in a real browser (Debian's chromium, driven by Playwright)."""

import os
import shutil

import pytest

from tests.factories import published

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip(
        "chromium is not installed (apt-get install chromium); CI installs it",
        allow_module_level=True,
    )


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # happen before it starts or in the live server's thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_font_size_is_switched_and_remembered_and_print_is_offered(live_server, browser):
    document = published(title="字号测试文件", body="<p>正文内容，供年长读者放大阅读。</p>")
    page = browser.new_page()
    page.goto(f"{live_server.url}{document.get_absolute_url()}")
    assert page.evaluate("document.body.className") == "fs-medium"
    assert page.is_visible("button.js-print")  # shown only when JavaScript runs

    page.click("a[data-font-size=large]")
    assert page.evaluate("document.body.className") == "fs-large"
    assert page.url.endswith(document.get_absolute_url())  # switched in place, no reload
    large = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.doc-body')).fontSize)"
    )

    page.goto(f"{live_server.url}{document.get_absolute_url()}")  # a later visit
    assert page.evaluate("document.body.className") == "fs-large"
    page.click("a[data-font-size=small]")
    small = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.doc-body')).fontSize)"
    )
    assert small < large
    page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_fits_a_phone_screen(live_server, browser):
    document = published(title="手机上阅读的文件" * 3, body="<p>" + "正文" * 400 + "</p>")
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(f"{live_server.url}{document.get_absolute_url()}")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.close()
