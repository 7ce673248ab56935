"""栏目类型: each kind's update period, a column's own 更新周期 over it, the kinds the directory
import gives new columns by their names, and the column admin's kind, period and blank marker."""

import pytest
from django.urls import reverse

from catalog.forms import CatalogNodeAdminForm
from catalog.importer import DirectoryItem, import_directory
from catalog.models import CatalogNode, ColumnKind, kind_from_name
from tests.factories import published

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "days"),
    [
        (ColumnKind.NEWS, 14),
        (ColumnKind.NOTICE, 183),
        (ColumnKind.PLAN, 365),
        (ColumnKind.OTHER, None),
        (ColumnKind.PAGE, None),
    ],
)
def test_each_kind_has_the_inspections_update_period(kind, days):
    assert CatalogNode(name="栏目", kind=kind).effective_update_days == days


def test_a_columns_own_period_overrides_its_kinds():
    assert CatalogNode(kind=ColumnKind.NEWS, update_interval_days=7).effective_update_days == 7
    assert CatalogNode(kind=ColumnKind.OTHER, update_interval_days=30).effective_update_days == 30
    # A page is never judged for updates, whatever is entered.
    assert CatalogNode(kind=ColumnKind.PAGE, update_interval_days=30).effective_update_days is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("工作动态", ColumnKind.NEWS),
        ("今日要闻", ColumnKind.NEWS),
        ("新闻发布会", ColumnKind.NEWS),
        ("通知公告", ColumnKind.NOTICE),
        ("政策文件", ColumnKind.NOTICE),
        ("行政规范性文件", ColumnKind.NOTICE),
        ("人事信息", ColumnKind.PLAN),
        ("规划信息", ColumnKind.PLAN),
        ("年度工作计划", ColumnKind.PLAN),
        ("政策解读", ColumnKind.OTHER),
        ("财政预决算", ColumnKind.OTHER),
    ],
)
def test_a_kind_is_told_by_the_columns_name(name, kind):
    assert kind_from_name(name) == kind


def test_the_directory_import_gives_new_columns_their_kinds_and_keeps_staff_ones():
    kept = CatalogNode.objects.create(name="政务公开")
    items = [
        DirectoryItem(row_number=2, names=["城乡规划", "规划公示"]),
        DirectoryItem(row_number=3, names=["城乡规划", "工作动态"]),
        DirectoryItem(row_number=4, names=["城乡规划", "行政处罚"]),
    ]
    import_directory(items, "政务公开/标准目录")
    kinds = dict(CatalogNode.objects.values_list("name", "kind"))
    assert kinds["城乡规划"] == ColumnKind.PLAN
    assert kinds["规划公示"] == ColumnKind.PLAN
    assert kinds["工作动态"] == ColumnKind.NEWS
    assert kinds["行政处罚"] == ColumnKind.OTHER
    # A column staff made a news column keeps its kind when the file is imported again.
    CatalogNode.objects.filter(name="行政处罚").update(kind=ColumnKind.NEWS)
    import_directory(items, "政务公开/标准目录")
    assert CatalogNode.objects.get(name="行政处罚").kind == ColumnKind.NEWS
    assert CatalogNode.objects.get(pk=kept.pk).kind == ColumnKind.OTHER


def form_data(node, **changes):
    data = {
        "name": node.name,
        "slug": "",
        "parent": node.parent_id or "",
        "agency": "",
        "description": "",
        "is_visible": "on",
        "kind": node.kind,
        "shown_when_empty_reason": "",
        "audience": "",
        "mode": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not False}


def test_kept_shown_when_empty_without_a_reason_is_refused():
    root = CatalogNode.objects.create(name="政务公开")
    form = CatalogNodeAdminForm(
        data=form_data(root, shown_when_empty="on", shown_when_empty_reason="  "), instance=root
    )
    assert not form.is_valid()
    assert "须写明原因" in str(form.errors["shown_when_empty_reason"])
    root.refresh_from_db()
    assert root.shown_when_empty is False


def test_kept_shown_when_empty_with_a_reason_is_saved():
    root = CatalogNode.objects.create(name="政务公开")
    form = CatalogNodeAdminForm(
        data=form_data(root, shown_when_empty="on", shown_when_empty_reason="新设栏目，本月发布"),
        instance=root,
    )
    assert form.is_valid(), form.errors
    form.save()
    root.refresh_from_db()
    assert root.shown_when_empty and root.shown_when_empty_reason == "新设栏目，本月发布"


def test_the_column_list_shows_kind_period_and_marks_blank_columns(admin_client):
    root = CatalogNode.objects.create(name="政务公开")
    news = CatalogNode.objects.create(name="工作动态", parent=root, kind=ColumnKind.NEWS)
    CatalogNode.objects.create(name="空的通知", parent=root, kind=ColumnKind.NOTICE)
    published(node=news)
    html = admin_client.get(reverse("admin:catalog_catalognode_changelist")).content.decode()
    assert "动态要闻" in html and "14 天（按类型）" in html
    assert "183 天（按类型）" in html
    assert html.count("空栏目（不公开显示）") == 1
    filtered = admin_client.get(
        reverse("admin:catalog_catalognode_changelist"), {"kind__exact": "notice"}
    ).content.decode()
    assert "空的通知" in filtered and "工作动态" not in filtered
