"""Staff text that a spreadsheet or Word would run or follow, and what a file made from it may
hold: each of these as a plain string, no formula, no field, no hyperlink the portal did not
make itself."""

import io
import re
import zipfile

from openpyxl import load_workbook

# Formula, array formula, and the three kinds of link xlsxwriter's write() makes of a string.
HOSTILE = [
    "{=1+1}",
    '=HYPERLINK("https://evil.example/","点此")',
    "file:///etc/passwd",
    "external:x",
    "https://evil",
]
# As a spreadsheet file holds them: what starts like a formula gets an apostrophe.
AS_TEXT = {text: ("'" + text if text[0] in "={" else text) for text in HOSTILE}


def xlsx_cells(data):
    """Every cell of every sheet as (value, data type), read back without running anything."""
    workbook = load_workbook(io.BytesIO(data))
    return [
        (cell.value, cell.data_type)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def xlsx_links(data):
    """The targets of every hyperlink in the workbook."""
    workbook = load_workbook(io.BytesIO(data))
    return [
        link.target or link.location
        for sheet in workbook.worksheets
        for link in sheet._hyperlinks
        if link.target or link.location
    ]


def assert_plain_xlsx(data, portal_links=()):
    """Each hostile text is a string cell holding it as text; no cell is a formula; every
    hyperlink starts with one of ``portal_links``."""
    cells = xlsx_cells(data)
    assert [value for value, kind in cells if kind == "f"] == []
    strings = {value for value, kind in cells if kind == "s"}
    for text in HOSTILE:
        assert AS_TEXT[text] in strings, text
    foreign = [t for t in xlsx_links(data) if not any(t.startswith(p) for p in portal_links)]
    assert foreign == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            assert not re.search(rb"<f[\s>/]", archive.read(name)), name


def assert_plain_docx(data, *texts):
    """The document holds each of ``texts`` and no field, hyperlink or external relationship."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        document = archive.read("word/document.xml").decode()
        relationships = "".join(
            archive.read(name).decode() for name in names if name.endswith(".rels")
        )
    for tag in ("w:hyperlink", "w:fldSimple", "w:instrText", "w:fldChar"):
        assert f"<{tag}" not in document, tag
    assert 'TargetMode="External"' not in relationships
    assert not re.search(r'Type="[^"]*/hyperlink"', relationships)
    shown = docx_text(data)
    for text in texts:
        assert text in shown, text


def docx_text(data):
    """The text of a .docx: its paragraphs and its tables' cells, one a line."""
    from docx import Document

    word = Document(io.BytesIO(data))
    lines = [p.text for p in word.paragraphs]
    lines += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)
