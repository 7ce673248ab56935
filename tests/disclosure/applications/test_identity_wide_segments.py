"""A proof of identity's JPEG header is walked by Pillow in Python, and two of its segments are
read entry by entry: a frame header (SOF) by its bytes, three at a time, and a quantisation
table segment (DQT) table by table. A few dozen full-length ones stay under the step cap and
cost a third of a second and more than 100 MB per upload, before any rate limit: a frame header
longer than its components, or more tables than a JPEG may define, is refused before Pillow
reads it. A phone photo (EXIF, several tables in one segment) is still accepted."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disclosure.applications import uploads


def segment(marker, body):
    return b"\xff" + bytes([marker]) + (len(body) + 2).to_bytes(2, "big") + body


FRAME = segment(0xC0, b"\x08\x00\x10\x00\x10\x01\x01\x11\x00")
SCAN = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + bytes(10) + b"\xff\xd9"


def jpeg(header):
    return b"\xff\xd8" + header + SCAN


def wide_frames(count):
    body = b"\x08\x00\x10\x00\x10\x01" + b"\x01\x11\x00" * 21_840
    return jpeg(segment(0xC0, body) * count)


def many_tables(count):
    return jpeg(segment(0xDB, (b"\x00" + bytes(64)) * 1_008) * count + FRAME)


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
    "content", [wide_frames(79), many_tables(79)], ids=["wide-frame-headers", "many-tables"]
)
def test_an_identity_jpeg_of_long_frame_or_table_segments_is_refused_before_pillow(opened, content):
    assert len(content) < 5 * 1024 * 1024
    with pytest.raises(ValidationError):
        uploads.check_identity_file(SimpleUploadedFile("身份证.jpg", content))
    assert opened == []


def test_a_phone_photo_with_exif_and_its_tables_is_accepted():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (640, 480), (90, 120, 150)).save(
        buffer, "JPEG", exif=exif.tobytes(), quality=92, progressive=True
    )
    checked = uploads.check_identity_file(SimpleUploadedFile("身份证.jpg", buffer.getvalue()))
    assert checked.original_name == "身份证.jpg"
