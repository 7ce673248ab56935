"""A directory file is refused, before it is read, when it is larger than a directory can be:
the command and the admin upload alike, with the limit named, and nothing saved."""

import zipfile

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from catalog import importer
from catalog.models import CatalogNode
from tests.catalog.test_import import (
    SIMPLE_HEADER,
    UNDER,
    refused,
    simple_rows,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
SHEET_PART = "xl/worksheets/sheet1.xml"


def xfd_workbook(path):
    """A 5 KB workbook: a directory, and one cell at the sheet's last row and column."""
    workbook = Workbook()
    for row in simple_rows():
        workbook.active.append(row)
    workbook.active["XFD1048576"] = "x"
    workbook.save(path)
    return path


def with_sheet(path, source, chunks):
    """``source`` (an .xlsx) saved as ``path`` with its sheet's XML replaced by ``chunks``,
    streamed into the archive."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as target:
        for item in original.infolist():
            if item.filename != SHEET_PART:
                target.writestr(item, original.read(item), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(SHEET_PART)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w") as sheet:
            for chunk in chunks:
                sheet.write(chunk)
    return path


def zip_bomb(path, tmp_path):
    """A workbook of 60 KB whose sheet inflates to 64 MB of spaces."""
    base = write_xlsx(tmp_path / "base.xlsx", simple_rows())
    return with_sheet(path, base, [b" " * (1 << 20)] * 64)


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


# --- the command -------------------------------------------------------------------------------


def test_a_tiny_workbook_declaring_xfd1048576_is_refused_naming_the_limits(tmp_path):
    path = xfd_workbook(tmp_path / "d.xlsx")
    assert path.stat().st_size < 10_000
    message = refused(path, "工作表声明的范围为 A1:XFD1048576")
    assert "5000 行、100 列" in message and "标准目录" in message


def test_a_zip_bomb_is_refused_before_its_sheet_is_inflated(tmp_path, opened):
    path = zip_bomb(tmp_path / "d.xlsx", tmp_path)
    assert path.stat().st_size < 200_000
    opened.clear()
    message = refused(path, "压缩比")
    assert "100:1" in message
    assert SHEET_PART not in opened


def test_a_workbook_over_the_row_limit_is_refused_by_its_dimension(tmp_path):
    rows = simple_rows() + [["1", f"事项{n}", "x"] for n in range(importer.MAX_ROWS)]
    refused(write_xlsx(tmp_path / "d.xlsx", rows), r"A1:.*5003.*超出标准目录的上限（5000 行")


def test_a_workbook_that_hides_its_rows_is_stopped_at_the_row_limit(tmp_path):
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>第{n}行</t></is></c></row>'
        for n in range(1, importer.MAX_ROWS + 10)
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:C3"/><sheetData>{rows}</sheetData></worksheet>'
    )
    base = write_xlsx(tmp_path / "base.xlsx", simple_rows())
    path = with_sheet(tmp_path / "d.xlsx", base, [sheet.encode()])
    refused(path, "工作表超过 5000 行，超出标准目录的上限")


def test_a_csv_over_the_row_limit_is_refused(tmp_path):
    rows = simple_rows() + [["1", f"事项{n}", "x"] for n in range(importer.MAX_ROWS)]
    refused(write_csv(tmp_path / "d.csv", rows), "文件超过 5000 行，超出标准目录的上限")


def test_a_csv_cell_over_the_length_limit_is_refused_with_its_row(tmp_path):
    rows = simple_rows(公开内容="长" * (importer.MAX_CELL_CHARS + 1))
    refused(
        write_csv(tmp_path / "d.csv", rows),
        f"第3行：有单元格超过 {importer.MAX_CELL_CHARS} 个字符（标准目录每个单元格的上限）",
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "d.csv", simple_rows())
    monkeypatch.setattr(importer, "MAX_BYTES", path.stat().st_size - 1)
    monkeypatch.setattr(importer, "read_csv", lambda raw: pytest.fail("the file was read"))
    refused(path, "文件过大.*标准目录文件不能超过")


def test_a_directory_with_a_note_beside_its_table_still_imports(tmp_path):
    rows = simple_rows()
    rows[2] = rows[2] + [""] * 30 + ["（备注：以上内容由区政务公开办汇总）"]
    call_command("import_catalog", write_xlsx(tmp_path / "d.xlsx", rows), under=UNDER, create=True)
    assert CatalogNode.objects.filter(name="规划许可").exists()
    assert importer.find_layout(rows).width == len(SIMPLE_HEADER)


def test_rows_are_cut_at_the_column_limit():
    wide = [["序号", "二级事项", *["x"] * 200]]
    assert len(importer.bounded(iter(wide))[0]) == importer.MAX_COLUMNS


def test_merged_ranges_beyond_the_table_are_cut_and_overlaps_refused():
    rows = [["a", "b"], ["", ""]]
    importer.fill_merged(rows, [(1, 1, 16384, 1048576)])
    assert rows == [["a", "a"], ["a", "a"]]
    with pytest.raises(importer.DirectoryImportError, match="合并单元格互相重叠"):
        importer.fill_merged([["a", "b"], ["", ""]], [(1, 1, 2, 2)] * 3)


@pytest.mark.parametrize("column", ["二级事项", "公开渠道"])
def test_a_non_character_in_a_cell_is_reported_with_its_row(tmp_path, column):
    rows = simple_rows(**{column: "规划\ufffe许可"})
    refused(
        write_csv(tmp_path / "d.csv", rows), "第3行：.*含有不可见的控制字符或无效字符（U\\+FFFE）"
    )
