"""axe-core over every kind of public page (and the 长辈版, and a phone): no serious or
critical finding."""

import pytest
from django.urls import reverse

from catalog.models import CatalogNode
from tests.browser.helpers import DESKTOP, PHONE, chromium, demo_site, skip_without_chromium

skip_without_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

BLOCKING = {"serious", "critical"}
# Every public HTML page kind of the URL confs (feeds, sitemaps and robots.txt are not HTML).
PAGE_KINDS = [
    "home", "tree", "subtree", "column", "document", "withdrawn", "search", "search_empty",
    "search_form", "search_by_number", "proposals", "statistics", "not_found", "export_error",
    "annual_reports", "guides", "site_map", "contact",
]  # fmt: skip


def findings(page):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in violations
        if v["impact"] in BLOCKING
    ]


def test_public_pages_have_no_serious_accessibility_findings(live_server):
    urls = demo_site(documents=30)
    urls.update(
        search_by_number="/search/?q=渝府办发〔2099〕1号",
        not_found="/catalog/999999/",
        subtree=reverse("catalog:subtree", args=[CatalogNode.objects.filter(level=1).first().pk]),
        export_error="/documents/export/?format=pdf",
        annual_reports=reverse("disclosure:annual-reports"),
        guides=reverse("disclosure:guides"),
        site_map=reverse("site-map"),
        contact=reverse("contact"),
    )
    report = {}
    with chromium() as browser:
        variants = [
            ("desktop", browser.new_context(viewport=DESKTOP), PAGE_KINDS),
            (
                "phone",
                browser.new_context(viewport=PHONE),
                ["home", "column", "document", "search"],
            ),
        ]
        elder = browser.new_context(viewport=DESKTOP)
        elder.add_cookies([{"name": "portal_elder", "value": "1", "url": live_server.url}])
        variants.append(("长辈版", elder, ["home", "document", "search", "proposals"]))
        for variant, context, kinds in variants:
            page = context.new_page()
            for kind in kinds:
                response = page.goto(live_server.url + urls[kind])
                assert response.status < 500, (kind, response.status)
                if variant == "长辈版":
                    assert page.get_attribute("html", "class") == "elder"
                found = findings(page)
                if found:
                    report[f"{variant} {kind} {urls[kind]}"] = found
            context.close()
    assert not report, "\n".join(f"{page}: {found}" for page, found in report.items())
