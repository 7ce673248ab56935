"""Before a PNG's first IDAT, Pillow inflates every iCCP chunk (up to 1 MB each, with no total)
and every compressed text chunk (up to 64 MB in all). A 5 MB proof of identity of thousands of
1 KB iCCP chunks, each inflating to 1 MB, costs about ten seconds per upload before any rate
limit, under the chunk cap: such a file, or one of many compressed text chunks, is refused
before Pillow reads it. A screenshot with one profile and a few text chunks is accepted."""

import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disclosure.applications import uploads

MEGABYTE_OF_TEXT = zlib.compress(b"a" * (1024 * 1024 - 16), 9)


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


def many(kind, prefix, count):
    return b"".join(png_chunk(kind, b"k%d" % i + prefix + MEGABYTE_OF_TEXT) for i in range(count))


@pytest.mark.parametrize(
    "extra",
    [
        many(b"iCCP", b"\x00\x00", 200),
        many(b"zTXt", b"\x00\x00", 60),
        many(b"iTXt", b"\x00\x01\x00\x00\x00", 60),
    ],
    ids=["profiles", "compressed-text", "compressed-international-text"],
)
def test_an_identity_png_of_many_inflating_chunks_is_refused_before_pillow(opened, extra):
    with pytest.raises(ValidationError):
        uploads.check_identity_file(SimpleUploadedFile("身份证.png", scan_png(extra)))
    assert opened == []


def test_a_screenshot_with_a_profile_and_some_text_is_accepted():
    profile = png_chunk(b"iCCP", b"Display P3\x00\x00" + zlib.compress(b"\x00" * 3_000))
    text = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"screenshot " * 50))
    xmp = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + b"<x:xmpmeta/>" * 40)
    content = scan_png(profile + text * 3 + xmp)
    checked = uploads.check_identity_file(SimpleUploadedFile("截图.png", content))
    assert checked.original_name == "截图.png"
