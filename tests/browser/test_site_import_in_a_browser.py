"""Migrating an old site's documents through the admin, in a real browser (Debian's chromium)."""

import pytest
from django.contrib.auth.models import Group

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from portal.roles import EDITOR, REVIEWER
from tests.browser.helpers import chromium, restore_migration_data, skip_without_chromium
from tests.disclosure.site_import.packages import PDF, package, row
from tests.factories import AgencyFactory, StaffUserFactory

skip_without_chromium()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_upload_a_site_map_an_unknown_topic_and_see_the_documents(
    live_server, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    restore_migration_data()
    agency = AgencyFactory(name="铜梁区人民政府", credit_code="115002240093343308")
    user = StaffUserFactory(username="qianyi")
    user.groups.add(*Group.objects.filter(name__in=[EDITOR, REVIEWER]))
    user.agencies.add(agency)
    root = CatalogNode.objects.create(name="政务公开")
    legal = CatalogNode.objects.create(name="法定主动公开内容", parent=root)
    other = CatalogNode.objects.create(name="其他法定主动公开内容", parent=legal)
    CatalogNode.objects.create(name="人大代表建议办理", parent=other)
    rows = [row(225, 主题分类="城建", 附件="说明.pdf"), row(226)]
    path = package(tmp_path / "旧网站.zip", rows, attachments={"说明.pdf": PDF})

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/admin/login/?next=/admin/disclosure/document/")
        page.fill("#id_username", "qianyi")
        page.fill("#id_password", "correct-horse-battery")
        page.click("input[type=submit]")
        page.click("text=迁移旧网站文件")
        page.set_input_files("#id_file", str(path))
        page.check("input[name=status][value=published]")
        page.click("input[value=上传并预览]")

        assert "未对应的值 1 个" in page.inner_text("#import-summary")
        assert page.locator("input[value=确认导入]").count() == 0
        page.select_option("#id_topic-0", label="\u3000城乡建设、环境保护 / 城乡建设")
        page.click("input[value=按所选对应项重新预览]")

        assert "新导入 2 份" in page.inner_text("#import-summary")
        assert "115002240093343308/2022-00225" in page.inner_text("#import-new")
        page.click("input[value=确认导入]")
        assert "新导入 2 份文件" in page.inner_text(".messagelist")
        listed = page.inner_text("#result_list")
        assert "关于区第十八届人民代表大会第一次会议第225号建议的复函" in listed
        page.close()

    # The database is read outside the browser's event loop.
    document = Document.objects.get(index_serial=225)
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}{document.get_absolute_url()}")
        shown = page.inner_text("body")
        assert "115002240093343308/2022-00225" in shown
        assert "城乡建设" in shown
        assert "2022-07-15" in shown
        assert "说明.pdf" in shown
        page.close()
