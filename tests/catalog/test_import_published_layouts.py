"""Directories in the layouts districts, counties and towns publish them, each as a CSV (merged
cells blank below and to the right, as Excel saves them) and as an XLSX with its merged cells.

The layouts are those of published 标准目录 (a town's full national template, a sub-district's
with spaced-out headings, a county's 县级/乡、村级 columns, …); the text in them is made up here.
"""

import csv
from dataclasses import dataclass, field

import pytest
from openpyxl import Workbook

from catalog.importer import import_directory, read_directory, read_table
from catalog.models import CatalogNode

UNDER = "政务公开/基层政务公开标准目录/示例领域"
PUBLIC, SPECIFIC = CatalogNode.Audience.PUBLIC, CatalogNode.Audience.SPECIFIC
ACTIVE, ON_REQUEST = CatalogNode.Mode.ACTIVE, CatalogNode.Mode.ON_REQUEST
WEB, BOARD = "政府网站", "社区/企事业单位/村公示栏（电子屏）"


@dataclass
class Shape:
    rows: list
    merges: list = field(default_factory=list)  # XLSX ranges; the CSV leaves them blank
    expected: dict = field(default_factory=dict)  # path -> {field: value}
    ignored: list = field(default_factory=list)  # headings the preview names as not imported


def expect(**values):
    return values


# A town's national template: 公开事项 over 一级/二级事项, the option headings over their ticks,
# every other heading merged down both rows, a title row above.
TOWN = Shape(
    rows=[
        ["某镇政府文件领域基层政务公开标准目录", *[""] * 13],
        ["序号", "公开事项", "", "公开内容（要素）", "公开依据", "公开时限", "公开主体"]
        + ["公开渠道和载体", "公开对象", "", "公开方式", "", "公开层级", ""],
        ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群众"]
        + ["主动", "依申请公开", "镇级", "村级"],
        ["1", "镇情概况", "镇情简介", "区划、人口和产业概况", "《政府信息公开条例》"]
        + ["信息形成或变更之日起20个工作日内", "镇人民政府", "■政府网站 ■公开查阅点"]
        + ["√", "", "√", "", "√", ""],
        ["2", "镇情概况", "工作报告", "镇政府工作报告全文", "《政府信息公开条例》"]
        + ["信息形成或变更之日起3个工作日内", "镇人民政府", "■政府网站"]
        + ["√", "", "", "√", "√", "√"],
    ],
    merges=["A1:N1", "B2:C2", "I2:J2", "K2:L2", "M2:N2"] + [f"{c}2:{c}3" for c in "ADEFGH"],
    expected={
        ("镇情概况", "镇情简介"): expect(
            content="区划、人口和产业概况",
            basis="《政府信息公开条例》",
            time_limit_text="信息形成或变更之日起20个工作日内",
            time_limit_days=20,
            subject="镇人民政府",
            channels=[WEB, "公开查阅点"],
            audience=PUBLIC,
            mode=ACTIVE,
            level_county=False,
            level_township=True,
        ),
        ("镇情概况", "工作报告"): expect(
            time_limit_days=3, mode=ON_REQUEST, level_township=True, channels=[WEB]
        ),
    },
)

# A sub-district's tables, copied from a document: headings and names spaced out where a line
# wrapped ("公开主 体", "一级事 项", "征收土 地信息"); 公开层级 has only its 乡级 column.
SUB_DISTRICT = Shape(
    rows=[
        ["序 号", "公开事项", "", "公开内容(要素)", "公开依据", "公开时限", "公开主 体"]
        + ["公开渠道和载体", "公开对象", "", "公开方式", "", "公开层级"],
        ["", "一级事 项", "二级事 项", "", "", "", "", "", "全社 会", "特定 群众", "主 动"]
        + ["依申请公开", "乡级"],
        ["1", "征收土 地信息", "征地 公告", "征地告知书和补偿安置方案", "《土地管理法》"]
        + ["信息形成20个工 作日内公开", "某街道 办事处", "■政府网站", "√", "", "√", "", "√"],
    ],
    merges=["B1:C1", "I1:J1", "K1:L1"] + [f"{c}1:{c}2" for c in "ADEFGH"],
    expected={
        ("征收土地信息", "征地公告"): expect(
            content="征地告知书和补偿安置方案",
            time_limit_text="信息形成20个工作日内公开",
            time_limit_days=20,
            subject="某街道办事处",
            audience=PUBLIC,
            mode=ACTIVE,
            level_township=True,
        )
    },
)

# A town's single 公开事项 column merged down; 公开层级 over one 乡级 column; a title row.
ONE_ITEM_COLUMN = Shape(
    rows=[
        ["涉农资金领域基层政务公开标准目录", *[""] * 12],
        ["序号", "公开事项", "公开内容 (要素)", "公开依据", "公开时限", "公开主体"]
        + ["公开渠道和载体", "公开对象", "", "公开方式", "", "公开层级", ""],
        ["", "", "", "", "", "", "", "全社会", "特定群体", "主动", "依申请", "乡级", ""],
        ["1", "政策文件", "上级和本镇下发的涉农资金文件", "《政府信息公开条例》"]
        + ["信息形成或者变更之日起20个工作日内", "镇人民政府", "■政府网站 □政府公报"]
        + ["√", "", "√", "", "√", ""],
        ["2", "资金明细", "涉农资金的分配明细", "《政府信息公开条例》"]
        + ["信息形成或者变更之日起20个工作日内", "镇人民政府", "■公开查阅点"]
        + ["", "√", "√", "", "√", ""],
    ],
    merges=["A1:M1", "H2:I2", "J2:K2", "L2:M2"] + [f"{c}2:{c}3" for c in "ABCDEFG"],
    expected={
        ("政策文件",): expect(
            content="上级和本镇下发的涉农资金文件",
            channels=[WEB],
            audience=PUBLIC,
            mode=ACTIVE,
            level_township=True,
            level_county=False,
        ),
        ("资金明细",): expect(audience=SPECIFIC, channels=["公开查阅点"]),
    },
)

# A district's template with no 公开层级, "同上" for a time limit, channels outside the list.
NO_LEVEL_COLUMNS = Shape(
    rows=[
        ["序号", "公开事项", "", "公开内容(要素)", "公开依据", "公开时限", "公开主体"]
        + ["公开渠道和载体", "公开对象", "", "公开方式", ""],
        ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群众", "主动"]
        + ["依申请公开"],
        ["1", "批准服务信息", "办事指南", "申报材料、流程和时限", "《政府信息公开条例》"]
        + ["实时公开", "相关审批部门", "■政府网站 ■投资项目在线审批监管平台"]
        + ["√", "", "√", ""],
        ["2", "招标投标信息", "招标公告", "招标公告和中标结果", "《招标投标法》", "同上"]
        + ["招标人", "■政府网站 ■公共资源交易平台", "√", "", "√", ""],
    ],
    merges=["B1:C1", "I1:J1", "K1:L1"] + [f"{c}1:{c}2" for c in "ADEFGH"],
    expected={
        ("批准服务信息", "办事指南"): expect(
            time_limit_text="实时公开",
            time_limit_days=None,
            channels=[WEB, "投资项目在线审批监管平台"],
        ),
        ("招标投标信息", "招标公告"): expect(
            time_limit_text="实时公开", channels=[WEB, "公共资源交易平台"], subject="招标人"
        ),
    },
)

# A county's template: 乡、村级; the 一级事项 merged down its group (blank below); notes
# merged across the table after it.
COUNTY = Shape(
    rows=[
        ["序号", "公开事项", "", "公开内容(要素)", "公开依据", "公开时限", "公开主体"]
        + ["公开渠道和载体", "公开对象", "", "公开方式", "", "公开层级", ""],
        ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群体", "主动"]
        + ["依申请", "县级", "乡、村级"],
        ["1", "住房保障", "租赁补贴资格确认", "确认结果", "《住房保障指导意见》", "20工作日"]
        + ["县住房和城乡建设局", "■政府网站 ■社区/企事业单位/村公示栏（电子屏）"]
        + ["√", "", "√", "", "√", "√"],
        ["2", "", "承租资格确认", "确认结果", "《公共租赁住房管理办法》", "20工作日"]
        + ["县住房和城乡建设局", "■政府网站", "√", "", "√", "", "√", ""],
        ["标准目录要素说明：1.公开事项为事项的名称和分类。", *[""] * 13],
    ],
    merges=["B1:C1", "I1:J1", "K1:L1", "M1:N1", "B3:B4", "A5:N5"]
    + [f"{c}1:{c}2" for c in "ADEFGH"],
    expected={
        ("住房保障", "租赁补贴资格确认"): expect(
            channels=[WEB, BOARD], level_county=True, level_township=True, time_limit_days=20
        ),
        ("住房保障", "承租资格确认"): expect(
            basis="《公共租赁住房管理办法》", level_county=True, level_township=False
        ),
    },
)

# A city's template with an extra 五公开 column (not a catalogue field) beside it; 序号 and
# 一级事项 merged over a group.
EXTRA_COLUMN = Shape(
    rows=[
        ["序号", "公开事项", "", "公开内容(要素)", "公开依据", "公开时限", "公开主体"]
        + ["公开渠道和载体", "公开对象", "", "公开方式", "", "公开层级", "", "五公开"],
        ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群众", "主动"]
        + ["依申请公开", "县级", "乡级", ""],
        ["1", "法治宣传教育", "普法资讯", "普法动态和讲师团信息", "普法规划"]
        + ["自制作或获取之日起20个工作日内公开", "县司法局", "■政府网站 ■两微一端"]
        + ["√", "", "√", "", "√", "", "■文本 □决策"],
        ["", "", "法治文化服务", "辖区法治文化阵地", "同上"]
        + ["自制作或获取之日起20个工作日内公开", "县司法局", "同上"]
        + ["√", "", "√", "", "√", "√", "■文本"],
    ],
    merges=["B1:C1", "I1:J1", "K1:L1", "M1:N1", "A3:A4", "B3:B4"]
    + [f"{c}1:{c}2" for c in "ADEFGHO"],
    expected={
        ("法治宣传教育", "普法资讯"): expect(channels=[WEB, "两微一端"], level_township=False),
        ("法治宣传教育", "法治文化服务"): expect(
            basis="普法规划", channels=[WEB, "两微一端"], level_township=True
        ),
    },
    ignored=["五公开"],
)

# A district's 区级/镇街级 columns and one 公开要求 column in place of 依据 and 时限.
REQUIREMENTS = Shape(
    rows=[
        ["序号", "公开事项", "", "公开内容(要素)", "公开要求", "公开主体", "公开渠道和载体"]
        + ["公开对象", "", "公开方式", "", "公开层级", ""],
        ["", "一级事项", "二级事项", "", "", "", "", "全社会", "特定群众", "主动"]
        + ["依申请公开", "区级", "镇街级"],
        ["1", "项目库", "项目库建设", "审定后的项目库", "信息形成(变更)20个工作日内"]
        + ["区农业农村委", "政府网站、公开查阅点", "√", "", "√", "", "√", ""],
    ],
    merges=["B1:C1", "H1:I1", "J1:K1", "L1:M1"] + [f"{c}1:{c}2" for c in "ADEFG"],
    expected={
        ("项目库", "项目库建设"): expect(
            subject="区农业农村委", channels=[WEB, "公开查阅点"], level_county=True
        )
    },
    ignored=["公开要求"],
)

# A township's 公开对象 over 全社会/特定主体, no 公开方式 or 层级; 序号 once per group.
TOWNSHIP = Shape(
    rows=[
        ["序号", "公开事项", "", "公开内容 (要素)", "公开依据", "公开时限", "公开主体"]
        + ["公开 渠道和载体", "公开对象", ""],
        ["", "一级事项", "二级 事项", "", "", "", "", "", "全社会", "特定 主体"],
        ["1", "组织机构", "机构概况", "机构职能简介", "《政府信息公开条例》"]
        + ["信息形成(变更)20个工作日内", "某乡人民政府", "☐县政府门户网站", "√", ""],
        ["", "", "领导信息", "领导分工", "《政府信息公开条例》"]
        + ["信息形成(变更)20个工作日内", "某乡人民政府", "■政府网站", "", "√"],
    ],
    merges=["B1:C1", "I1:J1", "A3:A4", "B3:B4"] + [f"{c}1:{c}2" for c in "ADEFGH"],
    expected={
        ("组织机构", "机构概况"): expect(channels=[], audience=PUBLIC, mode=""),
        ("组织机构", "领导信息"): expect(channels=[WEB], audience=SPECIFIC),
    },
)

# A town's 主动公开基本目录: "政府信息公开类别及事项" over 一级 | 二级; 责任单位 for the subject.
CATEGORIES = Shape(
    rows=[
        ["序号", "政府信息公开类别及事项", "", "公开内容", "责任单位"],
        ["", "一级", "二级", "", ""],
        ["1", "机构介绍", "机构设置", "部门职能和办公地址", "党政综合办公室"],
        ["2", "", "领导分工", "领导简介和分工", "党政综合办公室"],
    ],
    merges=["B1:C1", "A1:A2", "D1:D2", "E1:E2", "B3:B4"],
    expected={
        ("机构介绍", "机构设置"): expect(content="部门职能和办公地址", subject="党政综合办公室"),
        ("机构介绍", "领导分工"): expect(content="领导简介和分工"),
    },
)

# A county's list with 公开范围 (全社会) in place of 公开对象.
SCOPE = Shape(
    rows=[
        ["序号", "公开事项", "", "公开内容", "公开依据", "公开范围"],
        ["", "一级事项", "二级 事项", "", "", ""],
        ["1", "政策 文件", "规章和规范性文件", "本级的规范性文件", "《政府信息公开条例》第二十条"]
        + ["全社会"],
    ],
    merges=["B1:C1", "A1:A2", "D1:D2", "E1:E2", "F1:F2"],
    expected={("政策文件", "规章和规范性文件"): expect(audience=PUBLIC)},
)

# A banner's table as its site shows it: headings and long cells broken over lines, 公开方式
# over one 主动 column, 公开层级 over 县级 | 乡级.
WRAPPED = Shape(
    rows=[
        ["卫生健康领域基层政务公开标准目录(试行)", *[""] * 11],
        ["序号", "一级事项", "二级\n事项", "公开内容\n(要素)", "公开依据", "公开\n时限"]
        + ["公开\n主体", "公开渠道和载体", "公开\n对象", "公开\n方式", "公开\n层级", ""],
        ["", "", "", "", "", "", "", "", "", "主动", "县级", "乡级"],
        ["1", "计划生育", "独生子女父母\n奖励", "法律法规和政策文件", "《人口与计划生育法》"]
        + ["自信息形\n成或者变\n更之日起\n20个工作\n日内予以\n公开", "街道\n办事处"]
        + ["■政府网站\n□两微一端", "全社会", "√", "", "√"],
    ],
    merges=["A1:L1", "K2:L2"] + [f"{c}2:{c}3" for c in "ABCDEFGHI"],
    expected={
        ("计划生育", "独生子女父母奖励"): expect(
            time_limit_text="自信息形成或者变更之日起20个工作日内予以公开",
            time_limit_days=20,
            subject="街道办事处",
            channels=[WEB],
            audience=PUBLIC,
            mode=ACTIVE,
            level_county=False,
            level_township=True,
        )
    },
)

# Three levels of 事项 under one 公开事项 heading; a row ends at its second level.
THREE_LEVELS = Shape(
    rows=[
        ["序号", "公开事项", "", "", "公开内容", "公开时限", "公开方式", ""],
        ["", "一级事项", "二级事项", "三级事项", "", "", "主动", "依申请"],
        ["1", "财政信息", "预算决算", "部门预算", "预算报告和表格", "批复后20个工作日内", "√", ""],
        ["2", "", "", "部门决算", "决算报告和表格", "批复后20个工作日内", "√", ""],
        ["3", "", "专项资金", "", "资金分配结果", "实时公开", "", "√"],
    ],
    merges=["B1:D1", "G1:H1", "A1:A2", "E1:E2", "F1:F2", "B3:B5", "C3:C4"],
    expected={
        ("财政信息", "预算决算", "部门预算"): expect(mode=ACTIVE, time_limit_days=20),
        ("财政信息", "预算决算", "部门决算"): expect(content="决算报告和表格"),
        ("财政信息", "专项资金"): expect(mode=ON_REQUEST, time_limit_days=None),
    },
)

# A county's 主动公开基本目录 in its own words: 目录类别 | 目录名称, 公布方式 for the channels, and a
# 内容规范 column (requirements for the web page, not a catalogue field).
BASIC_LIST = Shape(
    rows=[
        ["目录类别", "目录名称", "公开内容", "内容规范", "公开主体", "公开时限", "公布方式"]
        + ["公开对象"],
        ["政策文件", "规范性文件", "规范性文件正式文本", "文号、成文日期和有效性齐全"]
        + ["党政办", "自形成或变更之日起20个工作日", "政府网站", "全社会"],
        ["", "政策解读", "文件的图文和音视频解读", "与文件相互关联", "党政办"]
        + ["自形成或变更之日起20个工作日", "政府网站", "全社会"],
    ],
    merges=["A2:A3"],
    expected={
        ("政策文件", "规范性文件"): expect(
            content="规范性文件正式文本",
            subject="党政办",
            time_limit_days=20,
            channels=[WEB],
            audience=PUBLIC,
        ),
        ("政策文件", "政策解读"): expect(content="文件的图文和音视频解读", channels=[WEB]),
    },
    ignored=["内容规范"],
)

SHAPES = {
    "town-national-template": TOWN,
    "sub-district-spaced-headings": SUB_DISTRICT,
    "one-item-column": ONE_ITEM_COLUMN,
    "no-level-columns": NO_LEVEL_COLUMNS,
    "county-village-levels-and-notes": COUNTY,
    "extra-five-publics-column": EXTRA_COLUMN,
    "requirements-column": REQUIREMENTS,
    "township-audience-only": TOWNSHIP,
    "categories-and-units": CATEGORIES,
    "scope-column": SCOPE,
    "wrapped-headings": WRAPPED,
    "three-levels": THREE_LEVELS,
    "basic-list-categories": BASIC_LIST,
}


def write(kind, path, shape):
    """``shape`` as a .csv (merged cells blank) or an .xlsx (merged cells merged)."""
    path = path.with_suffix(f".{kind}")
    if kind == "csv":
        with open(path, "w", newline="", encoding="utf-8-sig") as out:
            csv.writer(out).writerows(shape.rows)
        return path
    workbook = Workbook()
    for row in shape.rows:
        workbook.active.append(row)
    for cells in shape.merges:
        workbook.active.merge_cells(cells)
    workbook.save(path)
    return path


def node_at(names):
    parent = CatalogNode.objects.get(name=UNDER.split("/")[-1])
    for name in names:
        parent = CatalogNode.objects.get(parent=parent, name=name)
    return parent


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_a_published_layout_imports_every_field_it_holds(tmp_path, kind, shape):
    reading = read_directory(read_table(write(kind, tmp_path / "目录", shape)))
    assert reading.errors == []
    assert [c.heading for c in reading.layout.ignored] == shape.ignored
    import_directory(reading.items, UNDER)

    assert len(reading.items) == len(shape.expected)
    for names, values in shape.expected.items():
        stored = node_at(names)
        assert {name: getattr(stored, name) for name in values} == values, names


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_five_merged_down_fields_of_the_national_template_are_stored(tmp_path, kind):
    # Before the header rows were combined, the lower row was taken as the header and these
    # five were read as nothing, yet the import said it had succeeded.
    reading = read_directory(read_table(write(kind, tmp_path / "目录", TOWN)))
    import_directory(reading.items, UNDER)
    stored = node_at(["镇情概况", "镇情简介"])
    assert (stored.content, stored.basis, stored.subject) == (
        "区划、人口和产业概况",
        "《政府信息公开条例》",
        "镇人民政府",
    )
    assert stored.time_limit_text == "信息形成或变更之日起20个工作日内"
    assert stored.channels == [WEB, "公开查阅点"]
    mapped = {c.heading: c.target for c in reading.layout.recognised}
    assert mapped["公开事项 / 一级事项"] == "第1级栏目（名称）"
    assert mapped["公开对象 / 特定群众"] == "公开对象：勾选即为“特定群众”"


@pytest.mark.django_db
def test_the_notes_row_after_the_table_is_passed_over_and_named(tmp_path):
    reading = read_directory(read_table(write("xlsx", tmp_path / "目录", COUNTY)))
    assert reading.errors == []
    assert any(w.startswith("第5行是说明，已略过：“标准目录要素说明") for w in reading.warnings)


@pytest.mark.django_db
def test_an_ignored_column_holding_values_is_named_with_its_letter(tmp_path):
    reading = read_directory(read_table(write("csv", tmp_path / "目录", REQUIREMENTS)))
    assert "E列“公开要求”有内容，但不是标准目录的栏目，不会导入。" in reading.warnings


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_second_table_below_the_first_is_read_without_its_title_and_header(tmp_path, kind):
    # A page of several 领域 tables saved as one sheet: each has its title and its header.
    second = [
        ["(二)公共资源交易领域基层政务公开标准目录", *[""] * 12],
        *SUB_DISTRICT.rows[:2],
        ["1", "政府采 购信息", "采购公告", "采购公告和结果", "《政府采购法》", "实时公开"]
        + ["某街道办事处", "■政府网站", "√", "", "√", "", "√"],
    ]
    shape = Shape(rows=SUB_DISTRICT.rows + second)
    reading = read_directory(read_table(write(kind, tmp_path / "目录", shape)))
    assert reading.errors == []
    assert [item.path for item in reading.items] == [
        "征收土地信息 / 征地公告",
        "政府采购信息 / 采购公告",
    ]
    assert reading.warnings[:3] == [
        "第4行是标题，已略过：“(二)公共资源交易领域基层政务公开标准目录”。",
        "第5行是重复的表头，已略过：“序号”。",
        "第6行是重复的表头，已略过：“一级事项”。",
    ]
