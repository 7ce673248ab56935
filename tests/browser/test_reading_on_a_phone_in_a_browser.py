"""A citizen's journey on a phone, in a real browser: the column's filters behind one 筛选
button, 索引号 whole, a document page ending with 分享 (复制链接), 上一篇/下一篇 and 返回列表, the
catalogue's side navigation on wide screens only, and no public page scrolling sideways at
390 px, in the ordinary mode and the 长辈版."""

import pytest

from tests.browser.helpers import PHONE, chromium, demo_site, skip_without_chromium

skip_without_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

WIDE = {"width": 1280, "height": 800}

# Where each line of a code breaks: the character before each break (JS: per character, its
# line's top).
BREAKS = """el => {
  const text = el.textContent, node = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const tops = [];
  for (let t = node.nextNode(); t; t = node.nextNode()) {
    for (let i = 0; i < t.length; i++) {
      const range = document.createRange();
      range.setStart(t, i); range.setEnd(t, i + 1);
      tops.push([t.data[i], Math.round(range.getBoundingClientRect().top)]);
    }
  }
  const before = [];
  for (let i = 1; i < tops.length; i++) if (tops[i][1] > tops[i - 1][1]) before.push(tops[i - 1][0]);
  return before;
}"""


def test_a_columns_filters_fold_behind_one_button_and_index_numbers_stay_whole(live_server):
    urls = demo_site(documents=60)
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(live_server.url + urls["busy_column"])
        assert not page.is_visible(".filters select")
        page.click(".filter-box summary")
        assert page.is_visible("select[name=year]")
        years = page.eval_on_selector_all(
            "select[name=year] option", "os => os.map(o => o.textContent)"
        )
        # Only the years the column holds, each with its count.
        assert years[0] == "全部" and 1 < len(years) < 10
        assert all("（" in label and label.endswith("）") for label in years[1:])
        # Each 索引号 breaks, if at all, only after a separator, inside its card.
        for cell in page.query_selector_all(".doc-table td.col-index"):
            assert set(cell.query_selector(".code-text").evaluate(BREAKS)) <= {"/", "-"}
            card = cell.evaluate("td => td.closest('tr').getBoundingClientRect().right")
            assert cell.evaluate("td => td.getBoundingClientRect().right") <= card + 0.5

        wide = browser.new_page(viewport=WIDE)
        wide.goto(live_server.url + urls["busy_column"])
        assert wide.is_visible("select[name=year]") and not wide.is_visible(".filter-box summary")
        assert wide.is_visible(".side-nav") and not page.is_visible(".side-nav")


def test_a_document_page_ends_with_sharing_its_neighbours_and_the_way_back(live_server):
    urls = demo_site(documents=60)
    with chromium() as browser:
        context = browser.new_context(
            viewport=PHONE, permissions=["clipboard-read", "clipboard-write"]
        )
        page = context.new_page()
        page.goto(live_server.url + urls["busy_document"])
        page.click("text=复制链接")
        page.wait_for_function("document.querySelector('.copy-status').textContent !== ''")
        assert "已复制" in page.inner_text(".copy-status")
        assert page.evaluate("navigator.clipboard.readText()") == page.url
        assert page.is_visible(".share .qr svg")
        pager = page.inner_text(".doc-pager")
        assert "上一篇" in pager and "下一篇" in pager and "返回列表" in pager
        # The pager comes last in the article, after the sharing.
        assert page.evaluate(
            "document.querySelector('.share').compareDocumentPosition("
            "document.querySelector('.doc-pager')) & Node.DOCUMENT_POSITION_FOLLOWING"
        )
        assert page.get_attribute("meta[property='og:title']", "content")
        assert page.get_attribute("meta[property='og:description']", "content")
        page.click(".doc-pager a[rel=next]")
        assert page.url != live_server.url + urls["busy_document"]
        page.click("text=返回列表")
        assert page.url == live_server.url + urls["busy_column"]


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("elder", [False, True], ids=["ordinary", "elder"])
def test_no_public_page_scrolls_sideways_on_a_phone(live_server, elder):
    from disclosure.reports.models import WebsiteAnnualReport

    urls = demo_site(documents=60)
    website_report = WebsiteAnnualReport.objects.order_by("pk").first()
    pages = [
        "/", urls["busy_column"], urls["column"], urls["busy_document"], urls["document"],
        urls["search"], "/ysqgk/", "/documents/proposals/", "/documents/annual-reports/",
        "/documents/guide/", urls["guide"], "/catalog/", "/map/", "/contact/",
        f"/documents/website-reports/{website_report.year}/",
    ]  # fmt: skip
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE)
        if elder:
            context.add_cookies([{"name": "portal_elder", "value": "1", "url": live_server.url}])
        page = context.new_page()
        wide = []
        for url in pages:
            page.goto(live_server.url + url)
            assert (page.get_attribute("html", "class") == "elder") is elder
            if overflow(page) > 0:
                culprits = page.evaluate(
                    "[...document.querySelectorAll('body *')].filter(e => "
                    "e.getBoundingClientRect().right > window.innerWidth + 0.5)"
                    ".slice(0, 4).map(e => e.tagName + '.' + e.className + ':' + "
                    "(e.textContent || '').trim().slice(0, 30))"
                )
                wide.append((url, overflow(page), culprits))
        assert wide == [], "\n".join(map(str, wide))


def top(page, selector):
    return page.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().top")


@pytest.mark.parametrize("elder", [False, True], ids=["ordinary", "elder"])
def test_the_first_screen_of_a_phone_is_the_pages_own(live_server, elder):
    urls = demo_site(documents=10)
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE)
        if elder:
            context.add_cookies([{"name": "portal_elder", "value": "1", "url": live_server.url}])
        page = context.new_page()
        page.goto(live_server.url + urls["document"])
        # A compact header: a quarter of the screen at most, its navigation one row.
        header = page.evaluate("document.querySelector('.site-header').offsetHeight")
        assert header <= PHONE["height"] / 4
        links = page.eval_on_selector_all(
            ".main-nav a", "as => new Set(as.map(a => a.getBoundingClientRect().top)).size"
        )
        assert links == 1 and page.is_visible(".main-nav a[href='/search/']")
        # The folded breadcrumb: the column above and the current one, on one or two lines.
        crumbs = page.eval_on_selector_all(
            ".breadcrumb li", "ls => ls.filter(l => l.getClientRects().length).length"
        )
        assert crumbs == 2
        assert (
            page.evaluate(
                "(b => b.offsetHeight / parseFloat(getComputedStyle(b).lineHeight))"
                "(document.querySelector('.breadcrumb'))"
            )
            <= 2.8
        )
        # The title and the start of the body on the first screen.
        assert top(page, "#doc-title") < PHONE["height"] / 2
        assert top(page, ".doc-body") < PHONE["height"]
        page.goto(live_server.url + urls["column"])
        assert top(page, "h1.page-title") < PHONE["height"] / 2
