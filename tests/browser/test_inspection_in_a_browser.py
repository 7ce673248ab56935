"""网站自查 in a browser: the verdicts read as text and colour with no serious axe finding, and
an item behind a count opens from its list."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from catalog.models import CatalogNode
from tests.browser.helpers import chromium, skip_without_chromium
from tests.browser.test_admin_accessibility import PASSWORD, serious_findings
from tests.factories import ApplicationFactory, published

skip_without_chromium()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_self_inspection_page_passes_axe_and_opens_an_item(live_server, tmp_path):
    get_user_model().objects.create_superuser("boss", "b@example.com", PASSWORD)
    root = CatalogNode.objects.create(name="政务公开")
    published(node=CatalogNode.objects.create(name="政策文件", parent=root))
    for n in range(5):  # empty columns staff keep shown: what the public sees as blank
        CatalogNode.objects.create(
            name=f"空栏目{n}", parent=root, shown_when_empty=True, shown_when_empty_reason="筹备中"
        )
    ApplicationFactory(received_on=date(2025, 1, 6))
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "boss")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/disclosure/document/inspection/")
        overall = page.locator(".inspection-overall")
        assert "不合格" in overall.inner_text() and "空白栏目" in overall.inner_text()
        assert page.locator("#rule-blank_columns .verdict-fail").inner_text().endswith("不合格")
        page.get_by_text("空白栏目：查看 5 项").click()
        page.screenshot(path=str(tmp_path / "inspection.png"), full_page=True)
        findings = serious_findings(page)
        page.get_by_role("link", name="空栏目0").click()
        assert page.locator("h1").inner_text() == "空栏目0"
        page.close()
    assert findings == []
