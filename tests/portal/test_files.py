"""portal.files: the one way a file leaves the portal."""

import io

from portal.files import file_response, safe_filename


def test_a_chinese_name_goes_out_as_an_rfc_6266_utf8_name():
    response = file_response(b"x", "铜梁区 公开目录.pdf", "application/pdf")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E9%93%9C%E6%A2%81%E5%8C%BA%20"
        "%E5%85%AC%E5%BC%80%E7%9B%AE%E5%BD%95.pdf"
    )
    assert response["Content-Type"] == "application/pdf"


def test_a_name_with_quotes_stays_one_quoted_name():
    response = file_response(b"x", 'a"b.txt', "text/plain")
    assert response["Content-Disposition"] == 'attachment; filename="a\\"b.txt"'


def test_folders_and_control_characters_leave_the_name():
    assert safe_filename("../../etc/passwd") == "_.._etc_passwd"
    assert safe_filename("报告\r\nSet-Cookie: x=1.pdf") == "报告  Set-Cookie: x=1.pdf"
    assert safe_filename("a\x00b\x1f.pdf") == "ab.pdf"
    assert safe_filename("") == "download"
    assert safe_filename(" . ") == "download"


def test_a_long_name_keeps_its_extension():
    name = safe_filename("长" * 300 + ".docx")
    assert len(name) == 200 and name.endswith("长.docx")


def test_without_a_type_a_file_is_a_download_that_cannot_open_itself():
    response = file_response(io.BytesIO(b"<script>alert(1)</script>"), "page.html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html.bin"'
    pdf = file_response(io.BytesIO(b"%PDF-1.4"), "原文.pdf")
    assert pdf["Content-Type"] == "application/octet-stream"
    assert pdf["Content-Disposition"].endswith(".pdf")


def test_the_type_is_never_guessed_from_the_name():
    response = file_response(io.BytesIO(b"GIF89a"), "photo.gif", "image/png", inline=True)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="photo.gif"'


def test_private_files_are_kept_by_no_cache_and_public_ones_are_asked_for_each_time():
    private = file_response(b"x", "a.pdf", "application/pdf")
    public = file_response(b"x", "a.pdf", "application/pdf", private=False)
    assert private["Cache-Control"] == "private, no-store, max-age=0, no-cache, must-revalidate"
    assert "Expires" in private
    assert public["Cache-Control"] == "no-cache"
    assert "Expires" not in public


def test_bytes_are_answered_whole():
    response = file_response(b"%PDF-1.4 body", "a.pdf", "application/pdf")
    assert response.content == b"%PDF-1.4 body"
