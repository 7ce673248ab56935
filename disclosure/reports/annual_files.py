"""The annual report as .docx (python-docx) and .xlsx (xlsxwriter), drawn from the same grids
as the HTML page (``annual.report_sections``), with the template's merged headings.

Staff text goes into both as plain text: in the .docx as runs (no field, no hyperlink), in the
.xlsx as string cells (``downloads.new_workbook``, ``write_string``, neutralised), and in both
without the characters XML cannot carry (``strip_for_xml``)."""

import hashlib
import json
import os
from decimal import Decimal

from django.conf import settings
from django.utils.http import quote_etag

from disclosure.reports.annual import ENTERED_FIELDS, figures_for, report_sections
from disclosure.reports.models import LITIGATION_FIELDS
from portal import built_files
from portal.control_characters import strip_for_xml
from portal.downloads import (
    DOCX_TYPE,
    PUBLIC,
    XLSX_TYPE,
    BuiltFile,
    neutralise,
    new_workbook,
    write_built,
)

FORMATS = {"docx": DOCX_TYPE, "xlsx": XLSX_TYPE}
LOCK_KEY = "annual-report-files:building"
# Part of every file's fingerprint: raise it when what the files hold or how they look changes,
# so that files built by an earlier release are built anew.
FILES_VERSION = 1
# The report's own fields a file shows; with the agency's name (the title) and the numbers.
SHOWN_FIELDS = ["year", "status", "template", "overview", "problems", "other_matters"]


def layout(table):
    """(row, column, cell) of every cell of ``table``, header rows first, each placed at the
    first column its row has free once the rowspans above are counted."""
    taken = set()
    placed = []
    for r, row in enumerate([*table.head, *table.body]):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return placed


def table_rows(table):
    return len(table.head) + len(table.body)


def write_docx(report, handle, figures=None):
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    sections = report_sections(report, figures or figures_for(report))
    word = WordDocument()
    style = word.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    title = word.add_heading(strip_for_xml(report.title), level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rows = 0
    for section in sections:
        word.add_heading(strip_for_xml(str(section.title)), level=2)
        if section.table is None:
            for paragraph in section.paragraphs:
                text = strip_for_xml(str(paragraph))
                word.add_paragraph(text).paragraph_format.first_line_indent = Pt(21)
            continue
        table = section.table
        grid = word.add_table(rows=table_rows(table), cols=table.columns)
        grid.style = "Table Grid"
        for r, c, cell in layout(table):
            target = grid.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(grid.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.text = strip_for_xml(str(cell.display))
            for paragraph in target.paragraphs:
                if cell.is_number:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in paragraph.runs:
                    run.font.size = Pt(9)
                    run.font.bold = cell.header
        rows += table_rows(table)
    word.save(handle)
    return rows


def merge_text(sheet, first_row, first_col, last_row, last_col, text, style):
    """Merge a range and write ``text`` into it as a string, neutralised: ``merge_range`` alone
    would pass it to ``write()``, which reads ``{=…}`` and ``file:…`` as formula and link."""
    sheet.merge_range(first_row, first_col, last_row, last_col, "", style)
    sheet.write_string(first_row, first_col, neutralise(text), style)


def write_xlsx(report, handle, figures=None):
    sections = report_sections(report, figures or figures_for(report))
    workbook = new_workbook(handle, in_memory=True)
    sheet = workbook.add_worksheet("年度报告")
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    heading = workbook.add_format({"bold": True, "font_size": 12})
    text = workbook.add_format({"text_wrap": True, "valign": "top"})
    header = workbook.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    )
    number = workbook.add_format({"border": 1, "align": "center", "valign": "vcenter"})
    width = max(s.table.columns for s in sections if s.table)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 2, 16)
    sheet.set_column(3, width - 1, 10)
    merge_text(sheet, 0, 0, 0, width - 1, report.title, title)
    line = 2
    rows = 0
    for section in sections:
        sheet.write_string(line, 0, neutralise(section.title), heading)
        line += 1
        if section.table is None:
            for paragraph in section.paragraphs:
                merge_text(sheet, line, 0, line, width - 1, paragraph, text)
                sheet.set_row(line, 15 * (1 + len(paragraph) // 60))
                line += 1
            line += 1
            continue
        table = section.table
        for r, c, cell in layout(table):
            style = header if cell.header else number
            last_row, last_col = line + r + cell.rowspan - 1, c + cell.colspan - 1
            if cell.is_number:
                value = float(cell.value) if isinstance(cell.value, Decimal) else cell.value
                if (last_row, last_col) != (line + r, c):
                    sheet.merge_range(line + r, c, last_row, last_col, value, style)
                else:
                    sheet.write_number(line + r, c, value, style)
            elif (last_row, last_col) != (line + r, c):
                merge_text(sheet, line + r, c, last_row, last_col, cell.text, style)
            else:
                sheet.write_string(line + r, c, neutralise(cell.text), style)
        line += table_rows(table) + 1
        rows += table_rows(table)
    workbook.close()
    return rows


WRITERS = {"docx": write_docx, "xlsx": write_xlsx}


def report_file(report, file_format, figures=None):
    """``report`` as a file for the download pipeline (``downloads.built_response`` /
    ``write_built``)."""
    writer = WRITERS[file_format]
    figures = figures or figures_for(report)
    return BuiltFile(
        what="annual_report",
        filename=f"{report.agency.name}{report.year}年政府信息公开工作年度报告",
        file_format=file_format,
        content_type=FORMATS[file_format],
        write=lambda handle: writer(report, handle, figures),
        details={
            "agency": report.agency.credit_code,
            "year": report.year,
            "status": report.status,
        },
    )


# --- the published report's files, built once per version ----------------------------------


def report_fingerprint(report, figures):
    """A short hash of everything the files of ``report`` show; it changes when any of it does."""
    state = [
        FILES_VERSION,
        report.agency.name,
        [
            str(getattr(report, name))
            for name in [*SHOWN_FIELDS, *ENTERED_FIELDS, *LITIGATION_FIELDS]
        ],
        sorted((key, str(value)) for key, value in figures.numbers.items()),
    ]
    payload = json.dumps(state, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def public_file_response(request, report, file_format):
    """A published ``report`` as a file for anyone: read from its file under EXPORT_ROOT, built
    once per version of the report (``built_files``); not audited, as public information.

    The caller has checked that the report is published. Raises built_files.Busy while another
    report's file is being built."""
    figures = figures_for(report)
    fingerprint = report_fingerprint(report, figures)
    built = report_file(report, file_format, figures)
    return serve_built(request, "annual-reports", report.pk, fingerprint, built, LOCK_KEY)


def serve_built(request, folder, pk, version, built, lock_key):
    """``built`` (the file of report ``pk`` as of ``version``) from its file under
    EXPORT_ROOT/``folder``, built once per version under ``lock_key``, the files of earlier
    versions pruned; a 304 to a browser holding it."""
    file_format = built.file_format
    path = settings.EXPORT_ROOT / folder / f"{pk}-{version}.{file_format}"
    # Weak: a file built again from the same report holds the same text but other bytes.
    etag = "W/" + quote_etag(f"{pk}-{version}")
    handle = built_files.open_file(path)
    if handle is None:
        not_modified = built_files.not_modified(request, etag)
        if not_modified is not None:
            return not_modified
        handle, _built = built_files.build(
            path,
            lambda target: write_built(built, target, PUBLIC),
            lock_key=lock_key,
            prune=lambda folder: _prune(folder, pk, version),
        )
    return built_files.file_response(
        request,
        handle,
        etag=etag,
        filename=f"{built.filename}.{file_format}",
        content_type=built.content_type,
    )


def _prune(folder, pk, keep):
    """Delete the files of earlier versions of report ``pk`` (and dead builds' leftovers)."""
    for entry in os.scandir(folder):
        earlier = entry.name.startswith(f"{pk}-") and not entry.name.startswith(f"{pk}-{keep}.")
        if entry.is_file() and (earlier or built_files.is_stale_temporary(entry)):
            os.unlink(entry.path)
