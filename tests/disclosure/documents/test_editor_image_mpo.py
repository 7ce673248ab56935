"""A phone or camera photo that carries a second picture (a JPEG with a Multi-Picture Format
index, which Pillow opens as "MPO") is a JPEG to its owner and to the editor's name and content
check; the re-encode refuses it as damaged. It should be kept as a JPEG of its first picture."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disclosure.documents.uploads import reencode_editor_image


def test_a_jpeg_with_a_second_picture_is_stored_as_a_jpeg_of_the_first():
    buffer = io.BytesIO()
    first = Image.new("RGB", (64, 48), "red")
    first.save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (32, 24))])
    content, extension = reencode_editor_image(SimpleUploadedFile("照片.jpg", buffer.getvalue()))
    assert extension == "jpg"
    with Image.open(io.BytesIO(content)) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (64, 48)
