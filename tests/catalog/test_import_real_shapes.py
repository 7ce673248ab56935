"""Standard directories in the shapes counties and towns really publish them.

Each file is made here with openpyxl, in the shape of a published 标准目录."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from catalog import actions as catalog_actions
from catalog.models import CatalogNode
from catalog.text import working_days_in
from portal.models import AuditEvent

UNDER = "政务公开/基层政务公开标准目录/社会救助"

FULL_CHECKLIST = (
    "■政府网站 □政府公报 □两微一端 □发布会/听证会 □广播电视 □纸质媒体 ■公开查阅点 "
    "□政务服务中心 □便民服务站 ■入户/现场 ■社区/企事业单位/村公示栏(电子屏) □精准推送 □其他"
)


def xlsx(path, rows, merges=()):
    wb = Workbook()
    ws = wb.active
    ws.append(["某某县社会救助领域基层政务公开标准目录"])  # the title row above the table
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return str(path)


def run(path, **options):
    call_command("import_catalog", path, under=UNDER, create=True, **options)


def node(name):
    return CatalogNode.objects.get(name=name)


HEADER = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体"]
HEADER += ["公开渠道和载体", "公开对象", "公开方式", "公开层级"]


def row(seq, first, second, channels="政府网站", audience="全社会", levels="县级", **extra):
    values = [seq, first, second, "办理结果", "《社会救助暂行办法》", "20个工作日内", "民政局"]
    values += [channels, audience, "主动", levels]
    for index, value in extra.items():
        values[int(index.removeprefix("c"))] = value
    return values


@pytest.mark.django_db
def test_a_checklist_of_channels_keeps_only_the_chosen_ones_with_their_standard_names(tmp_path):
    rows = [
        HEADER,
        row("1", "最低生活保障", "低保审批", channels=FULL_CHECKLIST),
        row("2", "最低生活保障", "低保退出", channels="√政府网站 ☐政府公报 √精准推送 ☐其他"),
        row("3", "最低生活保障", "低保标准", channels="■政府网站 ■其他：村务公开栏"),
    ]
    run(xlsx(tmp_path / "d.xlsx", rows))

    assert node("低保审批").channels == [
        "政府网站",
        "公开查阅点",
        "入户/现场",
        "社区/企事业单位/村公示栏（电子屏）",
    ]
    assert node("低保退出").channels == ["政府网站", "精准推送"]
    assert node("低保标准").channels == ["政府网站", "村务公开栏"]


@pytest.mark.django_db
def test_a_plain_list_of_channels_keeps_standard_names_that_contain_a_slash(tmp_path):
    rows = [
        HEADER,
        row("1", "临时救助", "救助审批", channels="入户/现场、政府网站/公示栏"),
        row("2", "临时救助", "救助标准", channels="社区/企事业单位/村公示栏（电子屏） 两微一端"),
    ]
    run(xlsx(tmp_path / "d.xlsx", rows))
    assert node("救助审批").channels == ["入户/现场", "政府网站", "公示栏"]
    assert node("救助标准").channels == ["社区/企事业单位/村公示栏（电子屏）", "两微一端"]


@pytest.mark.django_db
def test_same_as_above_takes_the_value_of_the_row_above_in_any_column(tmp_path):
    rows = [
        HEADER,
        row("1", "特困人员救助供养", "供养审批", channels=FULL_CHECKLIST),
        row("2", "同上", "供养标准", "同上", "同上", c4="同上", c6="同上"),
        row("3", "同上", "供养终止", "同上", "同上", c4="《特困人员认定办法》"),
    ]
    run(xlsx(tmp_path / "d.xlsx", rows))

    second = node("供养标准")
    assert second.parent.name == "特困人员救助供养"
    assert second.basis == "《社会救助暂行办法》"
    assert second.subject == "民政局"
    assert second.channels == node("供养审批").channels
    assert node("供养终止").basis == "《特困人员认定办法》"
    assert not CatalogNode.objects.filter(name="同上").exists()


@pytest.mark.django_db
def test_same_as_above_on_the_first_row_is_reported_with_its_row(tmp_path):
    rows = [HEADER, row("1", "同上", "供养审批")]
    with pytest.raises(CommandError, match="第3行：“同上”：上面没有可以沿用的一行"):
        run(xlsx(tmp_path / "d.xlsx", rows))
    assert not CatalogNode.objects.filter(name="供养审批").exists()


@pytest.mark.django_db
def test_one_item_column_imports_one_level_of_columns(tmp_path):
    header = ["序号", "公开事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体"]
    header += ["公开渠道和载体", "公开对象", "公开方式", "公开层级"]
    body = ["办理结果", "《社会救助暂行办法》", "20工作日", "民政局", "政府网站", "全社会"]
    rows = [
        header,
        ["1", "低保审批", *body, "主动", "县级"],
        ["2", "临时救助审批", *body, "依申请", "乡级"],
    ]
    run(xlsx(tmp_path / "d.xlsx", rows))

    area = node("社会救助")
    assert [c.name for c in area.get_children()] == ["低保审批", "临时救助审批"]
    assert node("低保审批").time_limit_days == 20
    assert node("临时救助审批").mode == CatalogNode.Mode.ON_REQUEST


@pytest.mark.django_db
def test_a_merged_item_header_over_first_and_second_level_columns_keeps_two_levels(tmp_path):
    rows = [
        ["序号", "公开事项", "", "公开内容", "公开时限", "公开对象", "", "公开层级", ""],
        ["", "一级事项", "二级事项", "", "", "全社会", "特定群众", "县级", "乡级"],
        ["1", "最低生活保障", "低保审批", "审批结果", "20个工作日", "√", "", "√", "√"],
    ]
    merges = ["B2:C2", "F2:G2", "H2:I2", "A2:A3", "D2:D3", "E2:E3"]
    run(xlsx(tmp_path / "d.xlsx", rows, merges))
    assert node("低保审批").parent.name == "最低生活保障"
    assert node("低保审批").level_township


@pytest.mark.django_db
def test_an_empty_first_level_item_takes_the_one_its_number_group_names(tmp_path):
    # 序号 and 一级事项 merged over a group; the 一级事项 text sits in the group's second row.
    rows = [
        HEADER,
        row("1", "", "医疗救助审批"),
        row("1", "医疗救助", "医疗救助标准"),
        row("2", "", "受灾人员救助"),
    ]
    run(xlsx(tmp_path / "d.xlsx", rows))
    assert node("医疗救助审批").parent.name == "医疗救助"
    assert node("医疗救助标准").parent.name == "医疗救助"
    # 序号 2 names no 一级事项: it follows the one above, as a merged cell would.
    assert node("受灾人员救助").parent.name == "医疗救助"


@pytest.mark.django_db
def test_a_directory_whose_first_level_column_is_empty_imports_one_level(tmp_path):
    rows = [HEADER, row("1", "", "低保审批"), row("2", "", "低保退出")]
    run(xlsx(tmp_path / "d.xlsx", rows))
    assert [c.name for c in node("社会救助").get_children()] == ["低保审批", "低保退出"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "county, township",
    [("县级", "乡级"), ("县级", "乡、村级"), ("区级", "镇级"), ("县(区)级", "村级")],
)
def test_level_columns_named_after_the_place_are_mapped(tmp_path, county, township):
    rows = [
        ["序号", "一级事项", "二级事项", "公开对象", "", "公开层级", ""],
        ["", "", "", "全社会", "特定群体", county, township],
        ["1", "低保", "低保审批", "√", "", "√", ""],
        ["2", "低保", "低保退出", "", "√", "", "√"],
    ]
    run(xlsx(tmp_path / "d.xlsx", rows, ["D2:E2", "F2:G2"]))
    first, second = node("低保审批"), node("低保退出")
    assert (first.level_county, first.level_township) == (True, False)
    assert (second.level_county, second.level_township) == (False, True)
    assert second.audience == CatalogNode.Audience.SPECIFIC


@pytest.mark.django_db
def test_a_ticked_level_that_cannot_be_mapped_is_named_in_the_error(tmp_path):
    rows = [
        ["序号", "一级事项", "二级事项", "公开层级", "", ""],
        ["", "", "", "市级", "县级", "乡级"],
        ["1", "低保", "低保审批", "", "√", ""],
        ["2", "低保", "低保退出", "√", "", ""],
    ]
    with pytest.raises(CommandError, match="第5行：公开层级“市级”不是可选值，无法对应到县级、乡级"):
        run(xlsx(tmp_path / "d.xlsx", rows, ["D1:F1"]))
    assert not CatalogNode.objects.filter(name="低保审批").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "audience, levels",
    [("特定主体", "县级、乡级"), ("特定群体", "乡、村级"), ("■特定群众 □全社会", "■县级 ■乡级")],
)
def test_audience_and_levels_given_as_values_are_mapped(tmp_path, audience, levels):
    run(
        xlsx(
            tmp_path / "d.xlsx",
            [HEADER, row("1", "低保", "低保审批", audience=audience, levels=levels)],
        )
    )
    item = node("低保审批")
    assert item.audience == CatalogNode.Audience.SPECIFIC
    assert item.level_township


@pytest.mark.django_db
def test_a_level_value_that_cannot_be_mapped_is_named_in_the_error(tmp_path):
    rows = [HEADER, row("1", "低保", "低保审批", levels="市级")]
    with pytest.raises(CommandError, match="第3行：公开层级“市级”不是可选值"):
        run(xlsx(tmp_path / "d.xlsx", rows))


@pytest.mark.parametrize(
    "text, days",
    [
        ("20工作日", 20),
        ("信息形成(变更)20个工作日内", 20),
        ("信息形成（变更）20个工作日内", 20),
        ("自制作或获取该信息之日起20个工作日内公开", 20),
        ("自作出决定之日起七个工作日内", 7),
        ("实时公开", None),
        ("每年1月31日前公开上一年度情况", None),
    ],
)
def test_the_working_days_of_a_time_limit_are_read_wherever_the_text_gives_them(text, days):
    assert working_days_in(text) == days


@pytest.mark.django_db
def test_time_limits_keep_their_text_and_their_working_days(tmp_path):
    texts = ["20工作日", "信息形成(变更)20个工作日内", "实时公开", "每年1月31日前公开上一年度情况"]
    rows = [HEADER] + [row(str(i), "低保", f"事项{i}", c5=text) for i, text in enumerate(texts)]
    run(xlsx(tmp_path / "d.xlsx", rows))
    stored = [
        (node(f"事项{i}").time_limit_text, node(f"事项{i}").time_limit_days) for i in range(4)
    ]
    assert stored == [
        ("20工作日", 20),
        ("信息形成(变更)20个工作日内", 20),
        ("实时公开", None),
        ("每年1月31日前公开上一年度情况", None),
    ]


@pytest.mark.django_db
def test_a_path_that_does_not_exist_asks_for_create(tmp_path):
    path = xlsx(tmp_path / "d.xlsx", [HEADER, row("1", "低保", "低保审批")])
    with pytest.raises(CommandError, match="目标栏目“.*”不存在.*--create"):
        call_command("import_catalog", path, under=UNDER)
    assert not CatalogNode.objects.exists()

    call_command("import_catalog", path, under=UNDER, create=True)
    assert node("低保审批").parent.parent.name == "社会救助"
    call_command("import_catalog", path, under=UNDER)  # now the path exists


@pytest.mark.django_db
def test_an_import_writes_one_audit_event_with_its_counts(tmp_path):
    run(xlsx(tmp_path / "d.xlsx", [HEADER, row("1", "低保", "低保审批")]))
    event = AuditEvent.objects.get(action=catalog_actions.IMPORT_CATALOG)
    assert event.details["under"] == UNDER
    assert event.details["created"] == 2
    assert event.details["file"].endswith("d.xlsx")
