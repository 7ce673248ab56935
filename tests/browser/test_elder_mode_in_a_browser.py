"""The 长辈版 in a real browser: switched on from any page, with or without JavaScript, kept
across pages, and never shown to another visitor through the page cache."""

import pytest

from tests.browser.helpers import PHONE, chromium, demo_site, skip_without_chromium

skip_without_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def font_size(page, selector="body"):
    return page.evaluate(
        f"parseFloat(getComputedStyle(document.querySelector({selector!r})).fontSize)"
    )


def smallest_link_height(page, selector):
    return page.evaluate(
        f"Math.min(...[...document.querySelectorAll({selector!r})]"
        ".filter(a => a.getClientRects().length)"  # shown ones
        ".map(a => a.getBoundingClientRect().height))"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_elder_mode_is_switched_on_remembered_and_off(live_server, javascript):
    urls = demo_site(documents=10)
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
        page = context.new_page()
        page.goto(live_server.url + urls["column"])
        normal = font_size(page)
        assert page.get_attribute("html", "class") in (None, "")

        page.click("a.elder-switch")
        # Back on the same page, now in the 长辈版.
        assert page.url == live_server.url + urls["column"]
        assert page.get_attribute("html", "class") == "elder"
        assert font_size(page) >= normal * 1.2
        assert page.inner_text("a.elder-switch") == "退出长辈版"
        # Bigger click targets: every link of the listing is at least 44 px high.
        assert smallest_link_height(page, "main a") >= 44

        # Remembered on the next page.
        page.goto(live_server.url + urls["document"])
        assert page.get_attribute("html", "class") == "elder"
        assert not page.is_visible(".qr")  # simpler chrome

        # Another visitor (no cookie) gets the ordinary page, though the cache holds this one.
        other = browser.new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
        other.goto(live_server.url + urls["document"])
        assert other.get_attribute("html", "class") in (None, "")

        page.click("a.elder-switch")
        assert page.url == live_server.url + urls["document"]
        assert page.get_attribute("html", "class") in (None, "")
        assert page.inner_text("a.elder-switch") == "长辈版"
        context.close()
