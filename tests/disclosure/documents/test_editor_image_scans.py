"""A progressive JPEG is decoded scan by scan, and every scan passes over the whole picture:
libjpeg accepts a scan repeated any number of times (a warning only). A scan of a plain
picture takes about fifty bytes, so a file under the size cap can hold some hundred thousand
of them over a 16 Mpx picture, and decoding it keeps a core busy for minutes (measured: 5,000
repeated scans over 4,000 × 4,000 pixels, 328 KB, take 5.7 s of CPU; 5 MB hold 99,000), past
the re-encode slot's period, so the site-wide bound on re-encodes no longer holds. Real
progressive photos have about ten scans; the re-encode refuses a JPEG with very many before
any decoding."""

import io
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disclosure.documents.uploads import reencode_editor_image

SOS = b"\xff\xda"


def _segments(data):
    """The JPEG ``data`` cut into its marker segments (a scan with its entropy-coded data)."""
    segments, at = [], 2
    while data[at : at + 2] != b"\xff\xd9":
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        end = at + 2 + length
        while data[at : at + 2] == SOS:  # the scan's data runs to the next marker
            end = data.index(b"\xff", end)
            if data[end + 1] != 0 and not 0xD0 <= data[end + 1] <= 0xD7:
                break
            end += 2
        segments.append(data[at:end])
        at = end
    return segments


def _many_scans(side, repeats):
    """A progressive JPEG whose first AC scan (with its Huffman table) is repeated."""
    buffer = io.BytesIO()
    Image.new("L", (side, side), 128).save(buffer, "JPEG", progressive=True, quality=90)
    segments = _segments(buffer.getvalue())
    for index, segment in enumerate(segments):
        if segment[:2] == SOS and segment[5 + 2 * segment[4]] >= 1:  # spectral start: AC
            repeated = segments[index - 1] + segment
            break
    head, tail = segments[: index + 1], segments[index + 1 :]
    return b"\xff\xd8" + b"".join(head) + repeated * repeats + b"".join(tail) + b"\xff\xd9"


def test_a_progressive_jpeg_is_decodable_with_its_repeated_scans():
    data = _many_scans(256, 2000)
    assert data.count(SOS) > 2000
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.size == (256, 256)


def test_a_jpeg_with_thousands_of_scans_is_refused_before_decoding():
    upload = SimpleUploadedFile("扫描.jpg", _many_scans(1000, 2000))
    with pytest.raises(ValidationError):
        reencode_editor_image(upload)


def test_an_ordinary_progressive_photo_is_kept():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(buffer, "JPEG", progressive=True)
    content, extension = reencode_editor_image(SimpleUploadedFile("照片.jpg", buffer.getvalue()))
    assert extension == "jpg"
    with Image.open(io.BytesIO(content)) as stored:
        assert stored.size == (640, 480)
