import csv
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from catalog.models import CatalogNode
from catalog.tree import check_catalog_tree
from tests.factories import AgencyFactory

UNDER = "政务公开/基层政务公开标准目录/城乡规划"
TICK_HEADER = [
    [
        "序号",
        "一级事项",
        "二级事项",
        "公开内容（要素）",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开渠道和载体",
        "公开对象",
        "",
        "公开方式",
        "",
        "公开层级",
        "",
    ],
    ["", "", "", "", "", "", "", "", "全社会", "特定群众", "主动", "依申请", "县级", "乡级"],
]
TICK_ROWS = [
    [
        "1",
        "规划管理",
        "城乡规划编制",
        "批准文件和图件",
        "《城乡规划法》",
        "自信息形成或者变更之日起20个工作日内",
        "区规划自然资源局",
        "政府网站、公开查阅点",
        "√",
        "",
        "√",
        "",
        "√",
        "",
    ],
    [
        "2",
        "",
        "乡村建设规划许可证核发",
        "审批结果",
        "《城乡规划法》",
        "实时公开",
        "区规划自然资源局、镇街",
        "政府网站/公示栏",
        "",
        "√",
        "",
        "√",
        "√",
        "√",
    ],
    [
        "3",
        "规划监督",
        "违法建设查处",
        "行政处罚决定",
        "《行政处罚法》",
        "每年3月底前",
        "区规划自然资源局",
        "政府网站",
        "√",
        "",
        "√",
        "",
        "√",
        "",
    ],
]


def write_csv(path, rows, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path, rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def refused(path, message):
    """Run the command on ``path``: it must stop with a CommandError carrying ``message``
    (a regular expression) and leave the catalogue untouched."""
    with pytest.raises(CommandError, match=message) as excinfo:
        call_command("import_catalog", str(path), under=UNDER, create=True)
    assert not CatalogNode.objects.exists()
    return str(excinfo.value)


def snapshot():
    return sorted(
        CatalogNode.objects.values_list(
            "pk",
            "name",
            "parent_id",
            "lft",
            "rght",
            "level",
            "content",
            "basis",
            "time_limit_text",
            "time_limit_days",
            "subject",
            "channels",
            "audience",
            "mode",
            "level_county",
            "level_township",
            "agency_id",
        )
    )


def node(name):
    return CatalogNode.objects.get(name=name)


@pytest.mark.django_db
def test_import_with_tick_columns_creates_two_levels_under_the_path(tmp_path):
    call_command(
        "import_catalog",
        write_csv(tmp_path / "d.csv", TICK_HEADER + TICK_ROWS),
        under=UNDER,
        create=True,
    )

    area = node("城乡规划")
    assert [a.name for a in area.get_ancestors()] == ["政务公开", "基层政务公开标准目录"]
    assert [c.name for c in area.get_children()] == ["规划管理", "规划监督"]
    assert [c.name for c in node("规划管理").get_children()] == [
        "城乡规划编制",
        "乡村建设规划许可证核发",
    ]

    first = node("城乡规划编制")
    assert first.time_limit_text == "自信息形成或者变更之日起20个工作日内"
    assert first.time_limit_days == 20
    assert first.channels == ["政府网站", "公开查阅点"]
    assert first.audience == CatalogNode.Audience.PUBLIC
    assert first.mode == CatalogNode.Mode.ACTIVE
    assert (first.level_county, first.level_township) == (True, False)

    second = node("乡村建设规划许可证核发")
    assert second.time_limit_text == "实时公开" and second.time_limit_days is None
    assert second.audience == CatalogNode.Audience.SPECIFIC
    assert second.mode == CatalogNode.Mode.ON_REQUEST
    assert (second.level_county, second.level_township) == (True, True)
    assert node("违法建设查处").time_limit_days is None
    assert check_catalog_tree() == []


@pytest.mark.django_db
def test_import_by_value_with_loose_headers_and_gb18030(tmp_path):
    rows = [
        [
            "序号",
            "一级事项",
            "二级事项",
            "公开内容",
            "公开依据",
            "公开时限",
            "公开主体",
            "公开渠道",
            "公开对象",
            "公开方式",
            "公开层级",
        ],
        [
            "1",
            "财政预决算",
            "部门预算",
            "预算公开表",
            "《预算法》",
            "批准后２０个工作日内",
            "各部门",
            "政府网站",
            "全社会",
            "主动公开",
            "县级、乡级",
        ],
    ]
    call_command(
        "import_catalog", write_csv(tmp_path / "d.csv", rows, "gb18030"), under=UNDER, create=True
    )
    item = node("部门预算")
    assert item.time_limit_days == 20  # full-width digits
    assert item.mode == CatalogNode.Mode.ACTIVE
    assert item.level_county and item.level_township


@pytest.mark.django_db
def test_import_xlsx_with_merged_cells(tmp_path):
    wb = Workbook()
    ws = wb.active
    for row in TICK_HEADER + TICK_ROWS:
        ws.append(row)
    ws.merge_cells("I1:J1")
    ws.merge_cells("B3:B4")  # 一级事项 merged over two rows
    ws.merge_cells("E3:E4")  # 公开依据 merged too
    path = tmp_path / "d.xlsx"
    wb.save(path)

    call_command("import_catalog", str(path), under=UNDER, create=True)
    assert node("乡村建设规划许可证核发").parent.name == "规划管理"
    assert node("乡村建设规划许可证核发").basis == "《城乡规划法》"


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tmp_path, capsys):
    path = write_csv(tmp_path / "d.csv", TICK_HEADER + TICK_ROWS)
    call_command("import_catalog", path, under=UNDER, create=True)
    before = snapshot()
    capsys.readouterr()

    call_command("import_catalog", path, under=UNDER, create=True)
    assert snapshot() == before
    assert "新建 0 个栏目，更新 0 个" in capsys.readouterr().out


@pytest.mark.django_db
def test_reimport_updates_changed_attributes_and_keeps_staff_order(tmp_path):
    path = write_csv(tmp_path / "d.csv", TICK_HEADER + TICK_ROWS)
    call_command("import_catalog", path, under=UNDER, create=True)
    # Staff move 规划监督 before 规划管理.
    CatalogNode.objects.move_node(node("规划监督"), node("规划管理"), "left")
    changed = [row[:] for row in TICK_ROWS] + [
        [
            "4",
            "规划监督",
            "规划核实",
            "核实结果",
            "",
            "实时公开",
            "",
            "政府网站",
            "√",
            "",
            "√",
            "",
            "√",
            "",
        ]
    ]
    changed[0][3] = "批准文件、图件及修改情况"
    call_command(
        "import_catalog",
        write_csv(tmp_path / "d2.csv", TICK_HEADER + changed),
        under=UNDER,
        create=True,
    )
    assert node("城乡规划编制").content == "批准文件、图件及修改情况"
    assert [c.name for c in node("城乡规划").get_children()] == ["规划监督", "规划管理"]
    assert [c.name for c in node("规划监督").get_children()] == ["违法建设查处", "规划核实"]
    assert check_catalog_tree() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad_row, message",
    [
        (
            ["4", "规划监督", "", "x", "", "", "", "", "√", "", "√", "", "√", ""],
            "第6行：缺少二级事项",
        ),
        (
            ["4", "规划监督", "规划核实", "x", "", "", "", "", "对", "", "√", "", "√", ""],
            "第6行：公开对象栏",
        ),
        (
            ["4", "规划监督", "规划核实", "x", "", "", "", "", "√", "√", "√", "", "√", ""],
            "第6行：公开对象只能选择一项",
        ),
    ],
)
def test_a_bad_row_is_reported_and_nothing_of_the_file_is_saved(tmp_path, bad_row, message):
    CatalogNode.objects.create(name="政务公开")
    before = snapshot()
    path = write_csv(tmp_path / "d.csv", TICK_HEADER + TICK_ROWS + [bad_row])
    with pytest.raises(CommandError) as excinfo:
        call_command("import_catalog", path, under=UNDER, create=True)
    assert message in str(excinfo.value)
    assert "均未保存" in str(excinfo.value)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_value_outside_the_options_is_reported_with_its_row(tmp_path):
    rows = [
        ["一级事项", "二级事项", "公开对象", "公开方式", "公开层级"],
        ["规划管理", "城乡规划编制", "全社会", "主动", "县级"],
        ["规划管理", "规划许可", "全社会", "被动", "县级"],
    ]
    with pytest.raises(CommandError, match="第3行：公开方式“被动”不是可选值"):
        call_command(
            "import_catalog", write_csv(tmp_path / "d.csv", rows), under=UNDER, create=True
        )
    assert not CatalogNode.objects.exists()


@pytest.mark.django_db
def test_a_row_without_any_first_level_item_above_it_is_imported_one_level(tmp_path):
    rows = [["一级事项", "二级事项"], ["", "城乡规划编制"], ["规划管理", "规划许可"]]
    call_command("import_catalog", write_csv(tmp_path / "d.csv", rows), under=UNDER, create=True)
    assert node("城乡规划编制").parent.name == "城乡规划"
    assert node("规划许可").parent.name == "规划管理"


@pytest.mark.django_db
def test_import_assigns_the_agency_given_by_credit_code(tmp_path):
    agency = AgencyFactory()
    call_command(
        "import_catalog",
        write_csv(tmp_path / "d.csv", TICK_HEADER + TICK_ROWS),
        under=UNDER,
        create=True,
        agency=agency.credit_code,
    )
    assert node("城乡规划编制").agency == agency
    with pytest.raises(CommandError, match="找不到统一社会信用代码"):
        call_command(
            "import_catalog",
            str(tmp_path / "d.csv"),
            under=UNDER,
            create=True,
            agency="115002240093343308",
        )


@pytest.mark.django_db
def test_unsupported_file_type_is_refused(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("一级事项,二级事项\n")
    with pytest.raises(CommandError, match="不支持的文件类型"):
        call_command("import_catalog", str(path), under=UNDER, create=True)


@pytest.mark.django_db
def test_import_of_two_thousand_items_keeps_the_tree_sound(big_tree):
    assert big_tree >= 2000
    assert check_catalog_tree() == []
    assert CatalogNode.objects.filter(level=4).count() == 2000


@pytest.mark.django_db
def test_import_xlsx_with_headers_merged_over_two_rows(tmp_path):
    wb = Workbook()
    ws = wb.active
    for row in TICK_HEADER + TICK_ROWS:
        ws.append(row)
    for col in "ABCDEFGH":  # 序号 … 公开渠道和载体 span both header rows
        ws.merge_cells(f"{col}1:{col}2")
    ws.merge_cells("I1:J1")
    ws.merge_cells("K1:L1")
    ws.merge_cells("M1:N1")
    path = tmp_path / "d.xlsx"
    wb.save(path)
    call_command("import_catalog", str(path), under=UNDER, create=True)
    assert not CatalogNode.objects.filter(name="二级事项").exists()
    assert node("城乡规划编制").audience == CatalogNode.Audience.PUBLIC
    assert CatalogNode.objects.filter(level=4).count() == 3


SIMPLE_HEADER = ["一级事项", "二级事项", "公开内容", "公开时限", "公开主体", "公开渠道"]
SIMPLE_ROW = [
    "规划管理",
    "城乡规划编制",
    "批准文件",
    "20个工作日内",
    "区规划自然资源局",
    "政府网站",
]


def simple_rows(**changes):
    """A header and two rows; ``changes`` (column name -> value) go into the second row."""
    row = list(SIMPLE_ROW)
    for name, value in changes.items():
        row[SIMPLE_HEADER.index(name)] = value
    row[1] = changes.get("二级事项", "规划许可")
    return [SIMPLE_HEADER, SIMPLE_ROW, row]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "column, character, label",
    [
        ("二级事项", "\x00", "二级事项"),
        ("一级事项", "\x00", "一级事项"),
        ("公开内容", "\x0b", "公开内容（要素）"),
        ("公开渠道", "\x1f", "公开渠道和载体"),
    ],
    ids=["nul-in-second", "nul-in-first", "vt-in-content", "us-in-channels"],
)
def test_a_control_character_in_a_csv_cell_is_reported_with_its_row(
    tmp_path, column, character, label
):
    rows = simple_rows(**{column: f"规划{character}许可"})
    message = refused(write_csv(tmp_path / "d.csv", rows), f"第3行：{label}含有不可见的控制字符")
    assert "均未保存" in message


@pytest.mark.django_db
def test_a_nul_byte_inside_an_xlsx_is_reported_as_an_unreadable_file(tmp_path):
    # Excel itself never writes a raw NUL (it escapes it as _x0000_), so the file is damaged
    # and the XML parser stops before any row is known.
    good = write_xlsx(tmp_path / "good.xlsx", simple_rows(二级事项="PLACEHOLDER"))
    path = tmp_path / "d.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item).replace(b"PLACEHOLDER", b"\x00"))
    refused(path, "无法读取 Excel 文件：文件已损坏，或含有 Excel 不允许的字符")


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "column, length, label",
    [("一级事项", 201, "一级事项"), ("二级事项", 201, "二级事项"), ("公开主体", 301, "公开主体")],
    ids=["first", "second", "subject"],
)
def test_a_value_longer_than_its_column_is_reported_with_its_row(
    tmp_path, suffix, column, length, label
):
    rows = simple_rows(**{column: "长" * length})
    write = write_csv if suffix == "csv" else write_xlsx
    refused(write(tmp_path / f"d.{suffix}", rows), f"第3行：{label}：.*{length - 1}.*{length}")


@pytest.mark.django_db
def test_a_value_as_long_as_its_column_is_imported(tmp_path):
    rows = simple_rows(二级事项="长" * 200, 公开主体="主" * 300)
    call_command("import_catalog", write_csv(tmp_path / "d.csv", rows), under=UNDER, create=True)
    assert node("长" * 200).subject == "主" * 300


@pytest.mark.django_db
def test_a_time_limit_beyond_the_range_of_its_column_is_reported_with_its_row(tmp_path):
    rows = simple_rows(公开时限="1" * 25 + "个工作日内")
    refused(write_csv(tmp_path / "d.csv", rows), "第3行：公开时限（工作日）：")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        "一级事项,二级事项\n规划管理,城乡规划编制\n".encode(),  # a CSV saved as .xlsx
        b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,  # an old .xls
    ],
    ids=["text", "pdf", "xls"],
)
def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path, content):
    path = tmp_path / "d.xlsx"
    path.write_bytes(content)
    refused(path, "无法读取 Excel 文件：文件不是 .xlsx 工作簿，可能是其他格式.*改了扩展名")


@pytest.mark.django_db
def test_a_zip_named_xlsx_that_holds_no_workbook_is_refused(tmp_path):
    path = tmp_path / "d.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    refused(path, "无法读取 Excel 文件")


@pytest.mark.django_db
@pytest.mark.parametrize("with_chart", [False, True], ids=["empty-chartsheet", "chart"])
def test_a_chartsheet_before_the_table_is_passed_over(tmp_path, with_chart):
    wb = Workbook()
    for row in simple_rows():
        wb.active.append(row)
    chartsheet = wb.create_chartsheet("图表", 0)
    if with_chart:
        chart = BarChart()
        chart.add_data(Reference(wb["Sheet"], min_col=1, min_row=1, max_row=3))
        chartsheet.add_chart(chart)
    path = tmp_path / "d.xlsx"
    wb.save(path)
    assert wb.sheetnames[0] == "图表"

    call_command("import_catalog", str(path), under=UNDER, create=True)
    assert [c.name for c in node("规划管理").get_children()] == ["城乡规划编制", "规划许可"]


@pytest.mark.django_db
def test_a_workbook_holding_only_a_chart_is_refused(tmp_path):
    wb = Workbook()
    wb.create_chartsheet("图表")
    wb.remove(wb["Sheet"])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    refused(path, "工作簿中只有图表，没有可以导入的工作表")


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_empty_file_is_refused(tmp_path, suffix):
    path = tmp_path / f"d.{suffix}"
    path.write_bytes(b"")
    refused(path, "文件是空的")


@pytest.mark.django_db
def test_a_csv_in_neither_utf8_nor_gb18030_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("一级事项,二级事项\n".encode() + b"\xff\xff\x80\x80\n")
    refused(path, "无法识别文件编码")


@pytest.mark.django_db
def test_a_csv_cell_beyond_the_csv_reader_limit_is_reported_with_its_row(tmp_path):
    rows = [SIMPLE_HEADER, SIMPLE_ROW, simple_rows(公开内容="长" * 200_000)[2]]
    refused(write_csv(tmp_path / "d.csv", rows), "第3行：CSV 格式有误")


@pytest.mark.django_db
def test_a_csv_with_carriage_return_line_endings_is_imported(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\r".join(",".join(row) for row in simple_rows()).encode() + b"\r")
    call_command("import_catalog", str(path), under=UNDER, create=True)
    assert node("规划许可").parent.name == "规划管理"


@pytest.mark.django_db
def test_a_folder_named_like_a_csv_is_refused(tmp_path):
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(CommandError, match="无法打开文件"):
        call_command("import_catalog", str(tmp_path / "d.csv"), under=UNDER, create=True)


@pytest.mark.postgres
def test_a_large_directory_import_leaves_the_planner_statistics_of_its_columns(db):
    """Without them the planner takes a subtree of the new columns for one column and lists a
    big column by reading every document below it."""
    from django.db import connection

    from tests.catalog.conftest import build_directory

    build_directory(30, 5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_catalognode'")
        (rows,) = cursor.fetchone()
    assert rows >= 150
