"""A phone photo with a gain map or depth map (a JPEG whose Multi-Picture index names a second,
smaller picture: Pillow opens it as "MPO") is stored as a JPEG of its first picture, so only the
first picture is decoded and only its pixels count against the cap. Counting every picture's
canvas refuses a photo under the cap as too large (a 12.5 Mpx phone photo with its quarter-size
gain map counts as 25 Mpx)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disclosure.documents import uploads
from disclosure.documents.uploads import reencode_editor_image

# The shape of a phone photo at a smaller scale: the first picture at 78% of the cap, a
# second picture a quarter of its width and height.
CAP = 1_000_000
FIRST, SECOND = (1020, 768), (255, 192)


def _photo(first, second):
    buffer = io.BytesIO()
    Image.new("RGB", first, "red").save(
        buffer, "MPO", save_all=True, append_images=[Image.new("RGB", second, "blue")]
    )
    return SimpleUploadedFile("照片.jpg", buffer.getvalue())


def test_a_photo_under_the_cap_with_a_small_second_picture_is_kept(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_EDITOR_IMAGE_PIXELS", CAP)
    content, extension = reencode_editor_image(_photo(FIRST, SECOND))
    assert extension == "jpg"
    with Image.open(io.BytesIO(content)) as stored:
        assert (stored.format, stored.size) == ("JPEG", FIRST)


def test_a_first_picture_over_the_cap_is_still_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_EDITOR_IMAGE_PIXELS", CAP)
    with pytest.raises(ValidationError) as refused:
        reencode_editor_image(_photo((1200, 900), SECOND))
    assert refused.value.code == "pixels"
