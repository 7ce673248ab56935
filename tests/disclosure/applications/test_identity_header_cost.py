"""The public form's proof of identity is opened by Pillow before any rate limit applies.
Pillow reads a JPEG's header and a PNG's chunks in Python, one step per segment, chunk or fill
byte, so a 5 MB file of nothing but empty segments costs seconds: such a file is refused before
Pillow walks it, and an ordinary photo or scan is still accepted."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disclosure.applications import uploads


def photo_jpeg():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 1  # orientation, as a phone writes it
    Image.new("RGB", (64, 48), (200, 180, 160)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def scan_png(extra=b""):
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    pixels = png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + extra + pixels + png_chunk(b"IEND", b"")


@pytest.fixture
def opened(monkeypatch):
    calls = []
    real_open = Image.open

    def recording_open(*args, **kwargs):
        calls.append(args)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(uploads.Image, "open", recording_open)
    return calls


@pytest.mark.parametrize(
    "name, content",
    [
        ("身份证.jpg", photo_jpeg()[:2] + b"\xff\xfe\x00\x02" * 20_000 + photo_jpeg()[2:]),
        ("身份证.jpg", photo_jpeg()[:2] + b"\xff" * 80_000 + photo_jpeg()[2:]),
        ("身份证.png", scan_png(png_chunk(b"abCd", b"") * 20_000)),
    ],
    ids=["jpeg-empty-segments", "jpeg-fill-bytes", "png-empty-chunks"],
)
def test_an_identity_image_of_empty_segments_is_refused_before_pillow_walks_it(
    opened, name, content
):
    with pytest.raises(ValidationError):
        uploads.check_identity_file(SimpleUploadedFile(name, content))
    assert opened == []


@pytest.mark.parametrize(
    "name, content",
    [("身份证.jpg", photo_jpeg()), ("身份证.png", scan_png(png_chunk(b"tEXt", b"Software\x00x")))],
)
def test_an_ordinary_identity_photo_or_scan_is_accepted(name, content):
    checked = uploads.check_identity_file(SimpleUploadedFile(name, content))
    assert checked.original_name == name
