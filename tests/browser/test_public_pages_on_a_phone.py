"""On a phone the content comes first: the document's title and body, the first search result;
and a keyboard user reaches the first result in a few Tab presses on any screen."""

import pytest

from tests.browser.helpers import DESKTOP, PHONE, chromium, demo_site, skip_without_chromium

skip_without_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def top(page, selector):
    return page.evaluate(
        f"document.querySelector({selector!r}).getBoundingClientRect().top + window.scrollY"
    )


def test_the_seed_documents_title_and_body_come_first_on_a_phone(live_server):
    urls = demo_site()
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(live_server.url + urls["document"])
        assert page.inner_text("h1") == urls["seed_title"]
        # The title and the start of the body on the first screen, the metadata box after them.
        assert top(page, "#doc-title") < PHONE["height"] / 2
        assert top(page, ".doc-body") < PHONE["height"]
        assert top(page, ".index-meta") > top(page, ".doc-body")
        # A summary line stands for the box and leads to it.
        assert page.is_visible(".doc-summary a[href='#doc-meta']")

        # On a wide screen the box stands above the title, as on the seed page.
        page.set_viewport_size(DESKTOP)
        assert top(page, ".index-meta") < top(page, "#doc-title")
        assert not page.is_visible(".doc-summary")


def test_search_results_come_before_the_folded_facets_on_a_phone(live_server):
    urls = demo_site()
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(live_server.url + urls["search"])
        first = ".search-results li:first-child h2 a"
        assert top(page, first) < PHONE["height"]
        # The facets fold behind one control shown after the result count.
        assert not page.is_visible(".facet a")
        summary = ".facets summary"
        assert top(page, ".search-summary") < top(page, summary) < top(page, first)
        page.click(summary)
        assert page.is_visible(".facet a")

        # On a wide screen they stand open beside the results.
        wide = browser.new_page(viewport=DESKTOP)
        wide.goto(live_server.url + urls["search"])
        assert wide.is_visible(".facet a")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_first_result_is_a_few_tab_presses_from_the_search_box(live_server, viewport):
    urls = demo_site()
    with chromium() as browser:
        page = browser.new_page(viewport=viewport)
        page.goto(live_server.url + urls["search"])
        first_result = page.get_attribute(".search-results li:first-child h2 a", "href")
        page.focus("#search-page-input")
        for _press in range(9):  # fewer than 10 presses
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.getAttribute('href')")
            assert "facet" not in (page.evaluate("document.activeElement.className") or "")
            if focused == first_result:
                break
        else:
            pytest.fail("the first result is not reached in fewer than 10 Tab presses")
        # No facet link comes before it.
        assert page.evaluate(
            "[...document.querySelectorAll('.facet a')].every(a =>"
            " a.compareDocumentPosition(document.activeElement)"
            " & Node.DOCUMENT_POSITION_PRECEDING)"
        )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_footer_sits_at_the_bottom_of_a_short_page(live_server, viewport):
    with chromium() as browser:
        page = browser.new_page(viewport=viewport)
        page.goto(live_server.url + "/search/")
        bottom = page.evaluate(
            "document.querySelector('.site-footer').getBoundingClientRect().bottom"
        )
        assert bottom == pytest.approx(viewport["height"], abs=1)
