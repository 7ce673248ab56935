"""The 政府网站工作年度报表 as .docx and .xlsx, drawn from the same rows as the page
(``website.sections``); staff text goes in as plain text (runs in Word; string cells,
neutralised, in ``downloads.new_workbook``), without what XML cannot carry."""

import hashlib
import json

from disclosure.reports.annual_files import FORMATS, merge_text, serve_built
from disclosure.reports.website import sections, values_for
from portal.control_characters import strip_for_xml
from portal.downloads import BuiltFile, neutralise, new_workbook

LOCK_KEY = "website-report-files:building"
# Part of every file's fingerprint: raise it when what the files hold or how they look changes.
FILES_VERSION = 1


def write_docx(report, handle, values):
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    word = WordDocument()
    style = word.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    word.add_heading(strip_for_xml(report.title), level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
    grouped = sections(report, values)
    grid = word.add_table(rows=1 + sum(len(rows) for _t, rows in grouped), cols=3)
    grid.style = "Table Grid"
    for c, text in enumerate(["项目", "内容", "数据"]):
        grid.cell(0, c).text = text
    line = 1
    for title, rows in grouped:
        first = grid.cell(line, 0)
        if len(rows) > 1:
            first = first.merge(grid.cell(line + len(rows) - 1, 0))
        first.text = strip_for_xml(title)
        for row, value in rows:
            grid.cell(line, 1).text = strip_for_xml(row.label)
            grid.cell(line, 2).text = strip_for_xml(value)
            line += 1
    word.save(handle)
    return line - 1


def write_xlsx(report, handle, values):
    workbook = new_workbook(handle, in_memory=True)
    sheet = workbook.add_worksheet("政府网站工作年度报表")
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    header = workbook.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    )
    cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 2, 40)
    merge_text(sheet, 0, 0, 0, 2, report.title, title)
    for c, text in enumerate(["项目", "内容", "数据"]):
        sheet.write_string(1, c, text, header)
    line = 2
    for section_title, rows in sections(report, values):
        if len(rows) > 1:
            merge_text(sheet, line, 0, line + len(rows) - 1, 0, section_title, header)
        else:
            sheet.write_string(line, 0, neutralise(section_title), header)
        for row, value in rows:
            sheet.write_string(line, 1, neutralise(row.label), cell)
            # Every value as text: a number shows its unit, and staff text never becomes a
            # formula, a number or a link.
            sheet.write_string(line, 2, neutralise(value), cell)
            line += 1
    workbook.close()
    return line - 2


WRITERS = {"docx": write_docx, "xlsx": write_xlsx}


def report_file(report, file_format, values=None):
    """``report`` as a file for the download pipeline."""
    values = values if values is not None else values_for(report)
    writer = WRITERS[file_format]
    return BuiltFile(
        what="website_report",
        filename=f"{report.year}年度政府网站工作年度报表",
        file_format=file_format,
        content_type=FORMATS[file_format],
        write=lambda handle: writer(report, handle, values),
        details={"year": report.year, "status": report.status},
    )


def fingerprint(report, values):
    state = [FILES_VERSION, report.year, sorted((k, str(v)) for k, v in values.items())]
    payload = json.dumps(state, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def public_file_response(request, report, file_format):
    """A published ``report`` as a file for anyone, built once per version (``built_files``).
    The caller has checked that it is published. Raises built_files.Busy while another file is
    being built."""
    values = values_for(report)
    built = report_file(report, file_format, values)
    return serve_built(
        request, "website-reports", report.pk, fingerprint(report, values), built, LOCK_KEY
    )
