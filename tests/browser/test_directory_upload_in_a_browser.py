"""The standard-directory upload in the admin, in a real browser (Debian's chromium)."""

import csv

import pytest
from django.contrib.auth.models import Group
from openpyxl import Workbook

from catalog.models import CatalogNode
from portal.models import AuditEvent
from portal.roles import CATALOGUER, sync_roles
from tests.browser.helpers import chromium, skip_without_chromium
from tests.factories import StaffUserFactory

skip_without_chromium()

HEADER = ["序号", "一级事项", "二级事项", "公开内容", "公开时限", "公开渠道和载体", "公开对象"]
CHECKLIST = "■政府网站 □政府公报 ■入户/现场 □精准推送"


def workbook(path, *rows):
    wb = Workbook()
    for row in [HEADER, *rows]:
        wb.active.append(row)
    wb.save(path)
    return str(path)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_cataloguer_uploads_previews_and_applies_a_directory(live_server, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    sync_roles()
    user = StaffUserFactory(username="mulu")
    user.groups.add(Group.objects.get(name=CATALOGUER))
    root = CatalogNode.objects.create(name="政务公开")
    area = CatalogNode.objects.create(name="社会救助", parent=root)
    group = CatalogNode.objects.create(name="最低生活保障", parent=area)
    CatalogNode.objects.create(name="低保审批", parent=group, content="审批结果")
    good = [
        ["1", "最低生活保障", "低保审批", "审批结果及金额", "20个工作日", CHECKLIST, "全社会"],
        ["2", "最低生活保障", "低保退出", "退出名单", "实时公开", "同上", "全社会"],
        [
            "3",
            "临时救助",
            "救助审批",
            "审批结果",
            "信息形成(变更)20个工作日内",
            "政府网站",
            "特定群体",
        ],
    ]
    bad = workbook(
        tmp_path / "有误的目录.xlsx", *good, ["4", "临时救助", "", "x", "", "", "所有人"]
    )
    fixed = workbook(tmp_path / "目录.xlsx", *good)

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/admin/login/?next=/admin/catalog/catalognode/")
        page.fill("#id_username", "mulu")
        page.fill("#id_password", "correct-horse-battery")
        page.click("input[type=submit]")
        page.click("text=从文件导入标准目录")

        def upload(path):
            page.set_input_files("#id_file", path)
            page.select_option("#id_target", label="　社会救助")
            page.click("input[value=上传并预览]")

        upload(bad)
        errors = page.inner_text("#import-errors")
        assert "第5行" in errors and "缺少二级事项" in errors
        assert "公开对象“所有人”不是可选值" in errors
        assert page.locator("input[value=确认导入]").count() == 0

        page.click("a:text-is('重新上传')")
        upload(fixed)
        created = page.inner_text("#import-created")
        assert "第3行" in created and "最低生活保障 / 低保退出" in created
        assert "临时救助 / 救助审批" in created
        updated = page.inner_text("#import-updated")
        assert "第2行" in updated and "审批结果及金额" in updated
        assert "新增 3 个栏目，修改 1 个" in page.inner_text("#import-summary")

        page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
        page.click("input[value=确认导入]")
        assert "已导入“目录.xlsx”：新建 3 个栏目，更新 1 个" in page.inner_text(".messagelist")
        page.close()

    leaving = CatalogNode.objects.get(name="低保退出")
    assert leaving.parent.name == "最低生活保障"
    assert leaving.channels == ["政府网站", "入户/现场"]
    assert CatalogNode.objects.get(name="救助审批").time_limit_days == 20
    assert CatalogNode.objects.get(name="低保审批").content == "审批结果及金额"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT_CATALOG).count() == 1


# The national template saved as CSV: 公开事项 over 一级/二级事项 in a second header row, the other
# headings merged down both rows (blank in the second), a title row above and an extra column.
TWO_ROW_CSV = [
    ["某县社会救助领域基层政务公开标准目录"],
    ["序号", "公开事项", "", "公开内容（要素）", "公开依据", "公开时限", "公开主体"]
    + ["公开渠道和载体", "公开对象", "", "公开方式", "", "公开层级", "", "五公开"],
    ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群众", "主动", "依申请"]
    + ["县级", "乡级", ""],
    ["1", "临时救助", "救助审批", "审批结果和金额", "《社会救助暂行办法》", "20个工作日内"]
    + ["县民政局", "■政府网站 ■公开查阅点", "√", "", "√", "", "√", "", "■文本"],
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_two_row_header_csv_is_previewed_column_by_column_and_applied(
    live_server, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    sync_roles()
    user = StaffUserFactory(username="mulu")
    user.groups.add(Group.objects.get(name=CATALOGUER))
    CatalogNode.objects.create(name="社会救助", parent=CatalogNode.objects.create(name="政务公开"))
    path = tmp_path / "两行表头.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        csv.writer(out).writerows(TWO_ROW_CSV)

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/admin/login/?next=/admin/catalog/catalognode/import/")
        page.fill("#id_username", "mulu")
        page.fill("#id_password", "correct-horse-battery")
        page.click("input[type=submit]")
        page.set_input_files("#id_file", str(path))
        page.select_option("#id_target", label="　社会救助")
        page.click("input[value=上传并预览]")

        columns = page.inner_text("#import-columns")
        for heading, target in [
            ("公开事项 / 二级事项", "第2级栏目（名称）"),
            ("公开依据", "公开依据"),
            ("公开主体", "公开主体"),
            ("公开对象 / 全社会", "公开对象：勾选即为“全社会”"),
        ]:
            assert heading in columns and target in columns
        assert "五公开" in page.inner_text("#import-ignored")
        assert "O列“五公开”有内容" in page.inner_text("#import-warnings")
        sample = page.inner_text("#import-sample")
        for value in ["临时救助 / 救助审批", "审批结果和金额", "《社会救助暂行办法》", "县民政局"]:
            assert value in sample
        assert "公开查阅点" in sample
        page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
        page.click("input[value=确认导入]")
        assert "新建 2 个栏目" in page.inner_text(".messagelist")
        page.close()

    item = CatalogNode.objects.get(name="救助审批")
    assert item.parent.name == "临时救助"
    assert (item.content, item.basis, item.subject) == (
        "审批结果和金额",
        "《社会救助暂行办法》",
        "县民政局",
    )
    assert (item.time_limit_text, item.time_limit_days) == ("20个工作日内", 20)
    assert item.channels == ["政府网站", "公开查阅点"]
    assert (item.audience, item.mode, item.level_county) == ("public", "active", True)
