"""Letters uploaded as files: what is read from a .docx and a .txt, and what is refused, by
content and by size, before anything is read."""

import dataclasses
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as WordDocument

from disclosure.proposals import letter_files
from disclosure.proposals.letter_files import read_letter_file
from tests.disclosure.proposals.letter_documents import letter_docx

LETTER = "范川代表：\n　　您提出的《关于增设路灯的建议》收悉。\n某某局\n2024年3月1日\n"


def upload(name, data):
    return SimpleUploadedFile(name, data)


def refused(name, data):
    with pytest.raises(ValidationError) as caught:
        read_letter_file(upload(name, data))
    return caught.value.messages[0]


def test_a_docx_gives_its_paragraphs_and_table_cells_in_order():
    document = WordDocument()
    document.add_paragraph("类别：A")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "签发人：张三", "宁交函〔2025〕9号"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "关于县政协十一届四次会议第5号提案的复函"
    document.add_paragraph("李四委员：")
    buffer = io.BytesIO()
    document.save(buffer)
    text = read_letter_file(upload("复函.docx", buffer.getvalue()))
    assert text.splitlines() == [
        "类别：A",
        "签发人：张三",
        "宁交函〔2025〕9号",
        "关于县政协十一届四次会议第5号提案的复函",  # a merged cell once, not twice
        "李四委员：",
    ]


@pytest.mark.parametrize("name", ["复函.wps", "复函.doc"])
def test_a_wps_or_doc_saved_as_docx_is_a_docx(name):
    assert read_letter_file(upload(name, letter_docx(LETTER))).startswith("范川代表：")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_text_file_in_utf8_or_gb18030_is_read(encoding):
    assert read_letter_file(upload("复函.txt", LETTER.encode(encoding))) == LETTER


def test_a_pdf_renamed_docx_is_refused_by_its_content():
    assert "PDF" in refused("复函.docx", b"%PDF-1.7\n1 0 obj\n")


def test_an_old_doc_or_wps_file_asks_to_be_saved_as_docx():
    message = refused("复函.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert "另存为 .docx" in message


def test_a_zip_that_is_no_word_file_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "不是 Word .docx" in refused("复函.docx", buffer.getvalue())


def test_a_damaged_docx_is_refused_with_a_message():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not xml")
    assert "已损坏" in refused("复函.docx", buffer.getvalue())


def test_a_docx_under_a_txt_name_and_binary_text_are_refused():
    assert "不是文本文件" in refused("复函.txt", letter_docx(LETTER))
    assert "不是文本文件" in refused("复函.txt", b"abc\x00def")
    assert "编码无法识别" in refused("复函.txt", b"\xff\xfe\xfd\x80\x81")


def test_other_kinds_of_file_are_refused_by_name():
    assert "只能上传" in refused("复函.pdf", b"%PDF-1.7")


def test_a_file_over_the_size_limit_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(letter_files, "MAX_FILE_BYTES", 1000)
    assert "文件过大" in refused("复函.txt", LETTER.encode() * 40)


def test_a_zip_bomb_is_refused_from_its_directory_alone():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>" + b" " * (20 * 1024 * 1024))
    assert "压缩比" in refused("复函.docx", buffer.getvalue())


def test_too_many_parts_and_too_much_inflated_text_are_refused(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for n in range(10):
            archive.writestr(f"word/media/{n}.xml", "x" * 100)
    limits = letter_files.LETTER_LIMITS
    monkeypatch.setattr(letter_files, "LETTER_LIMITS", dataclasses.replace(limits, max_members=5))
    assert "个部件" in refused("复函.docx", buffer.getvalue())
    monkeypatch.setattr(
        letter_files, "LETTER_LIMITS", dataclasses.replace(limits, max_uncompressed=500)
    )
    assert "解压后" in refused("复函.docx", buffer.getvalue())


def test_a_text_longer_than_any_letter_is_refused(monkeypatch):
    monkeypatch.setattr(letter_files, "MAX_TEXT_CHARS", 50)
    assert "超过 50 字" in refused("复函.docx", letter_docx(LETTER * 10))
    assert "超过 50 字" in refused("复函.txt", (LETTER * 10).encode())
