"""Where the content starts on a 390×844 phone, and how many Tab presses reach the first search
result, on a running portal (seeded with seed_demo): the figures of the phone-order fix.

    .venv/bin/python bench/phone_order.py http://127.0.0.1:8000 [http://127.0.0.1:8001]

With a second address (e.g. an older checkout serving the same demo data) each figure is
printed beside it as a ratio.
"""

import sys

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
QUERY = "%E9%93%9C%E6%A2%81"  # 铜梁
SEED = "%E7%AC%AC94%E5%8F%B7%E5%BB%BA%E8%AE%AE%E7%9A%84%E5%A4%8D%E5%87%BD"  # 第94号建议的复函


def measure(browser, base):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{base}/search/?q={QUERY}")
    link = page.locator("main a[href*='/documents/']").first
    result_top = link.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    href = link.get_attribute("href")
    page.goto(f"{base}/search/?q={QUERY}")
    page.locator("main input[name=q]").first.focus()
    presses = 0
    while presses < 100:
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            break
    page.goto(f"{base}/search/?q={SEED}")
    page.goto(base + page.locator("main a[href*='/documents/']").first.get_attribute("href"))
    title_top = page.locator("h1").first.evaluate(
        "e => e.getBoundingClientRect().top + window.scrollY"
    )
    return {
        "document title, px from the top": title_top,
        "first search result, px from the top": result_top,
        "Tab presses from the search box to the first result": presses,
    }


def main(addresses):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        figures = [measure(browser, address) for address in addresses]
        browser.close()
    for name, value in figures[0].items():
        line = f"{name:55} {value:8.0f}"
        if len(figures) > 1:
            base = figures[1][name]
            line += f"   baseline {base:8.0f}   ratio {value / base:.2f}"
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:] or ["http://127.0.0.1:8000"])
