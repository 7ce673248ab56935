"""axe-core over the admin pages clerks work in: no serious or critical finding."""

import os
import shutil
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from catalog.models import CatalogNode
from tests.factories import AgencyFactory, DocumentFactory, ProposalReplyFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct-horse-battery"

if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip(
        "chromium is not installed (apt-get install chromium); CI installs it",
        allow_module_level=True,
    )


@contextmanager
def chromium():
    """The browser, started once the test's data is written (see test_document_page_in_a_browser)."""
    from playwright.sync_api import sync_playwright

    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def serious_findings(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_document_and_reply_pages_pass_axe(live_server):
    get_user_model().objects.create_superuser("boss", "b@example.com", PASSWORD)
    agency = AgencyFactory(name="重庆市铜梁区人民政府办公室", short_name="区政府办公室")
    root = CatalogNode.objects.create(name="政务公开")
    document = DocumentFactory(
        agency=agency, node=CatalogNode.objects.create(name="政策文件", parent=root)
    )
    CatalogNode.objects.create(name="人大代表建议办理", slug="rddbjy", parent=root)
    reply = ProposalReplyFactory()
    pages = {
        "文件列表": "/admin/disclosure/document/",
        "新增文件": "/admin/disclosure/document/add/",
        "修改文件": f"/admin/disclosure/document/{document.pk}/change/",
        "新增答复": "/admin/disclosure/proposalreply/add/",
        "修改答复": f"/admin/disclosure/proposalreply/{reply.pk}/change/",
    }
    findings = {}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "boss")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")  # the editor and the autocompletes drawn
            assert page.locator("#content h1").count() == 1, name
            findings[name] = serious_findings(page)
        page.close()
    assert findings == {name: [] for name in pages}
