"""What reading an uploaded file may cost stays bounded when the file is shaped around the
bounds: a GIF whose canvas grows once its frames are read, a .docx main part whose bulk is not
elements (comments, processing instructions)."""

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


def growing_animation(side, frames):
    """A GIF that declares a 1 × 1 canvas; its second frame stands at (side - 1, side - 1), so
    the canvas becomes ``side`` × ``side`` once that frame is read, and every later frame is
    decoded onto the whole of it."""
    data = bytearray(b"GIF89a" + struct.pack("<HH", 1, 1) + bytes([0x80, 0, 0]))
    data += b"\x00\x00\x00\xff\xff\xff"
    data += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    for index in range(frames):
        data += b"\x21\xf9\x04\x00\x01\x00\x00\x00"
        corner = side - 1 if index == 1 else 0
        data += b"," + struct.pack("<HHHH", corner, corner, 1, 1) + b"\x00"
        data += b"\x02\x02\x44\x01\x00"
    return bytes(data + b";")


def test_an_animation_whose_canvas_grows_is_refused_before_its_frames_are_decoded(monkeypatch):
    decoded = []
    load_end = GifImagePlugin.GifImageFile.load_end

    def counting(image):
        decoded.append(image.tell())
        return load_end(image)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "load_end", counting)
    upload = SimpleUploadedFile("动图.gif", growing_animation(4500, 30))
    assert upload.size < 1_000  # declares one pixel; 20 megapixels a frame once read
    with pytest.raises(ValidationError) as refused:
        reencode_editor_image(upload)
    assert refused.value.code == "pixels"
    # The canvas is known to be 4500 × 4500 after the second frame: three frames at most.
    assert len(decoded) <= 3


def docx_of_comments(count):
    letters = random.Random(1)
    # A letter of random content keeps the part's compression ratio under the limit.
    body = "".join(f"<!--{letters.choice('abcdefghijklmnopqrstuvwxyz')}-->" for _ in range(count))
    xml = (
        f'<w:document xmlns:w="{W}"><w:body>{body}'
        "<w:p><w:r><w:t>复函</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def test_a_letter_of_countless_comments_is_refused_like_countless_elements():
    # Comments (and processing instructions) stay in the parsed tree and are never counted as
    # elements: 29 MB of them in a 4 MB file took 626 MB to read, and the letter was accepted.
    data = docx_of_comments(300_000)
    with pytest.raises(ValidationError):
        read_letter_file(SimpleUploadedFile("复函.docx", data))


def test_a_letter_whose_main_part_declares_a_dtd_is_refused():
    # Package parts carry no DTD (ECMA-376 Part 2 forbids DTD declarations), and its declarations are
    # parsed and kept whatever the element count: a 4 MB file of 1.3 million entity
    # declarations took 498 MB and 5.5 s before it was refused. One declaration is enough to
    # refuse the file, before any of it is parsed.
    xml = (
        '<!DOCTYPE w:document [<!ENTITY greeting "您好">]>'
        f'<w:document xmlns:w="{W}"><w:body>'
        "<w:p><w:r><w:t>复函</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    with pytest.raises(ValidationError):
        read_letter_file(SimpleUploadedFile("复函.docx", buffer.getvalue()))


def test_a_letter_in_utf16_whose_main_part_declares_a_dtd_is_refused():
    # The DOCTYPE check reads the prolog's bytes as ASCII; in UTF-16 (declared, or found by the
    # parser from "<\0?\0") "<!DOCTYPE" is "<\0!\0D\0…", the check sees a root element and
    # passes, and the parser reads the whole internal subset: 450,000 declarations in a 1.2 MB
    # file took 135 MB and were accepted.
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<!DOCTYPE w:document [<!ENTITY greeting "您好">]>'
        f'<w:document xmlns:w="{W}"><w:body>'
        "<w:p><w:r><w:t>复函</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml.encode("utf-16-le"))
    with pytest.raises(ValidationError):
        read_letter_file(SimpleUploadedFile("复函.docx", buffer.getvalue()))


def test_a_letter_whose_dtd_stands_after_a_comment_longer_than_the_prolog_window_is_refused():
    # The DOCTYPE check reads the part's first 64 KB; a comment running past them leaves an
    # unfinished "<!--" where the check looks for the root, which it takes for the root. The
    # DTD after the comment is then parsed: 300,000 declarations (a 1 MB file) took 87 MB and
    # the letter was accepted; 1.3 million (4 MB) took 372 MB and 1.9 s before a refusal.
    pad = "".join(random.Random(1).choice("abcdefghijklmnopqrstuvwxyz") for _ in range(70_000))
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><!--{pad}-->'
        '<!DOCTYPE w:document [<!ENTITY greeting "您好">]>'
        f'<w:document xmlns:w="{W}"><w:body>'
        "<w:p><w:r><w:t>复函</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    with pytest.raises(ValidationError):
        read_letter_file(SimpleUploadedFile("复函.docx", buffer.getvalue()))
