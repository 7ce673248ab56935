import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.documents.services import add_attachment, publish
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def zip_bytes(names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("政策原文.pdf", PDF, "pdf"),
        ("版式文件.ofd", zip_bytes(["OFD.xml", "Doc_0/Document.xml"]), "ofd"),
        ("通知.doc", OLE2, "doc"),
        ("通知.docx", zip_bytes(["[Content_Types].xml", "word/document.xml"]), "docx"),
        ("统计表.xls", OLE2, "xls"),
        ("统计表.xlsx", zip_bytes(["[Content_Types].xml", "xl/workbook.xml"]), "xlsx"),
        ("文稿.wps", OLE2, "wps"),
        ("表格.et", OLE2, "et"),
        ("图件.zip", zip_bytes(["图1.pdf", "说明.txt"]), "zip"),
        ("现场照片.JPG", JPG, "jpg"),
        ("示意图.png", PNG, "png"),
    ],
)
def test_allowed_types_are_accepted_with_size_and_sha256(name, content, kind):
    attachment = add_attachment(DocumentFactory(), SimpleUploadedFile(name, content))
    assert attachment.kind == kind
    assert attachment.original_name == name
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert name not in attachment.file.name  # stored under a random name


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("通知.pdf", EXE, "内容与扩展名不符"),  # a renamed executable
        ("通知.docx", PDF, "内容与扩展名不符"),
        ("通知.doc", zip_bytes(["[Content_Types].xml", "word/document.xml"]), "内容与扩展名不符"),
        ("setup.exe", EXE, "不支持的附件类型"),
        ("页面.html", b"<script>alert(1)</script>", "不支持的附件类型"),
        ("图件.zip", zip_bytes(["安装.exe"]), "可执行文件"),
        ("图件.zip", zip_bytes(["说明.exe."]), "可执行文件"),  # Windows drops the dot
        ("图件.zip", zip_bytes(["资料/设置.reg"]), "可执行文件"),
        ("图件.zip", zip_bytes(["打开.pif "]), "可执行文件"),
        ("图件.zip", zip_bytes(["脚本.wsf"]), "可执行文件"),
        ("图件.zip", b"PK\x03\x04broken", "已损坏"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(name, content, message, media):
    document = DocumentFactory()
    with pytest.raises(ValidationError) as excinfo:
        add_attachment(document, SimpleUploadedFile(name, content))
    assert message in " ".join(excinfo.value.messages)
    assert document.attachments.count() == 0
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_zip_of_too_many_entries_is_refused_from_its_end_record(monkeypatch):
    built = []
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: built.append(self))
    monkeypatch.setattr("disclosure.documents.uploads.MAX_ZIP_ENTRIES", 20)
    document = DocumentFactory()
    with pytest.raises(ValidationError, match="压缩包内含 21 个文件，超过上限 20 个"):
        add_attachment(
            document, SimpleUploadedFile("图件.zip", zip_bytes([f"{n}.txt" for n in range(21)]))
        )
    assert built == [] and document.attachments.count() == 0


def test_size_limit_comes_from_settings(settings):
    settings.DISCLOSURE_MAX_ATTACHMENT_BYTES = 1024
    with pytest.raises(ValidationError, match="附件过大"):
        add_attachment(DocumentFactory(), SimpleUploadedFile("大.pdf", PDF + b"x" * 2048))


def test_attachment_of_an_unpublished_document_is_404_for_everyone_anonymous(client):
    document = DocumentFactory()
    attachment = add_attachment(document, SimpleUploadedFile("草稿附件.pdf", PDF))
    url = reverse("disclosure:attachment", args=[document.pk, attachment.pk])
    assert client.get(url).status_code == 404
    # The stored file has no public URL of its own.
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_public_attachment_downloads_under_its_chinese_name(client):
    document = DocumentFactory()
    attachment = add_attachment(document, SimpleUploadedFile("铜梁区政务公开标准目录.pdf", PDF))
    publish(document)
    response = client.get(reverse("disclosure:attachment", args=[document.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E9%93%9C%E6%A2%81" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"  # its kind, checked on upload


def test_attachment_of_another_document_is_404(client):
    public = publish(DocumentFactory())
    other = DocumentFactory()
    attachment = add_attachment(other, SimpleUploadedFile("别的.pdf", PDF))
    assert (
        client.get(reverse("disclosure:attachment", args=[public.pk, attachment.pk])).status_code
        == 404
    )


def test_a_public_pdf_opens_in_the_browser_and_the_page_offers_both(client):
    from disclosure.documents.services import withdraw
    from portal.actors import SYSTEM

    document = DocumentFactory()
    pdf = add_attachment(document, SimpleUploadedFile("政策原文.pdf", PDF))
    docx = add_attachment(
        document,
        SimpleUploadedFile("通知.docx", zip_bytes(["[Content_Types].xml", "word/document.xml"])),
    )
    view = reverse("disclosure:attachment-view", args=[document.pk, pdf.pk])
    assert client.get(view).status_code == 404  # not public yet
    publish(document)
    response = client.get(view)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert b"".join(response.streaming_content) == PDF
    # Only a PDF opens in the browser: the others are downloads.
    assert (
        client.get(reverse("disclosure:attachment-view", args=[document.pk, docx.pk])).status_code
        == 404
    )
    page = client.get(document.get_absolute_url()).content.decode()
    assert f'href="{view}"' in page and f'href="{pdf.get_absolute_url()}" download' in page
    assert f'href="{docx.get_absolute_url()}" download' in page
    assert "/view/" not in page.split(docx.original_name)[0].rsplit("<li>", 1)[1]
    withdraw(document, SYSTEM, "已废止")
    assert client.get(view).status_code == 404
