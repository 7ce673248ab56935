"""A directory import never loses a field in silence, and a hostile file cannot make it large:
what the preview names before anything is saved, and the bounds of cells, levels and errors."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from catalog import import_uploads, importer
from catalog.directory_layout import MAX_LEVELS
from catalog.importer import ERRORS_SHOWN, MAX_CELL_CHARS, read_directory
from catalog.models import CatalogNode
from catalog.text import joined
from portal.models import AuditEvent
from portal.roles import CATALOGUER
from tests.catalog.test_import_admin import APPLY, UPLOAD, staff

pytestmark = pytest.mark.django_db
UNDER = "政务公开/基层政务公开标准目录/社会救助"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def area():
    return CatalogNode.objects.create(
        name="社会救助", parent=CatalogNode.objects.create(name="政务公开")
    )


@pytest.fixture
def cataloguer(client):
    user = staff(CATALOGUER)
    client.force_login(user)
    return user


# The national template saved as CSV: 公开事项 over 一级/二级事项, the rest merged down.
TWO_ROW_HEADER = [
    ["序号", "公开事项", "", "公开内容（要素）", "公开依据", "公开时限", "公开主体"]
    + ["公开渠道和载体", "公开对象", "", "公开方式", "", "公开层级", "", "备注"],
    ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群众", "主动", "依申请"]
    + ["县级", "乡级", ""],
]


def data_row(seq, first, second, basis="《社会救助暂行办法》", channels="■政府网站 ■公开查阅点"):
    return [seq, first, second, "审批结果", basis, "20个工作日内", "县民政局", channels]


def csv_upload(rows, name="目录.csv"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8-sig"))


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        csv.writer(out).writerows(rows)
    return str(path)


def run(path):
    call_command("import_catalog", path, under=UNDER, create=True)


# --- never silent ---------------------------------------------------------------------------


def test_the_preview_names_every_column_and_shows_every_field_of_a_sample(client, cataloguer, area):
    rows = TWO_ROW_HEADER + [
        data_row("1", "最低生活保障", "低保审批") + ["√", "", "√", "", "√", "", "内部备注"],
        data_row("2", "", "低保退出") + ["", "√", "", "√", "", "√", ""],
    ]
    response = client.post(UPLOAD, {"file": csv_upload(rows), "target": area.pk})
    page = response.content.decode()
    reading = response.context["reading"]
    recognised = {c.heading: c.target for c in reading.layout.recognised}
    assert recognised["公开事项 / 二级事项"] == "第2级栏目（名称）"
    assert recognised["公开依据"] == "公开依据"
    assert recognised["公开层级 / 乡级"] == "公开层级：勾选即为“乡级”"
    assert [c.heading for c in reading.layout.ignored] == ["备注"]
    assert "O列“备注”有内容，但不是标准目录的栏目，不会导入。" in page
    sample = page[page.index('id="import-sample"') :]
    for shown in ["最低生活保障 / 低保退出", "《社会救助暂行办法》", "县民政局", "公开查阅点"]:
        assert shown in sample
    assert "特定群众" in sample and "依申请" in sample
    assert response.context["ticket"] is not None


def test_a_recognised_column_empty_in_every_row_is_warned_of(client, cataloguer, area):
    rows = TWO_ROW_HEADER + [
        data_row("1", "最低生活保障", "低保审批", basis="") + ["√", "", "√", "", "√", "", ""],
    ]
    response = client.post(UPLOAD, {"file": csv_upload(rows), "target": area.pk})
    assert "E列“公开依据”（公开依据）在所有行中都是空的。" in response.context["reading"].warnings
    assert "E列“公开依据”（公开依据）在所有行中都是空的。" in response.content.decode()


@pytest.mark.parametrize(
    "column, value, message",
    [
        (7, "、；", "“公开渠道和载体”栏的“、;”无法读取"),
        (8, "√", "公开对象栏中的“√”只有勾选标记，没有写明是哪一项"),
    ],
    ids=["channels-of-separators-only", "a-bare-tick-in-a-value-column"],
)
def test_a_mapped_value_the_import_cannot_store_stops_it_with_nothing_saved(
    tmp_path, column, value, message
):
    header = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体"]
    header += ["公开渠道和载体", "公开对象"]
    good = data_row("1", "最低生活保障", "低保审批") + ["全社会"]
    bad = data_row("2", "最低生活保障", "低保退出") + ["全社会"]
    bad[column] = value
    with pytest.raises(CommandError, match=f"第3行：{message}") as refused:
        run(write_csv(tmp_path / "d.csv", [header, good, bad]))
    assert "均未保存" in str(refused.value)
    assert not CatalogNode.objects.filter(name="低保审批").exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT_CATALOG).exists()


def test_the_admin_offers_no_import_while_a_mapped_value_would_be_dropped(client, cataloguer, area):
    rows = TWO_ROW_HEADER + [
        data_row("1", "最低生活保障", "低保审批", channels="；") + ["√", "", "√", "", "√", "", ""],
    ]
    response = client.post(UPLOAD, {"file": csv_upload(rows), "target": area.pk})
    assert response.context["ticket"] is None
    assert "“公开渠道和载体”栏的“;”无法读取" in response.content.decode()


def test_the_command_names_the_columns_it_reads_and_those_it_does_not(tmp_path, capsys):
    rows = TWO_ROW_HEADER + [
        data_row("1", "最低生活保障", "低保审批") + ["√", "", "√", "", "√", "", "内部备注"],
    ]
    run(write_csv(tmp_path / "d.csv", rows))
    out = capsys.readouterr().out
    assert "D列“公开内容(要素)” → 公开内容（要素）" in out
    assert "O列“备注”不导入：不是标准目录的栏目" in out
    assert CatalogNode.objects.get(name="低保审批").basis == "《社会救助暂行办法》"


def test_apply_refuses_a_stored_file_that_is_not_the_one_previewed(client, cataloguer, area):
    rows = TWO_ROW_HEADER + [
        data_row("1", "最低生活保障", "低保退出") + ["√", "", "√", "", "√", "", ""],
    ]
    response = client.post(UPLOAD, {"file": csv_upload(rows), "target": area.pk})
    ticket = import_uploads.read_ticket(response.context["ticket"])
    stored = import_uploads.stored_path(ticket["upload"])
    stored.write_bytes(stored.read_bytes().replace("低保退出".encode(), "低保停发".encode()))

    response = client.post(APPLY, {"ticket": response.context["ticket"]}, follow=True)
    assert "预览已过期或无效" in response.content.decode()
    assert not CatalogNode.objects.filter(name__in=["低保退出", "低保停发"]).exists()


def test_apply_writes_the_plan_the_preview_showed(client, cataloguer, area):
    rows = TWO_ROW_HEADER + [
        data_row("1", "最低生活保障", "低保审批") + ["√", "", "√", "", "√", "", ""],
        data_row("2", "临时救助", "救助审批") + ["", "√", "", "√", "", "√", ""],
    ]
    response = client.post(UPLOAD, {"file": csv_upload(rows), "target": area.pk})
    plan = response.context["plan"]
    client.post(APPLY, {"ticket": response.context["ticket"]})

    for entry in plan.created:
        node = CatalogNode.objects.get(
            name=entry.names[-1], parent__name=(entry.names[:-1] or ["社会救助"])[-1]
        )
        assert {name: getattr(node, name) for name in entry.values} == entry.values
    for entry in plan.updated:
        node = CatalogNode.objects.get(pk=entry.node.pk)
        assert {name: getattr(node, name) for name in entry.values} == entry.values
    assert CatalogNode.objects.get(name="救助审批").level_township


# --- headings and levels -------------------------------------------------------------------


@pytest.mark.parametrize(
    "broken, whole",
    [("办事 指南", "办事指南"), ("综合\n业务", "综合业务"), ("公开　主体", "公开主体")],
)
def test_names_broken_by_wraps_or_spaces_are_joined(broken, whole):
    assert joined(broken) == whole


def test_headings_and_names_with_full_width_spaces_and_wraps_are_read(tmp_path):
    rows = [
        ["序　号", "一级\n事项", "二级　事项", "公开\n内容", "公开　主体", "公开渠道\n和载体"],
        ["1", "综合\n业务", "办事 指南", "办事指南全文", "县　政务服务中心", "政府网站"],
    ]
    run(write_csv(tmp_path / "d.csv", rows))
    item = CatalogNode.objects.get(name="办事指南")
    assert item.parent.name == "综合业务"
    assert (item.content, item.subject, item.channels) == (
        "办事指南全文",
        "县政务服务中心",
        ["政府网站"],
    )


def test_four_levels_of_items_become_four_levels_of_columns(tmp_path):
    header = ["序号", "一级事项", "二级事项", "三级事项", "四级事项", "公开内容"]
    rows = [
        header,
        ["1", "财政", "预算", "部门预算", "一般公共预算", "预算表"],
        ["2", "", "", "", "政府性基金预算", "基金表"],
        ["3", "", "决算", "部门决算", "", "决算表"],
    ]
    run(write_csv(tmp_path / "d.csv", rows))
    leaf = CatalogNode.objects.get(name="政府性基金预算")
    assert [n.name for n in leaf.get_ancestors()][-4:] == ["社会救助", "财政", "预算", "部门预算"]
    assert CatalogNode.objects.get(name="部门决算").content == "决算表"
    assert CatalogNode.objects.get(name="部门决算").parent.name == "决算"


# --- bounds ------------------------------------------------------------------------------


def test_a_directory_deeper_than_the_level_limit_is_refused_naming_it(tmp_path):
    levels = ["一二三四五六七八九十"[n] + "级事项" for n in range(MAX_LEVELS + 1)]
    rows = [
        ["序号", *levels, "公开内容"],
        ["1", *[f"事项{n}" for n in range(10)][: MAX_LEVELS + 1], "x"],
    ]
    with pytest.raises(
        CommandError, match=f"文件有 {MAX_LEVELS + 1} 级事项，超过上限 {MAX_LEVELS} 级"
    ):
        run(write_csv(tmp_path / "d.csv", rows))
    assert not CatalogNode.objects.exists()


def test_a_directory_at_the_level_limit_is_imported(tmp_path):
    levels = ["一二三四五六七八"[n] + "级事项" for n in range(MAX_LEVELS)]
    rows = [["序号", *levels, "公开内容"], ["1", *[f"第{n}层" for n in range(MAX_LEVELS)], "x"]]
    run(write_csv(tmp_path / "d.csv", rows))
    assert CatalogNode.objects.get(name=f"第{MAX_LEVELS - 1}层").content == "x"


def test_a_cell_over_the_length_limit_is_refused_naming_the_limit(tmp_path):
    header = ["一级事项", "二级事项", "公开依据"]
    rows = [
        header,
        ["低保", "低保审批", "依" * MAX_CELL_CHARS],
        ["低保", "低保退出", "依" * (MAX_CELL_CHARS + 1)],
    ]
    with pytest.raises(CommandError, match=f"第3行：有单元格超过 {MAX_CELL_CHARS} 个字符"):
        run(write_csv(tmp_path / "d.csv", rows))
    assert MAX_CELL_CHARS == 2000
    assert not CatalogNode.objects.exists()


def bad_rows(count):
    header = ["序号", "一级事项", "二级事项", "公开对象"]
    return [header] + [[str(n), "低保", f"事项{n}", "所有人"] for n in range(count)]


def test_the_command_names_the_first_errors_and_counts_the_rest(tmp_path):
    with pytest.raises(CommandError) as refused:
        run(write_csv(tmp_path / "d.csv", bad_rows(3000)))
    message = str(refused.value)
    assert message.count("不是可选值") == ERRORS_SHOWN
    assert f"另有 {3000 - ERRORS_SHOWN} 处错误未列出" in message


def test_the_preview_of_thousands_of_bad_rows_stays_small(client, cataloguer, area):
    response = client.post(UPLOAD, {"file": csv_upload(bad_rows(3000)), "target": area.pk})
    page = response.content.decode()
    assert page.count("不是可选值") == ERRORS_SHOWN
    assert f"另有 {3000 - ERRORS_SHOWN} 处错误未列出" in page
    assert "有问题的行 <strong>3000</strong> 处" in page
    assert len(page) < 100_000


def test_the_error_list_clips_at_fifty():
    shown, more = importer.clipped([(n, "x") for n in range(120)])
    assert (len(shown), more) == (ERRORS_SHOWN, 70)


def test_an_xlsx_header_of_merged_cells_reads_like_its_csv(tmp_path):
    workbook = Workbook()
    for row in TWO_ROW_HEADER + [
        data_row("1", "低保", "低保审批") + ["√", "", "√", "", "", "√", ""]
    ]:
        workbook.active.append(row)
    for cells in ["B1:C1", "I1:J1", "K1:L1", "M1:N1", "A1:A2", "D1:D2", "E1:E2", "F1:F2"]:
        workbook.active.merge_cells(cells)
    for cells in ["G1:G2", "H1:H2", "O1:O2"]:
        workbook.active.merge_cells(cells)
    workbook.save(tmp_path / "d.xlsx")
    from_xlsx = read_directory(importer.read_table(tmp_path / "d.xlsx"))
    rows = TWO_ROW_HEADER + [data_row("1", "低保", "低保审批") + ["√", "", "√", "", "", "√", ""]]
    from_csv = read_directory(importer.read_table(write_csv(tmp_path / "d.csv", rows)))
    assert from_xlsx.items == from_csv.items
    assert [c.heading for c in from_xlsx.layout.headings] == [
        c.heading for c in from_csv.layout.headings
    ]


def test_a_hostile_header_and_long_cells_keep_the_preview_small(client, cataloguer, area):
    # 96 extra headings of 2,000 characters, and 1,500 rows with 2,000 characters where an
    # option is expected: every heading and cell the page quotes is cut short.
    header = ["序号", "一级事项", "二级事项", "公开对象"] + [
        "x" * 1999 + str(n % 10) for n in range(96)
    ]
    rows = [header] + [[str(n), "低保", f"事项{n}", "y" * MAX_CELL_CHARS] for n in range(1500)]
    response = client.post(UPLOAD, {"file": csv_upload(rows), "target": area.pk})
    page = response.content.decode()
    assert len(response.context["reading"].layout.ignored) == 96
    assert page.count("不是可选值") == ERRORS_SHOWN
    assert "“" + "y" * 39 + "…”不是可选值" in page
    assert "y" * 41 not in page and "x" * 81 not in page
    assert len(page) < 150_000


def test_a_row_numbering_the_columns_under_the_header_is_passed_over(tmp_path):
    header = ["序号", "一级事项", "二级事项", "公开内容", "公开对象"]
    rows = [
        header,
        ["1", "2", "3", "4", "5"],
        ["1", "最低生活保障", "低保审批", "审批结果", "全社会"],
    ]
    reading = read_directory(importer.read_table(write_csv(tmp_path / "d.csv", rows)))
    assert [item.path for item in reading.items] == ["最低生活保障 / 低保审批"]
    assert reading.warnings == ["第2行是列的编号，已略过：“1”。"]
