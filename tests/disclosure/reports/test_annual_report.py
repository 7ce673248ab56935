"""The annual report of 2025, counted from a year of documents and applications and checked
against a hand count; balance refused by column; made final, reproducible, published."""

import io
from datetime import date

import pytest
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.applications.models import Application
from disclosure.documents.models import Document, Genre
from disclosure.documents.services import publish, submit
from disclosure.reports import actions as report_actions
from disclosure.reports import annual
from disclosure.reports.annual_services import ReportError, make_final, reopen, set_override
from disclosure.reports.models import AnnualReport, ReportOverride
from portal.actors import SYSTEM
from tests.factories import (
    AgencyFactory,
    AnnualReportFactory,
    ApplicationFactory,
    CatalogNodeFactory,
    DocumentFactory,
    TopicFactory,
    publish_on,
)

pytestmark = pytest.mark.django_db

A = Application
AT, R, RS = A.ApplicantType, A.Result, A.Reason


def local(y, m, d):
    return timezone.make_aware(timezone.datetime(y, m, d, 10))


def doc(agency, genre, written, *, validity=None, changed=None, draft=False, node):
    document = DocumentFactory(agency=agency, genre=genre, written_on=written, node=node)
    if not draft:
        publish_on(document, local(written.year, written.month, written.day))
    if validity:
        document.refresh_from_db()
        document.validity = validity
        document.validity_changed_on = changed
        document.save()
    return document


def app(agency, kind, received, closed=None, result="", reason=""):
    return ApplicationFactory(
        agency=agency,
        applicant_type=kind,
        received_on=received,
        closed_on=closed,
        status=A.Status.CLOSED if closed else A.Status.IN_PROGRESS,
        result=result,
        reason=reason,
    )


@pytest.fixture
def year_of_data():
    """Agency ``a``'s documents and applications around 2025; agency ``b``'s must not count."""
    a, b = AgencyFactory(), AgencyFactory()
    node = CatalogNodeFactory()
    rules = Genre.objects.get(name="规章")
    normative = Genre.objects.get(name="行政规范性文件")
    V = Document.Validity
    # 规章: issued R2, R4; repealed R3; valid at 31 Dec R1, R2, R4.
    doc(a, rules, date(2024, 5, 1), node=node)  # R1
    doc(a, rules, date(2025, 3, 1), node=node)  # R2
    doc(a, rules, date(2024, 2, 1), validity=V.REPEALED, changed=date(2025, 6, 30), node=node)
    doc(a, rules, date(2025, 4, 1), validity=V.REPEALED, changed=date(2026, 1, 15), node=node)
    doc(a, rules, date(2026, 1, 10), node=node)  # written after the year
    doc(a, rules, date(2025, 8, 1), draft=True, node=node)  # never published
    # 行政规范性文件: issued N2, N3; repealed N4; valid N2.
    doc(a, normative, date(2023, 12, 31), validity=V.EXPIRED, changed=date(2024, 12, 31), node=node)
    doc(a, normative, date(2025, 12, 31), node=node)  # N2
    doc(a, normative, date(2025, 1, 1), validity=V.AMENDED, changed=date(2025, 9, 1), node=node)
    doc(a, normative, date(2024, 7, 1), validity=V.REPEALED, changed=date(2025, 1, 1), node=node)
    doc(b, normative, date(2025, 5, 1), node=node)  # another agency

    # Carried over from 2024.
    app(a, AT.PERSON, date(2024, 12, 20), date(2025, 1, 10), R.DISCLOSED)
    app(a, AT.BUSINESS, date(2024, 11, 1))  # still open
    app(a, AT.PERSON, date(2024, 6, 1), date(2024, 7, 1), R.DISCLOSED)  # closed before
    app(a, AT.LEGAL, date(2024, 12, 30), date(2026, 1, 5), R.WITHHELD, RS.STATE_SECRET)
    # Received in 2025.
    y = date(2025, 3, 1)
    c = date(2025, 4, 1)
    app(a, AT.PERSON, y, c, R.DISCLOSED)
    app(a, AT.PERSON, y, c, R.DISCLOSED)
    app(a, AT.PERSON, y, c, R.PARTIAL)
    app(a, AT.PERSON, y, c, R.WITHHELD, RS.THIRD_PARTY)
    app(a, AT.PERSON, y, c, R.UNAVAILABLE, RS.NOT_HELD)
    app(a, AT.PERSON, y, c, R.NOT_PROCESSED, RS.REPEATED)
    app(a, AT.PERSON, y, c, R.OTHER, RS.NO_SUPPLEMENT)
    app(a, AT.PERSON, date(2025, 12, 20))  # open at the end of the year
    app(a, AT.PERSON, date(2025, 12, 29), date(2026, 1, 3), R.DISCLOSED)
    app(a, AT.BUSINESS, y, c, R.WITHHELD, RS.PROCESS)
    app(a, AT.BUSINESS, y, c, R.OTHER, RS.UNPAID)
    app(a, AT.RESEARCH, y, c, R.UNAVAILABLE, RS.NEEDS_MAKING)
    app(a, AT.NONPROFIT, y, c, R.NOT_PROCESSED, RS.PETITION)
    app(a, AT.LEGAL, y, c, R.PARTIAL)
    app(a, AT.OTHER, y, c, R.OTHER, RS.OTHER)
    app(a, AT.OTHER, date(2025, 11, 1))  # open
    app(a, AT.PERSON, None)  # not yet confirmed as received
    app(a, AT.PERSON, date(2026, 1, 2))  # next year
    app(b, AT.PERSON, y, c, R.DISCLOSED)  # another agency
    return a


# The hand count, column by column.
EXPECTED_DOCS = {
    "rules": {"issued": 2, "repealed": 1, "valid": 3},
    "normative": {"issued": 2, "repealed": 1, "valid": 1},
}
COLS = ["person", "business", "research", "nonprofit", "legal", "other", "total"]
EXPECTED_APPS = {
    "new": [9, 2, 1, 1, 1, 2, 16],
    "carried": [1, 1, 0, 0, 1, 0, 3],
    "disclosed": [3, 0, 0, 0, 0, 0, 3],
    "partial": [1, 0, 0, 0, 1, 0, 2],
    "third_party": [1, 0, 0, 0, 0, 0, 1],
    "process": [0, 1, 0, 0, 0, 0, 1],
    "not_held": [1, 0, 0, 0, 0, 0, 1],
    "needs_making": [0, 0, 1, 0, 0, 0, 1],
    "repeated": [1, 0, 0, 0, 0, 0, 1],
    "petition": [0, 0, 0, 1, 0, 0, 1],
    "no_supplement": [1, 0, 0, 0, 0, 0, 1],
    "unpaid": [0, 1, 0, 0, 0, 0, 1],
    "other": [0, 0, 0, 0, 0, 1, 1],
    "total": [8, 2, 1, 1, 1, 1, 14],
    "forward": [2, 1, 0, 0, 1, 1, 5],
}


def report_for(agency, **fields):
    return AnnualReportFactory(agency=agency, **fields)


def test_section_two_documents_match_the_hand_count(year_of_data):
    figures = annual.figures_for(report_for(year_of_data))
    for row, columns in EXPECTED_DOCS.items():
        for col, expected in columns.items():
            assert figures.value(f"docs.{row}.{col}") == expected, (row, col)


def test_section_three_matches_the_hand_count_in_every_cell(year_of_data):
    figures = annual.figures_for(report_for(year_of_data))
    for row, expected in EXPECTED_APPS.items():
        got = [figures.value(f"apps.{row}.{col}") for col in COLS]
        assert got == expected, row
    every_other_row = set(annual.APP_ROWS) - set(EXPECTED_APPS)
    for row in every_other_row:
        assert all(figures.value(f"apps.{row}.{col}") == 0 for col in COLS), row
    assert figures.balance_errors() == []


def test_each_number_links_to_the_rows_it_counts(year_of_data):
    figures = annual.figures_for(report_for(year_of_data))
    for key in annual.CELL_KEYS:
        listed = set()
        for source in figures.sources[key]:
            listed |= set(source.queryset().values_list("pk", flat=True))
        assert len(listed) == figures.value(key), key
    issued = figures.sources["docs.rules.issued"][0]
    assert issued.url.startswith("/admin/disclosure/document/?")
    assert "written_on__gte=2025-01-01" in issued.url


def test_document_source_links_open_the_filtered_changelist(admin_client, year_of_data):
    figures = annual.figures_for(report_for(year_of_data))
    response = admin_client.get(figures.sources["docs.rules.valid"][0].url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2  # R1, R2 (R4 changed after the year)


def test_application_source_links_open_the_list_of_the_rows_they_count(admin_client, year_of_data):
    figures = annual.figures_for(report_for(year_of_data))
    sources = [
        s for key in annual.CELL_KEYS for s in figures.sources[key] if s.model == "application"
    ]
    assert sources
    for source in sources:
        response = admin_client.get(source.url)
        assert response.status_code == 200, source.url
        listed = {row.pk for row in response.context["cl"].queryset}
        assert listed == set(source.queryset().values_list("pk", flat=True)), source.url


def test_an_override_needs_a_reason_and_an_unbalanced_column_is_named(year_of_data):
    report = report_for(year_of_data)
    with pytest.raises(ReportError, match="理由"):
        set_override(report, SYSTEM, "apps.new.research", 2, "  ")
    set_override(report, SYSTEM, "apps.new.research", 2, "一件纸质申请未录入系统")
    figures = annual.figures_for(report)
    assert figures.value("apps.new.research") == 2
    assert figures.counted["apps.new.research"] == 1
    with pytest.raises(ReportError) as refused:
        make_final(report, SYSTEM)
    messages = refused.value.messages
    assert len(messages) == 2
    assert "“科研机构”列不平衡" in messages[0]
    assert "“总计”列不平衡" in messages[1]
    report.refresh_from_db()
    assert not report.is_final and report.document is None


def test_an_application_closed_without_its_reason_unbalances_its_column(year_of_data):
    app(year_of_data, AT.NONPROFIT, date(2025, 2, 1), date(2025, 3, 1), R.WITHHELD, "")
    report = report_for(year_of_data)
    figures = annual.figures_for(report)
    assert len(figures.unplaced) == 1
    assert "“社会公益组织”列不平衡" in figures.balance_errors()[0]


def test_section_four_totals_are_checked(year_of_data):
    report = report_for(year_of_data, review_upheld=2, review_corrected=1, review_total=2)
    with pytest.raises(ReportError, match="行政复议：总计 2 不等于.*之和 3"):
        make_final(report, SYSTEM)


@pytest.fixture
def report_column():
    return CatalogNode.objects.create(name="政府信息公开年报", slug="gknb")


def test_a_final_report_keeps_its_numbers_and_becomes_a_published_document(
    year_of_data, report_column, django_user_model
):
    TopicFactory(name="其他")
    report = report_for(year_of_data, review_upheld=1, review_total=1, licences=12)
    make_final(report, SYSTEM)
    report.refresh_from_db()
    assert report.is_final
    assert report.final_numbers["apps.new.person"] == 9
    document = report.document
    assert document.status == Document.Status.DRAFT
    assert document.node == report_column
    assert "三、本年度办理结果" in document.body and 'rowspan="22"' in document.body

    # Data that change later do not change the final report.
    app(year_of_data, AT.PERSON, date(2025, 5, 1), date(2025, 5, 2), R.DISCLOSED)
    assert annual.figures_for(report).value("apps.new.person") == 9
    assert annual.count(year_of_data, 2025).numbers["apps.new.person"] == 10

    # The normal workflow publishes it, with an index number.
    editor = django_user_model.objects.create_superuser("editor", password="x")
    submit(document, editor)
    publish(document)
    document.refresh_from_db()
    assert document.index_number.startswith(year_of_data.credit_code)
    assert AnnualReport.objects.published().get() == report
    with pytest.raises(ReportError, match="不能退回"):
        reopen(report, SYSTEM, "修改第一部分")


def test_a_final_report_may_be_reopened_while_its_document_is_a_draft(year_of_data, report_column):
    report = report_for(year_of_data)
    make_final(report, SYSTEM)
    reopen(report, SYSTEM, "补充总体情况")
    report.refresh_from_db()
    assert not report.is_final and report.final_numbers == {}
    report.overview = "本年度补充的总体情况。"
    report.save()
    document_pk = report.document_id
    make_final(report, SYSTEM)
    report.refresh_from_db()
    assert report.document_id == document_pk
    assert "本年度补充的总体情况。" in report.document.body


def test_a_changed_validity_is_dated_when_saved(db):
    document = DocumentFactory()
    document = Document.objects.get(pk=document.pk)
    document.validity = Document.Validity.REPEALED
    document.save()
    assert document.validity_changed_on == timezone.localdate()
    document = Document.objects.get(pk=document.pk)
    document.validity = Document.Validity.VALID
    document.validity_changed_on = date(2025, 3, 1)  # the date given with the change is kept
    document.save()
    assert Document.objects.get(pk=document.pk).validity_changed_on == date(2025, 3, 1)


def test_overrides_are_recorded_with_who_and_why(year_of_data):
    report = report_for(year_of_data)
    set_override(report, SYSTEM, "docs.rules.valid", 4, "一件规章未上网")
    override = ReportOverride.objects.get()
    assert override.reason == "一件规章未上网"
    from portal.models import AuditEvent

    event = AuditEvent.objects.filter(action=report_actions.ANNUAL_REPORT).latest("pk")
    assert event.details["counted"] == 3 and event.details["value"] == 4


# --- files -------------------------------------------------------------------------------------


def final_report(agency):
    report = report_for(
        agency, overview="2025年，本机关认真贯彻落实《条例》。", fees="1.2500", licences=7
    )
    CatalogNode.objects.get_or_create(name="政府信息公开年报", slug="gknb")
    return make_final(report, SYSTEM)


def test_the_docx_holds_the_six_sections_and_the_template_tables(year_of_data):
    from docx import Document as WordDocument

    from disclosure.reports.annual_files import write_docx

    report = final_report(year_of_data)
    buffer = io.BytesIO()
    write_docx(report, buffer)
    buffer.seek(0)
    word = WordDocument(buffer)
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[1:] == [title for _key, title in annual.SECTION_TITLES]
    two, three, four = word.tables
    assert [c.text for c in two.rows[1].cells] == [
        "信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
    ]  # fmt: skip
    assert [c.text for c in two.rows[2].cells] == ["规章", "2", "1", "3"]
    # The merged heading spans three rows and three columns.
    assert three.cell(0, 0)._tc is three.cell(2, 2)._tc
    assert three.cell(0, 3).text == "申请人情况"
    assert [c.text for c in three.rows[2].cells][3:] == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    ]  # fmt: skip
    labels = [row.cells[0].text for row in three.rows]
    assert labels.count("三、本年度办理结果") == 22
    row_labels = {row.cells[2].text: row for row in three.rows}
    assert [c.text for c in row_labels["1.属于国家秘密"].cells[3:]] == ["0"] * 7
    assert [c.text for c in row_labels["（七）总计"].cells[3:]] == [
        str(n) for n in EXPECTED_APPS["total"]
    ]
    assert four.cell(0, 0).text == "行政复议" and four.cell(1, 5).text == "未经复议直接起诉"
    assert four.cell(1, 10).text == "复议后起诉"


def test_the_xlsx_has_numbers_as_numbers_and_merged_headings(year_of_data):
    from openpyxl import load_workbook

    from disclosure.reports.annual_files import write_xlsx

    report = final_report(year_of_data)
    buffer = io.BytesIO()
    write_xlsx(report, buffer)
    buffer.seek(0)
    sheet = load_workbook(buffer).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value}
    rule = cells["规章"]
    assert [sheet.cell(rule.row, c).value for c in (2, 3, 4)] == [2, 1, 3]
    total = cells["（七）总计"]
    values = [sheet.cell(total.row, c).value for c in range(4, 11)]
    assert values == EXPECTED_APPS["total"]
    assert all(isinstance(v, int) for v in values)
    fee = cells["行政事业性收费"]
    assert sheet.cell(fee.row, 2).value == 1.25
    merged = {str(r) for r in sheet.merged_cells.ranges}
    head = cells["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"]
    assert f"A{head.row}:C{head.row + 2}" in merged


def test_the_annual_report_command_writes_a_file(year_of_data, tmp_path):
    from django.core.management import call_command
    from docx import Document as WordDocument

    final_report(year_of_data)
    target = tmp_path / "report.docx"
    call_command(
        "annual_report",
        agency=year_of_data.credit_code,
        year=2025,
        format="docx",
        output=str(target),
    )
    assert "三、收到和处理政府信息公开申请情况" in [p.text for p in WordDocument(target).paragraphs]


# --- pages -------------------------------------------------------------------------------------


def test_the_public_page_shows_only_a_published_report(client, year_of_data):
    report = final_report(year_of_data)
    url = report.get_absolute_url()
    assert client.get(url).status_code == 404
    assert client.get(f"{url}file.docx").status_code == 404
    publish(report.document)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'colspan="7"' in html and 'rowspan="22"' in html
    assert report.document.index_number in html.replace("<wbr>", "")
    download = client.get(f"{url}file.xlsx")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")


def test_staff_see_links_and_can_finalise_in_the_admin(admin_client, year_of_data):
    CatalogNode.objects.create(name="政府信息公开年报", slug="gknb")
    report = report_for(year_of_data)
    page = admin_client.get(f"/admin/disclosure/annualreport/{report.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-cell="apps.new.person"' in html
    assert "/admin/disclosure/document/?" in html
    response = admin_client.post(f"/admin/disclosure/annualreport/{report.pk}/final/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_final and report.document is not None
    xlsx = admin_client.get(f"/admin/disclosure/annualreport/{report.pk}/file.xlsx")
    assert xlsx.status_code == 200


def test_the_district_view_adds_up_final_reports_and_names_the_missing(admin_client, year_of_data):
    final_report(year_of_data)
    other = AgencyFactory(name="铜梁区未报告局")
    page = admin_client.get("/admin/disclosure/annualreport/district/?year=2025")
    assert page.status_code == 200
    assert other.name in [a.name for a in page.context["missing"]]
    three = [s for s in page.context["sections"] if s.key == "three"][0]
    html = page.content.decode()
    assert three.table and "全区汇总" in html


def _change_form_data(page):
    """What the browser would post back: every field of the form and of its inlines as shown."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f.html_name: f.value() for f in formset.management_form})
        forms += list(formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            if value is not None and value is not False:
                data[field.html_name] = value
    return data


def test_section_four_is_saved_and_an_override_removed_through_the_change_form(
    admin_client, year_of_data
):
    report = report_for(year_of_data)
    set_override(report, SYSTEM, "docs.rules.valid", 4, "一件规章未上网")
    url = f"/admin/disclosure/annualreport/{report.pk}/change/"
    data = _change_form_data(admin_client.get(url))
    data.update({"review_upheld": 2, "review_total": 2})
    delete = next(k for k in data if k.endswith("-0-id"))
    data[delete.replace("-id", "-DELETE")] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.review_upheld == 2 and report.review_total == 2
    assert not ReportOverride.objects.filter(report=report).exists()


def test_staff_without_the_report_permission_cannot_download_its_files(client, year_of_data):
    from tests.factories import StaffUserFactory

    report = report_for(year_of_data)
    member = StaffUserFactory(agencies=[year_of_data])  # with no role that reads reports
    client.force_login(member)
    for key in ("docx", "xlsx"):
        assert (
            client.get(f"/admin/disclosure/annualreport/{report.pk}/file.{key}").status_code == 403
        )
