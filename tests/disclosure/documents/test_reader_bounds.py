"""What reading an uploaded file may cost is bounded by the file's own limits, not only by what
it declares: a GIF's frames on a large canvas, a .docx main part of countless empty elements."""

import io
import random
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import GifImagePlugin

from disclosure.documents.uploads import reencode_editor_image
from disclosure.proposals.letter_files import read_letter_file

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def sparse_animation(side, frames):
    """A GIF of ``frames`` frames of one pixel each on a ``side`` × ``side`` canvas: a few bytes
    a frame on disk, the whole canvas for each frame decoded."""
    data = bytearray(b"GIF89a" + struct.pack("<HH", side, side) + bytes([0x80, 0, 0]))
    data += b"\x00\x00\x00\xff\xff\xff"
    data += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    for index in range(frames):
        data += b"\x21\xf9\x04\x00\x01\x00\x00\x00"
        x, y = (index * 7) % side, (index * 13) % side
        data += b"," + struct.pack("<HHHH", x, y, 1, 1) + b"\x00"
        data += b"\x02\x02\x44\x01\x00"
    return bytes(data + b";")


def test_an_animation_on_a_large_canvas_is_refused_before_its_frames_are_decoded(monkeypatch):
    decoded = []
    load_end = GifImagePlugin.GifImageFile.load_end

    def counting(image):
        decoded.append(image.tell())
        return load_end(image)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "load_end", counting)
    upload = SimpleUploadedFile("动图.gif", sparse_animation(4500, 30))
    assert upload.size < 1_000  # 30 frames of 20 megapixels each once decoded
    with pytest.raises(ValidationError) as refused:
        reencode_editor_image(upload)
    assert refused.value.code == "pixels"
    # Two frames already hold more than MAX_EDITOR_IMAGE_PIXELS: no more need decoding.
    assert len(decoded) <= 2


def docx_of_empty_elements(count):
    letters = random.Random(1)
    # Attribute values at random keep the part's compression ratio near 10:1, under the limit.
    body = "".join(
        f'<w:x a="{letters.choice("abcdefghijklmnopqrstuvwxyz")}"/>' for _ in range(count)
    )
    xml = (
        f'<w:document xmlns:w="{W}"><w:body>{body}'
        "<w:p><w:r><w:t>复函</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def test_a_letter_of_countless_empty_elements_is_refused():
    # Within every archive limit (small file, ratio under 100:1), but each element outside a
    # paragraph stays in the parsed tree: 3 MB of such a file took 900 MB to read.
    data = docx_of_empty_elements(300_000)
    with pytest.raises(ValidationError):
        read_letter_file(SimpleUploadedFile("复函.docx", data))
