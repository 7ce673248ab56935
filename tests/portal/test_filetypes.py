"""portal.filetypes: what a file is, by its content."""

import io
import zipfile

import pytest
from PIL import Image

from portal.filetypes import BROKEN_ZIP, HEAD_BYTES, MAGIC, identify, sniff


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (10, 20, 30)).save(buffer, fmt)
    return buffer.getvalue()


def zip_bytes(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


@pytest.mark.parametrize(
    "content, family",
    [
        (PDF, "pdf"),
        (OLE2, "ole2"),
        (zip_bytes("a.txt"), "zip"),
        (zip_bytes(), "zip"),  # an empty archive is its end record alone
        (image_bytes("PNG"), "png"),
        (image_bytes("JPEG"), "jpeg"),
        (image_bytes("GIF"), "gif"),
        (b"GIF87a" + b"\x00" * 10, "gif"),
        (image_bytes("WEBP"), "webp"),
    ],
)
def test_each_family_is_told_by_its_first_bytes(content, family):
    assert sniff(content) == family
    assert sniff(content[:HEAD_BYTES]) == family


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"%PDF",  # cut before the dash
        b"%PD",
        b"\xd0\xcf\x11\xe0",  # half of the OLE2 signature
        b"PK\x03",
        b"\x89PNG",
        b"\xff\xd8",
        b"GIF8",
        b"RIFF\x00\x00\x00\x00WEB",  # a WEBP cut inside its form type
        b"RIFF\x00\x00\x00\x00WAVE",  # a RIFF that is a sound, not an image
        b"<html><body>hello</body></html>",
        b"\x00" * 64,
    ],
)
def test_short_and_unknown_files_are_nothing(content):
    assert sniff(content) is None


@pytest.mark.parametrize(
    "content, family",
    [
        # A GIF with a zip appended (a "GIFAR") is a GIF: only the start counts.
        (image_bytes("GIF") + zip_bytes("evil.class"), "gif"),
        # A PDF that carries a page after its header is still only a PDF.
        (PDF + b"<html><script>alert(1)</script></html>", "pdf"),
        # "%PDF-" anywhere but the start does not make a PDF (readers would accept it).
        (b"<html>" + PDF, None),
        (b"  " + image_bytes("PNG"), None),
        # A PNG signature that goes on as a JPEG stays a PNG; a JPEG marker alone is a JPEG.
        (b"\x89PNG\r\n\x1a\n\xff\xd8\xff", "png"),
        (b"\xff\xd8\xff\x89PNG\r\n\x1a\n", "jpeg"),
    ],
)
def test_polyglots_are_what_their_start_says(content, family):
    assert sniff(content) == family


@pytest.mark.parametrize(
    "content, family",
    [
        (zip_bytes("[Content_Types].xml", "word/document.xml"), "docx"),
        (zip_bytes("[Content_Types].xml", "xl/workbook.xml"), "xlsx"),
        (zip_bytes("OFD.xml", "Doc_0/Document.xml"), "ofd"),
        # An OFD that also looks like a Word file is an OFD: OFD.xml decides first.
        (zip_bytes("OFD.xml", "[Content_Types].xml", "word/document.xml"), "ofd"),
        # Office parts without the content-types part are a plain zip.
        (zip_bytes("word/document.xml"), "zip"),
        (zip_bytes("a.txt", "b/c.txt"), "zip"),
        (b"PK\x03\x04" + b"\x00" * 40, BROKEN_ZIP),
        (PDF, "pdf"),
        (b"plain text", None),
    ],
)
def test_identify_names_a_zip_by_its_parts(content, family):
    handle = io.BytesIO(content)
    handle.seek(3)
    assert identify(handle) == family
    assert handle.tell() == 0


def test_every_mark_fits_in_the_head_the_callers_read():
    for _family, marks in MAGIC:
        assert all(offset + len(mark) <= HEAD_BYTES for offset, mark in marks)
