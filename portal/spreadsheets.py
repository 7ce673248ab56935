"""The first worksheet of an .xlsx, read in bounded memory, for the portal's importers.

openpyxl, even in read-only mode, builds all the cells of a row at once, parses the styles and
the workbook whole, and finds a sheet's dimension by parsing everything before its rows: a file
within every archive limit can still take hundreds of megabytes that way (44 MB for 1.5 MB of
one row's cells). This reader streams every part it needs (the workbook and its relationships,
the shared strings, the number formats, the sheet) element by element, drops each element once
read, and stops where its limits say: the sheet's declared dimension (checked before any string
or row is read), its rows (a sheet may lie about them), its columns (cells beyond are passed
over), its merged ranges and the elements inside one cell. Cell values are openpyxl's
(``WorkSheetParser.parse_cell``, formulas as their cached values): numbers, dates, booleans,
shared and inline strings.

``read_first_sheet`` checks the archive first (``office_files.check_archive``).
"""

import posixpath
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl.cell.text import Text
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900
from openpyxl.worksheet._reader import WorkSheetParser

from .office_files import OfficeFileRefused, check_archive

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
ROW, CELL, SHARED_STRING = f"{MAIN}row", f"{MAIN}c", f"{MAIN}si"
MAX_INSIDE = 10_000  # elements inside one cell or one shared string (rich text runs and all)
DAMAGED = (ParseError, KeyError, ValueError, IndexError, TypeError, EOFError, zipfile.BadZipFile)


@dataclass(frozen=True)
class SheetLimits:
    """What an importer takes from a sheet, and what it calls such a file in messages."""

    max_rows: int
    max_columns: int
    max_merges: int
    label: str


@dataclass
class Sheet:
    rows: list = field(default_factory=list)  # lists of cell strings ("" empty), row 1 first
    merged: list = field(default_factory=list)  # (min_col, min_row, max_col, max_row), 1-based


class DamagedFile(OfficeFileRefused):
    """The file's XML cannot be read; ``detail`` says where it broke."""

    def __init__(self, detail):
        super().__init__(f"文件已损坏（{detail}）")
        self.detail = detail


class NoWorksheet(OfficeFileRefused):
    """The workbook holds chartsheets only."""


def read_first_sheet(file, archive_limits, sheet_limits):
    """The first worksheet of the .xlsx ``file`` (a path or a binary file), chartsheets before
    it passed over. Raises OfficeFileRefused (DamagedFile, NoWorksheet, or a limit passed, with
    a Chinese message naming it)."""
    check_archive(file, "xlsx", archive_limits)
    try:
        with zipfile.ZipFile(file) as archive:
            parts, date1904 = _workbook(archive)
            if "worksheet" not in parts:
                raise NoWorksheet("工作簿中只有图表，没有工作表。")
            _check_declared_size(archive, parts["worksheet"], sheet_limits)
            strings = _shared_strings(archive, parts.get("sharedStrings"))
            dates, timedeltas = _date_styles(archive, parts.get("styles"))
            parser = WorkSheetParser(
                None,
                strings,
                data_only=True,
                epoch=CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900,
                date_formats=dates,
                timedelta_formats=timedeltas,
            )
            return _sheet(archive, parts["worksheet"], parser, sheet_limits)
    except DAMAGED as exc:
        raise DamagedFile(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    finally:
        if hasattr(file, "seek"):
            file.seek(0)


def _elements(archive, name, whole=()):
    """``(event, element)`` as part ``name`` is read ("start" and "end"). Once its end has been
    handed out an element is dropped from its parent, except inside an element whose tag is in
    ``whole``, which is handed out entire (at most MAX_INSIDE elements in it)."""
    stack, held, inside = [], None, 0
    with archive.open(name) as source:
        # Expat (2.4 and later, as Python bundles it) refuses entity amplification, and
        # ElementTree never loads an external entity: the parts are parsed as they come.
        events = iterparse(source, events=("start", "end"))  # noqa: S314
        for event, element in events:
            if event == "start":
                stack.append(element)
                if held is not None:
                    inside += 1
                    if inside > MAX_INSIDE:
                        raise DamagedFile(f"一个单元格中有超过 {MAX_INSIDE} 个元素")
                elif element.tag in whole:
                    held, inside = element, 0
                yield event, element
                continue
            stack.pop()
            yield event, element
            if element is held:
                held = None
            if held is None and stack:
                stack[-1].remove(element)


def _workbook(archive):
    """({"worksheet": first worksheet, "sharedStrings": …, "styles": …} as part names, whether
    dates count from 1904)."""
    targets = {}
    for event, element in _elements(archive, "xl/_rels/workbook.xml.rels"):
        if event == "end" and element.tag == RELATIONSHIP:
            kind = element.get("Type", "").rsplit("/", 1)[-1]
            targets[element.get("Id")] = (kind, _part_name(element.get("Target", "")))
    parts, date1904 = {}, False
    for event, element in _elements(archive, "xl/workbook.xml"):
        if event != "end":
            continue
        if element.tag == f"{MAIN}workbookPr":
            date1904 = element.get("date1904", "").lower() in ("1", "true")
        elif element.tag == f"{MAIN}sheet" and "worksheet" not in parts:
            kind, target = targets.get(element.get(REL_ID), ("", ""))
            if kind == "worksheet":
                parts["worksheet"] = target
    for kind, target in targets.values():
        if kind in ("sharedStrings", "styles"):
            parts.setdefault(kind, target)
    return parts, date1904


def _part_name(target):
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _shared_strings(archive, name):
    strings = []
    if name is None:
        return strings
    for event, element in _elements(archive, name, whole={SHARED_STRING}):
        if event == "end" and element.tag == SHARED_STRING:
            # As openpyxl reads them: the text of every run, phonetic hints left out.
            strings.append(Text.from_tree(element).content.replace("x005F_", ""))
    return strings


def _date_styles(archive, name):
    """The cell styles (by index) whose number format is a date, and those that are a time span."""
    if name is None:
        return set(), set()
    custom, formats, in_cell_styles = {}, [], False
    for event, element in _elements(archive, name):
        if element.tag == f"{MAIN}cellXfs":
            in_cell_styles = event == "start"
        elif event == "end" and element.tag == f"{MAIN}numFmt":
            custom[int(element.get("numFmtId"))] = element.get("formatCode", "")
        elif event == "end" and element.tag == f"{MAIN}xf" and in_cell_styles:
            formats.append(int(element.get("numFmtId", 0)))
    codes = [custom.get(number) or builtin_format_code(number) or "" for number in formats]
    return (
        {index for index, code in enumerate(codes) if is_date_format(code)},
        {index for index, code in enumerate(codes) if is_timedelta_format(code)},
    )


def _sheet(archive, name, parser, limits):
    rows, merged, cells = {}, [], None
    for event, element in _elements(archive, name, whole={CELL}):
        tag = element.tag
        if event == "start":
            if tag == ROW:
                number = element.get("r")
                if number and not (number.isascii() and number.isdigit() and int(number) > 0):
                    raise DamagedFile(f"行号“{number[:20]}”不是正整数")
                parser.row_counter = int(number) if number else parser.row_counter + 1
                parser.col_counter = 0
                if parser.row_counter > limits.max_rows:
                    raise _too_many_rows(limits)
                cells = rows.setdefault(parser.row_counter, {})
            continue
        if tag == CELL and cells is not None:
            cell = parser.parse_cell(element)
            if cell["column"] <= limits.max_columns and cell["value"] is not None:
                cells[cell["column"]] = str(cell["value"])
        elif tag == f"{MAIN}mergeCell":
            merged.append(_range(element.get("ref", ""), limits))
            if len(merged) > limits.max_merges:
                raise OfficeFileRefused(
                    f"工作表中的合并单元格超过 {limits.max_merges} 处，超出{limits.label}的上限。"
                )
    last = max(rows, default=0)
    table = [_row(rows.get(number, {})) for number in range(1, last + 1)]
    return Sheet(table, merged)


def _row(cells):
    row = [""] * max(cells, default=0)
    for column, value in cells.items():
        row[column - 1] = value
    return row


def _range(ref, limits):
    """A merged range as (min_col, min_row, max_col, max_row); whole rows or columns ("A:B",
    "1:2") end at the limits."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return (
        min_col or 1,
        min_row or 1,
        max_col or limits.max_columns,
        max_row or limits.max_rows,
    )


def _check_declared_size(archive, name, limits):
    """Refuse a sheet that declares more rows or columns than the limits, reading no further
    than its rows' start (and nothing else of the workbook)."""
    for event, element in _elements(archive, name):
        if event == "start" and element.tag == f"{MAIN}sheetData":
            return
        if event == "end" and element.tag == f"{MAIN}dimension":
            ref = element.get("ref", "")
            break
    else:
        return
    try:
        _min_col, _min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return  # no usable dimension: the rows are counted as they are read
    if (max_row or 0) > limits.max_rows or (max_col or 0) > limits.max_columns:
        raise OfficeFileRefused(
            f"工作表声明的范围为 {ref}（{max_row} 行、{max_col} 列），超出{limits.label}的上限"
            f"（{limits.max_rows} 行、{limits.max_columns} 列），未读取。"
            "请删除表格以外多余的行和列后重新保存。"
        )


def _too_many_rows(limits):
    return OfficeFileRefused(
        f"工作表超过 {limits.max_rows} 行，超出{limits.label}的上限，未读取。"
        "请删除多余的行，或拆分为几个文件分别导入。"
    )
