"""Office files the portal reads: the archive is judged from its directory alone, and the first
worksheet is read in bounded memory, stopping at its limits."""

import io
import random
import tracemalloc
import zipfile

import pytest
from docx import Document as WordDocument
from openpyxl import Workbook

from portal import office_files
from portal.office_files import ArchiveLimits, OfficeFileRefused, check_archive
from portal.spreadsheets import DamagedFile, NoWorksheet, SheetLimits, read_first_sheet

LIMITS = ArchiveLimits(
    max_bytes=1024 * 1024, max_members=50, max_uncompressed=8 * 1024 * 1024, max_ratio=100
)
SHEET = SheetLimits(max_rows=100, max_columns=20, max_merges=50, label="测试表")
SHEET_PART = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx(*rows, build=None):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    if build:
        build(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx(text="正文"):
    word = WordDocument()
    word.add_paragraph(text)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def with_part(data, name, chunks, method=zipfile.ZIP_DEFLATED):
    """``data`` (a zip) with part ``name`` replaced by (or added as) the bytes of ``chunks``,
    streamed into the archive, never held whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", method) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
        info = zipfile.ZipInfo(name)
        info.compress_type = method
        with target.open(info, "w") as part:
            for chunk in chunks:
                part.write(chunk)
    return out.getvalue()


def sheet_xml(*pieces):
    yield f'<worksheet xmlns="{MAIN_NS}">'.encode()
    yield from (piece.encode() if isinstance(piece, str) else piece for piece in pieces)
    yield b"</worksheet>"


@pytest.fixture
def opened(monkeypatch):
    """The names of the archive parts opened for reading."""
    names = []
    original = zipfile.ZipFile.open

    def recording(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            names.append(getattr(name, "filename", name))
        return original(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording)
    return names


# --- the archive -----------------------------------------------------------------------------


def test_a_workbook_and_a_word_file_within_the_limits_are_accepted():
    check_archive(io.BytesIO(xlsx(["序号", "事项"])), "xlsx", LIMITS)
    check_archive(io.BytesIO(docx()), "docx", LIMITS)


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"%PDF-1.7\n%%EOF\n", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "xlsx"),
        ("docx", "xlsx"),  # a Word file named as a workbook
        ("xlsx", "docx"),
    ],
    ids=["pdf", "xls", "docx-as-xlsx", "xlsx-as-docx"],
)
def test_another_format_is_refused_as_not_an_office_file(data, kind):
    data = {"docx": docx, "xlsx": lambda: xlsx(["x"])}[data]() if isinstance(data, str) else data
    with pytest.raises(OfficeFileRefused) as refused:
        check_archive(io.BytesIO(data), kind, LIMITS)
    assert refused.value.not_office
    assert "改了扩展名" in str(refused.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(tmp_path, opened):
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * (LIMITS.max_bytes + 1))
    with pytest.raises(OfficeFileRefused, match=r"文件过大.*不能超过 1.0\sMB"):
        check_archive(path, "xlsx", LIMITS)
    assert opened == []


def test_a_zip_bomb_is_refused_from_its_directory_without_inflating_it(opened):
    # 64 MB of spaces, a few dozen KB compressed: over the total and far over the ratio.
    bomb = with_part(xlsx(["序号"]), SHEET_PART, [b" " * (1 << 20)] * 64)
    opened.clear()
    with pytest.raises(OfficeFileRefused) as refused:
        check_archive(io.BytesIO(bomb), "xlsx", LIMITS)
    assert "压缩比" in str(refused.value) and "100:1" in str(refused.value)
    assert not refused.value.not_office
    assert opened == []


def test_parts_that_inflate_past_the_total_are_refused_naming_the_limit():
    # Five parts of 2 MB compressed about 20:1: each within the ratio, together over the total.
    rng = random.Random(1)
    noise = io.BytesIO()
    with zipfile.ZipFile(noise, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(5):
            chunks = (rng.randbytes(1024) + bytes(19 * 1024) for _ in range(100))
            archive.writestr(f"xl/media/image{number}.bin", b"".join(chunks))
    assert len(noise.getvalue()) < LIMITS.max_bytes
    with pytest.raises(OfficeFileRefused, match=r"解压后共 9.8\sMB.*上限 8.0\sMB"):
        check_archive(noise, "xlsx", LIMITS)


def test_too_many_parts_are_refused():
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(LIMITS.max_members):
            archive.writestr(f"xl/part{number}.xml", "<x/>")
    with pytest.raises(OfficeFileRefused, match="51 个部件.*上限 50 个"):
        check_archive(many, "xlsx", LIMITS)


def test_a_part_compressed_by_a_method_office_never_uses_is_refused():
    data = with_part(xlsx(["x"]), SHEET_PART, [b"<worksheet/>"], method=zipfile.ZIP_BZIP2)
    with pytest.raises(OfficeFileRefused, match="压缩方式"):
        check_archive(io.BytesIO(data), "xlsx", LIMITS)


def test_the_file_is_left_at_its_start_for_the_next_reader():
    upload = io.BytesIO(xlsx(["x"]))
    upload.seek(10)
    check_archive(upload, "xlsx", LIMITS)
    assert upload.tell() == 0


def test_the_archive_check_is_the_kernels_and_names_no_app():
    source = open(office_files.__file__, encoding="utf-8").read()
    assert "catalog" not in source and "disclosure" not in source


# --- the first worksheet ---------------------------------------------------------------------


def test_the_first_worksheet_is_read_as_strings_with_its_merged_ranges():
    def merge(sheet):
        sheet.merge_cells("A2:A3")

    data = xlsx(["序号", "事项", 3, 1.5, True], ["1", "低保"], [None, "临时救助"], build=merge)
    sheet = read_first_sheet(io.BytesIO(data), LIMITS, SHEET)
    assert sheet.rows == [["序号", "事项", "3", "1.5", "True"], ["1", "低保"], ["", "临时救助"]]
    assert sheet.merged == [(1, 2, 1, 3)]


def test_a_sheet_declaring_xfd1048576_is_refused_before_its_rows(opened):
    data = xlsx(["序号", "事项"], build=lambda sheet: sheet.cell(1048576, 16384, "x"))
    assert len(data) < 10_000
    opened.clear()
    with pytest.raises(OfficeFileRefused) as refused:
        read_first_sheet(io.BytesIO(data), LIMITS, SHEET)
    message = str(refused.value)
    assert "A1:XFD1048576" in message and "100 行、20 列" in message and "测试表" in message
    assert "xl/sharedStrings.xml" not in opened  # the sheet's head is all that was read


def test_a_sheet_that_hides_its_size_is_stopped_at_the_row_limit():
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{n}</t></is></c></row>'
                   for n in range(1, 200))  # fmt: skip
    lying = with_part(
        xlsx(["x"]),
        SHEET_PART,
        sheet_xml('<dimension ref="A1:A3"/><sheetData>', rows, "</sheetData>"),
    )
    with pytest.raises(OfficeFileRefused, match="工作表超过 100 行，超出测试表的上限"):
        read_first_sheet(io.BytesIO(lying), LIMITS, SHEET)
    far = with_part(
        xlsx(["x"]),
        SHEET_PART,
        sheet_xml('<sheetData><row r="1048576"><c r="A1048576"/></row></sheetData>'),
    )
    with pytest.raises(OfficeFileRefused, match="工作表超过 100 行"):
        read_first_sheet(io.BytesIO(far), LIMITS, SHEET)


def test_cells_beyond_the_column_limit_are_passed_over():
    data = xlsx(["序号", "事项"], build=lambda sheet: sheet.cell(2, 21, "远处"))
    wide = with_part(data, SHEET_PART, sheet_xml(
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>序号</t></is></c>'
        '<c r="XFD1" t="inlineStr"><is><t>远处</t></is></c></row></sheetData>'
    ))  # fmt: skip
    assert read_first_sheet(io.BytesIO(wide), LIMITS, SHEET).rows == [["序号"]]


def test_one_row_of_sixty_thousand_cells_is_read_in_little_memory():
    # Within every archive limit (varied references keep the ratio low), yet openpyxl's
    # read-only mode builds such a row whole: 44 MB for this one.
    cells = (f'<c r="{chr(65 + n % 20)}1"><v>{n}</v></c>' for n in range(60_000))
    data = with_part(
        xlsx(["x"]), SHEET_PART, sheet_xml('<sheetData><row r="1">', *cells, "</row></sheetData>")
    )
    tracemalloc.start()
    try:
        sheet = read_first_sheet(io.BytesIO(data), LIMITS, SHEET)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(sheet.rows) == 1 and len(sheet.rows[0]) == 20
    assert peak < 8 * 1024 * 1024


def test_too_many_merged_ranges_are_refused():
    merges = "".join(f'<mergeCell ref="A{n}:B{n}"/>' for n in range(1, 60))
    data = with_part(xlsx(["x"]), SHEET_PART, sheet_xml(
        "<sheetData/>", f'<mergeCells count="59">{merges}</mergeCells>'
    ))  # fmt: skip
    with pytest.raises(OfficeFileRefused, match="合并单元格超过 50 处"):
        read_first_sheet(io.BytesIO(data), LIMITS, SHEET)


def test_damaged_xml_and_a_workbook_of_charts_only_are_told_apart():
    broken = with_part(xlsx(["x"]), SHEET_PART, [b"<worksheet><sheetData><row>"])
    with pytest.raises(DamagedFile):
        read_first_sheet(io.BytesIO(broken), LIMITS, SHEET)
    workbook = Workbook()
    workbook.create_chartsheet("图表")
    workbook.remove(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(NoWorksheet):
        read_first_sheet(buffer, LIMITS, SHEET)


def test_an_entity_bomb_in_a_part_is_refused_as_damaged():
    entities = "".join(
        f'<!ENTITY e{n} "{"".join(f"&e{n - 1};" for _ in range(10)) if n else "x" * 10}">'
        for n in range(9)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
    data = with_part(xlsx(["x"]), SHEET_PART, [bomb.encode(), *sheet_xml(
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e8;</t></is></c></row></sheetData>'
    )])  # fmt: skip
    with pytest.raises(DamagedFile):
        read_first_sheet(io.BytesIO(data), LIMITS, SHEET)


def test_a_merged_range_of_whole_columns_or_rows_ends_at_the_limits():
    merges = '<mergeCells count="2"><mergeCell ref="A:B"/><mergeCell ref="3:4"/></mergeCells>'
    data = with_part(xlsx(["x"]), SHEET_PART, sheet_xml("<sheetData/>", merges))
    sheet = read_first_sheet(io.BytesIO(data), LIMITS, SHEET)
    assert sheet.merged == [(1, 1, 2, 100), (1, 3, 20, 4)]


def test_the_number_of_parts_is_read_from_the_end_record_before_any_entry_is_built(monkeypatch):
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(LIMITS.max_members):
            archive.writestr(f"xl/part{number}.xml", "<x/>")
    built = []
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: built.append(self))
    with pytest.raises(OfficeFileRefused, match="51 个部件.*上限 50 个"):
        check_archive(many, "xlsx", LIMITS)
    assert built == []


# --- the text of a Word file -----------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_body(body):
    return with_part(
        docx(),
        "word/document.xml",
        [f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'.encode()],
    )


def paragraph(text):
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def merged_rows(count, columns):
    first = '<w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>' + paragraph("办理") + "</w:tc>"
    rest = "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"
    return (
        "<w:tbl><w:tr>"
        + first * columns
        + "</w:tr>"
        + ("<w:tr>" + rest * columns + "</w:tr>") * count
        + "</w:tbl>"
    )


def test_a_word_files_paragraphs_and_table_cells_are_read_in_order():
    cell = "<w:tc>{}</w:tc>"
    table = (
        "<w:tbl><w:tr>"
        + cell.format(paragraph("承办单位"))
        + cell.format(paragraph("区交通局"))
        + "</w:tr></w:tbl>"
    )
    text_box = (
        "<w:r><w:pict><w:txbxContent>" + paragraph("文本框") + "</w:txbxContent></w:pict></w:r>"
    )
    body = (
        paragraph("关于第12号建议的答复")
        + table
        + f"<w:p><w:r><w:t>正文</w:t><w:tab/><w:t>续</w:t></w:r>{text_box}</w:p>"
    )
    data = io.BytesIO(docx_body(body))
    assert office_files.docx_lines(data, 1000) == [
        "关于第12号建议的答复",
        "承办单位",
        "区交通局",
        "正文\t续",
    ]
    assert data.tell() == 0


def test_merged_rows_are_read_in_one_pass_without_python_docx(monkeypatch):
    # python-docx resolves each merged cell by walking the rows above it: these 40 KB of merged
    # rows took minutes that way.
    monkeypatch.setattr("docx.Document", lambda *args, **kwargs: pytest.fail("python-docx used"))
    data = docx_body(paragraph("标题") + merged_rows(1000, 10))
    assert len(data) < 60_000
    assert office_files.docx_lines(io.BytesIO(data), 1000) == ["标题"] + ["办理"] * 10


def test_reading_a_word_file_stops_past_the_character_limit():
    data = docx_body(paragraph("字" * 100) * 1000)
    assert len(office_files.docx_lines(io.BytesIO(data), 250)) == 3


def test_a_word_file_nested_deeper_than_xml_allows_is_unreadable_not_a_crash():
    deep = "<w:sdt>" * 300 + paragraph("深") + "</w:sdt>" * 300
    with pytest.raises(office_files.DocxUnreadable):
        office_files.docx_lines(io.BytesIO(docx_body(deep)), 1000)


@pytest.mark.parametrize("number", ["inf", "-3", "1e3", "0"])
def test_a_row_numbered_other_than_a_positive_integer_is_a_damaged_file(number):
    data = with_part(
        xlsx(["a"]),
        "xl/worksheets/sheet1.xml",
        sheet_xml(
            f'<sheetData><row r="{number}"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        ),
    )
    with pytest.raises(DamagedFile, match="不是正整数"):
        read_first_sheet(io.BytesIO(data), LIMITS, SHEET)


# --- any zip (an old site's export package) ----------------------------------------------------


def plain_zip(method=zipfile.ZIP_DEFLATED, **members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def test_check_zip_lists_the_members_of_a_zip_within_its_limits():
    members = office_files.check_zip(plain_zip(**{"a.csv": "x", "b.html": "y"}), LIMITS)

    assert [member.filename for member in members] == ["a.csv", "b.html"]


def test_check_zip_refuses_a_bomb_and_bzip2_before_inflating_anything():
    bomb = plain_zip(**{"a.html": b" " * (16 * 1024 * 1024)})
    with pytest.raises(OfficeFileRefused, match="压缩比"):
        office_files.check_zip(bomb, LIMITS)
    with pytest.raises(OfficeFileRefused, match="不支持的压缩方式"):
        office_files.check_zip(plain_zip(zipfile.ZIP_BZIP2, **{"a.csv": "x"}), LIMITS)


def test_check_zip_refuses_what_is_not_a_zip():
    with pytest.raises(OfficeFileRefused, match="不是 zip 文件包") as refused:
        office_files.check_zip(io.BytesIO(b"%PDF-1.4"), LIMITS, "文件包")

    assert refused.value.not_office
