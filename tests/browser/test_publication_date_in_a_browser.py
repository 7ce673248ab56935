"""An editor who types a 发布日期 in the past, in a real browser, reads why it is refused beside
the field, and nothing is saved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from disclosure.documents.models import Document
from portal.roles import EDITOR
from tests.browser.helpers import chromium, skip_without_chromium
from tests.factories import AgencyFactory, StaffUserFactory

PASSWORD = "correct-horse-battery"

skip_without_chromium()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_entering_a_past_date_sees_the_message(live_server):
    from tests.browser.helpers import restore_migration_data

    restore_migration_data()
    agency = AgencyFactory(name="重庆市铜梁区人民政府办公室")
    StaffUserFactory(username="editor", role=EDITOR, agencies=[agency])
    past = timezone.localdate() - timedelta(days=30)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/disclosure/document/add/")
        page.fill("#id_title", "关于做好防汛工作的通知")
        page.fill("#id_published_at_0", past.isoformat())
        page.fill("#id_published_at_1", "09:00:00")
        page.click("input[name=_save]")
        page.wait_for_load_state()
        errors = page.inner_text(".field-published_at .errorlist")
        help_text = page.inner_text(".field-backdate_reason")
        page.close()
    assert f"发布日期 {past.isoformat()} 09:00:00 早于当前时间" in errors
    assert "立即发布请留空，定时发布请填写将来的时间" in errors
    assert "补录原因" in help_text
    assert not Document.objects.exists()
