"""axe-core over the admin pages clerks work in: no serious or critical finding."""

import pytest
from django.contrib.auth import get_user_model

from catalog.models import CatalogNode
from tests.browser.helpers import chromium, skip_without_chromium
from tests.factories import AgencyFactory, DocumentFactory, ProposalReplyFactory

PASSWORD = "correct-horse-battery"

skip_without_chromium()


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
            # The editor and the autocompletes drawn (slow on a machine running other tests).
            page.wait_for_load_state("networkidle", timeout=90_000)
            assert page.locator("#content h1").count() == 1, name
            findings[name] = serious_findings(page)
        page.close()
    assert findings == {name: [] for name in pages}
