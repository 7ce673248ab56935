"""The proposal statistics table at 1366 pixels: every number stands under its own heading."""

import pytest

from tests.browser.helpers import DESKTOP, chromium, demo_site, skip_without_chromium

skip_without_chromium()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_number_is_under_its_heading(live_server):
    urls = demo_site(documents=5)
    with chromium() as browser:
        page = browser.new_context(viewport=DESKTOP).new_page()
        page.goto(live_server.url + urls["statistics"])
        table = page.locator("section[aria-labelledby=units] table")
        headers = table.locator("thead th")
        cells = table.locator("tbody tr").first.locator("td")
        assert headers.count() == cells.count()
        text_right = (
            "el => { const r = document.createRange(); r.selectNodeContents(el);"
            " return r.getBoundingClientRect().right; }"
        )
        for i in range(1, headers.count()):
            # The number ends where its heading's text ends: both right-aligned in one column.
            heading_end = headers.nth(i).evaluate(text_right)
            number_end = cells.nth(i).evaluate(text_right)
            assert abs(number_end - heading_end) < 2, (i, number_end, heading_end)
