"""Past years' printed annual reports: the 2019 template for the reports of 2019 and 2020, the
one-page entry of every cell with one reason (audited once), sums that do not add up shown and
never refused, and publication through the two-person review."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.models import AnnualReport, Document, ReportOverride
from disclosure.reports import annual
from disclosure.reports.annual_files import write_docx, write_xlsx
from disclosure.reports.annual_services import (
    ReportError,
    enter_printed,
    make_final,
    set_override,
)
from disclosure.reports.models import Template, template_for_year
from disclosure.services import WorkflowError, publish, submit
from portal import roles
from portal.actors import SYSTEM
from portal.models import AuditEvent
from tests.disclosure.applications.staff import staff_with
from tests.disclosure.reports import printed_shapes as shapes
from tests.factories import AgencyFactory, StaffUserFactory, TopicFactory
from tests.office import HOSTILE, assert_plain_docx, assert_plain_xlsx, docx_text, xlsx_cells

pytestmark = pytest.mark.django_db

ENTRY = "/admin/disclosure/annualreport/printed/"
REASON = "据已印发的2019年度报告录入"


@pytest.fixture
def agency():
    TopicFactory(name="其他")
    CatalogNode.objects.get_or_create(name="政府信息公开年报", slug="gknb")
    return AgencyFactory(name="铜梁区往年报告局")


@pytest.fixture
def editor(agency):
    return staff_with(roles.EDITOR, agency)


def entered(values):
    """The shape's values as ``enter_printed`` takes them (amounts as Decimal)."""
    return {k: Decimal(v) if isinstance(v, str) else v for k, v in values.items()}


def post_data(values, **extra):
    data = {f"c-{key}": str(value) for key, value in values.items()}
    data.update({"reason": REASON, "overview": "", "problems": "", "other_matters": ""})
    data.update(extra)
    return data


def entry_url(agency, year):
    return f"{ENTRY}?agency={agency.pk}&year={year}"


def printed(agency, year, values, **kwargs):
    report, _found = enter_printed(SYSTEM, agency, year, entered(values), REASON, **kwargs)
    return report


# --- the template of a year ------------------------------------------------------------------


def test_the_2019_template_serves_the_reports_of_2020_and_before():
    assert template_for_year(2019) == template_for_year(2020) == Template.T2019
    assert template_for_year(2018) == Template.T2019
    assert template_for_year(2021) == template_for_year(2025) == Template.T2021


def test_the_2019_tables_have_the_template_rows_and_columns(agency):
    report = printed(agency, 2019, shapes.city_bureau_2019())
    two, three, four = [s.table for s in annual.report_sections(report) if s.table]
    text = [[cell.display for cell in row] for row in two.body]
    assert ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"] in text
    assert ["规范性文件", "12", "11", "47"] in text
    assert ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"] in text
    assert ["行政许可", "23", "-4", "1386"] in text
    assert ["其他对外管理服务事项", "61", "9", "5210"] in text
    assert ["行政事业性收费", "3", "-1"] in text
    assert [c.colspan for c in two.body[13]] == [1, 1, 2]  # 本年增/减 over the last two columns
    assert ["第二十条第（九）项"] in text
    assert ["政府集中采购", "14", "273.0615"] in text
    # Section 三: （六）其他处理 is one row; the 2021 template's reasons are not there.
    labels = [cell.text for row in three.body for cell in row if cell.header]
    assert "（六）其他处理" in labels
    assert not any("逾期不补正" in label for label in labels)
    assert three.body[2][0].rowspan == 20  # 2 + 8 + 3 + 5 + 1 results, and （七）总计
    assert [c.display for c in four.body[0]][:5] == ["3", "1", "0", "1", "5"]


def test_the_normal_add_form_sends_a_2020_report_to_the_entry(admin_client, agency):
    response = admin_client.post(
        "/admin/disclosure/annualreport/add/", {"agency": agency.pk, "year": 2020}
    )
    assert response.status_code == 200
    assert "录入已印发的往年报告" in str(response.context["adminform"].form.errors["year"])
    assert not AnnualReport.objects.exists()


# --- the one-page entry ----------------------------------------------------------------------


def test_a_2019_report_is_entered_on_one_page_with_one_reason_audited_once(client, editor, agency):
    client.force_login(editor)
    page = client.get(entry_url(agency, 2019))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'name="c-items.licences.change"' in html and 'name="c-apps.other_handling.person"' in html
    )
    assert 'name="c-apps.no_supplement.person"' not in html
    values = shapes.many_cells()
    assert sum(1 for v in values.values() if v not in (0, "0")) == 150
    response = client.post(entry_url(agency, 2019), post_data(values, printed_on="2020-01-20"))
    assert response.status_code == 302, response.content.decode()[:3000]
    report = AnnualReport.objects.get()
    assert report.is_printed and report.template == Template.T2019
    assert report.printed_reason == REASON and report.printed_on == date(2020, 1, 20)
    figures = annual.figures_for(report)
    for key, value in values.items():
        if not key.startswith("f."):
            assert figures.value(key) == value, key
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ANNUAL_REPORT)
    assert events.count() == 1
    event = events.get()
    assert event.details["step"] == "printed_entry" and event.details["reason"] == REASON
    assert len(event.details["cells"]) == 150
    assert event.actor == editor
    assert not ReportOverride.objects.exists()


def test_a_correction_is_one_more_event_naming_the_changed_cells(client, editor, agency):
    client.force_login(editor)
    values = shapes.city_bureau_2019()
    client.post(entry_url(agency, 2019), post_data(values))
    values["items.licences.decisions"] = 1368
    client.post(entry_url(agency, 2019), post_data(values, reason="更正录入错误：行政许可"))
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ANNUAL_REPORT).order_by("pk")
    assert events.count() == 2
    assert events.last().details["changed"] == ["items.licences.decisions"]
    assert AnnualReport.objects.get().printed_reason == "更正录入错误：行政许可"


def test_blank_and_dashed_cells_count_as_zero(client, editor, agency):
    client.force_login(editor)
    data = post_data(shapes.township_2019())
    data = {k: v for k, v in data.items() if v != "0"}  # the printed blanks stay blank
    data.update({"c-items.enforcements.decisions": "-", "c-items.fees.change": "／"})
    assert client.post(entry_url(agency, 2020), data).status_code == 302
    report = AnnualReport.objects.get()
    assert report.printed_numbers["apps.new.business"] == 0
    assert report.printed_numbers["items.enforcements.decisions"] == 0
    assert report.printed_numbers["items.fees.change"] == 0
    assert report.procurement_amount == Decimal("6.5")
    assert annual.problems(report) == []


def test_bad_cells_are_named_and_nothing_is_saved(client, editor, agency):
    client.force_login(editor)
    values = shapes.city_bureau_2019()
    data = post_data(values, **{"c-apps.new.person": "-3", "c-items.licences.previous": "二十三"})
    data["reason"] = "  "
    response = client.post(entry_url(agency, 2019), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "本页内容尚未保存" in html
    assert "一、本年新收 · 自然人" in html and "行政许可 · 上一年项目数量" in html
    assert html.count('class=" invalid"') == 2
    assert not AnnualReport.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ANNUAL_REPORT).exists()


def test_the_entry_page_keeps_to_its_query_budget(
    client, editor, agency, django_assert_max_num_queries
):
    printed(agency, 2019, shapes.city_bureau_2019())
    client.force_login(editor)
    with django_assert_max_num_queries(13):
        assert client.get(entry_url(agency, 2019)).status_code == 200


def test_only_past_years_and_only_printed_drafts_can_be_entered(client, editor, agency):
    client.force_login(editor)
    this_year = date.today().year
    page = client.get(entry_url(agency, this_year))
    assert page.context.get("form") is None
    assert page.context["choose"].errors["year"]
    with pytest.raises(ReportError, match="只能录入往年"):
        enter_printed(SYSTEM, agency, this_year, {}, REASON)
    AnnualReport.objects.create(agency=agency, year=2022)  # counted from the portal's data
    page = client.get(entry_url(agency, 2022))
    assert "已有按系统数据统计的报告" in page.content.decode()
    with pytest.raises(ReportError, match="已有按系统数据统计"):
        enter_printed(SYSTEM, agency, 2022, {}, REASON)


# --- sums that do not add up ------------------------------------------------------------------


def test_an_unbalanced_report_is_saved_with_a_warning_that_shows_where(client, editor, agency):
    values = shapes.city_bureau_2019()
    values["apps.carried.research"] = 2  # printed so: the 科研机构 column does not balance
    values["f.review_total"] = 6  # 四、行政复议 总计 printed one too many
    client.force_login(editor)
    response = client.post(entry_url(agency, 2019), post_data(values), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "不相加" in html
    assert "三、“科研机构”列不平衡" in html
    assert "“二、上年结转”行：总计 4 不等于各类申请人之和 6" in html
    assert "四、行政复议：总计 6 不等于" in html
    # The cells concerned are marked in the grid.
    assert 'class="warn" data-cell="apps.carried.research"' in html
    assert 'class="warn" data-cell="f.review_total"' in html
    assert 'class="" data-cell="apps.new.person"' in html
    report = AnnualReport.objects.get()
    assert report.printed_numbers["apps.carried.research"] == 2


def test_a_printed_total_is_kept_as_printed_and_named(agency):
    report = printed(agency, 2022, shapes.township_2021_misprinted())
    assert report.template == Template.T2021
    figures = annual.figures_for(report)
    assert figures.value("apps.new.total") == 0  # as printed, not the sum 1
    messages = annual.problems(report)
    assert "三、“一、本年新收”行：总计 0 不等于各类申请人之和 1。" in messages
    three = [s.table for s in annual.report_sections(report) if s.key == "three"][0]
    assert three.body[2][0].rowspan == 22  # the 2021 template's rows


def test_an_unbalanced_printed_report_is_made_final_and_published_by_two_people(agency):
    report = printed(agency, 2022, shapes.township_2021_misprinted(), printed_on=date(2023, 1, 28))
    reviewer = staff_with(roles.REVIEWER, agency)
    editor = staff_with(roles.EDITOR, agency)
    report = make_final(report, editor)
    assert report.is_final
    assert report.final_numbers["apps.new.total"] == 0
    final_event = AuditEvent.objects.filter(action=AuditEvent.Action.ANNUAL_REPORT).latest("pk")
    assert final_event.details["warnings"]
    document = report.document
    assert document.written_on == date(2023, 1, 28)
    submit(document, editor)
    with pytest.raises(WorkflowError, match="没有审核发布的权限"):
        publish(document, editor)
    assert AnnualReport.objects.published().count() == 0
    publish(document, reviewer)
    assert AnnualReport.objects.published().get() == report


# --- pages and files -------------------------------------------------------------------------


def test_anonymous_visitors_never_see_an_unpublished_past_report(client, agency):
    report = make_final(printed(agency, 2019, shapes.city_bureau_2019()), SYSTEM)
    url = report.get_absolute_url()
    assert client.get(url).status_code == 404
    for key in ("docx", "xlsx"):
        assert client.get(f"{url}file.{key}").status_code == 404
    assert report.title not in client.get(reverse("disclosure:annual-reports")).content.decode()
    assert client.get(report.document.get_absolute_url()).status_code == 404
    publish(report.document)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "本年新制作数量" in html and "采购总金额" in html and "273.0615" in html
    assert 'rowspan="20"' in html


@pytest.fixture
def published_2019(agency):
    report = printed(agency, 2019, shapes.city_bureau_2019())
    text = "\n\n".join(HOSTILE)
    AnnualReport.objects.filter(pk=report.pk).update(problems=text, other_matters=text)
    report = make_final(AnnualReport.objects.get(pk=report.pk), SYSTEM)
    publish(report.document)
    return report


def body(response):
    return b"".join(response.streaming_content)


def test_the_2019_xlsx_holds_text_as_strings_and_the_template_rows(client, published_2019):
    response = client.get(
        reverse("disclosure:annual-report-file", args=[published_2019.pk, "xlsx"])
    )
    assert response.status_code == 200
    data = body(response)
    assert_plain_xlsx(data)
    cells = xlsx_cells(data)
    strings = {value for value, kind in cells if kind == "s"}
    assert {"本年新制作数量", "其他对外管理服务事项", "政府集中采购", "（六）其他处理"} <= strings
    assert (-4, "n") in cells and (273.0615, "n") in cells


def test_the_2019_docx_holds_text_as_text_and_the_template_rows(client, published_2019):
    response = client.get(
        reverse("disclosure:annual-report-file", args=[published_2019.pk, "docx"])
    )
    assert response.status_code == 200
    data = body(response)
    assert_plain_docx(data, *HOSTILE)
    lines = docx_text(data).splitlines()
    assert "对外公开总数量" in lines and "采购总金额（单位：万元）" in lines
    assert "-4" in lines and "273.0615" in lines
    assert not any("逾期不补正" in line for line in lines)


def test_the_2019_docx_and_xlsx_lay_out_section_two_as_the_template(agency):
    from docx import Document as WordDocument
    from openpyxl import load_workbook

    report = printed(agency, 2020, shapes.township_2019())
    word, sheet = io.BytesIO(), io.BytesIO()
    write_docx(report, word)
    write_xlsx(report, sheet)
    two = WordDocument(io.BytesIO(word.getvalue())).tables[0]
    assert len(two.rows) == 18  # （一）（五）（六） 4 rows each, （八）（九） 3 each
    assert [c.text for c in two.rows[-1].cells] == ["政府集中采购", "2", "6.5", "6.5"]
    rows = [[c.value for c in row] for row in load_workbook(sheet).active.iter_rows()]
    assert ["政府集中采购", 2, 6.5, None] in [row[:4] for row in rows]


# --- who may enter ---------------------------------------------------------------------------


def test_only_the_report_roles_of_the_agency_may_enter(client, agency):
    values = post_data(shapes.township_2019())
    others = [
        staff_with(roles.AUDITOR),  # reads every report, changes none
        staff_with(roles.REQUESTS, agency),
        StaffUserFactory(),
    ]
    for user in others:
        client.force_login(user)
        assert client.get(entry_url(agency, 2020)).status_code == 403, user
        assert client.post(entry_url(agency, 2020), values).status_code == 403, user
    stranger = staff_with(roles.EDITOR, AgencyFactory())  # the role, another agency
    client.force_login(stranger)
    response = client.post(entry_url(agency, 2020), values)
    assert response.status_code == 200 and response.context["choose"].errors["agency"]
    with pytest.raises(ReportError, match="不属于您所在的机构"):
        enter_printed(stranger, agency, 2020, {}, REASON)
    assert not AnnualReport.objects.exists()
    for role in (roles.EDITOR, roles.REVIEWER):
        client.force_login(staff_with(role, agency))
        assert client.post(entry_url(agency, 2020), values).status_code == 302, role


def test_a_printed_report_changes_only_through_its_entry(admin_client, agency):
    report = printed(agency, 2019, shapes.city_bureau_2019())
    page = admin_client.get(f"/admin/disclosure/annualreport/{report.pk}/change/")
    html = page.content.decode()
    assert "修改录入内容" in html and "据已印发的报告录入的表格" in html
    assert not page.context["inline_admin_formsets"]
    assert "review_total" not in page.context["adminform"].form.fields
    with pytest.raises(ReportError, match="录入页"):
        set_override(report, SYSTEM, "apps.new.person", 1, "试")
    assert Document.objects.count() == 0
