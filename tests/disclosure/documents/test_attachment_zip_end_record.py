"""An attachment zip's end record states how many entries it holds, but Python's zipfile reads
the central directory by its size and builds every entry it finds there: the count the end
record states cannot be what bounds the entries built."""

import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.documents.services import add_attachment
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def zip_stating(count, entries):
    """A zip of ``entries`` small files whose end record states ``count`` entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(entries):
            archive.writestr(f"{number}.txt", "x")
    data = bytearray(buffer.getvalue())
    at = data.rfind(b"PK\x05\x06")
    data[at + 8 : at + 12] = struct.pack("<HH", count, count)
    return bytes(data)


@pytest.mark.parametrize("stated", [1, 0xFFFF])
def test_a_zip_whose_end_record_understates_its_entries_is_refused(monkeypatch, stated):
    monkeypatch.setattr("disclosure.documents.uploads.MAX_ZIP_ENTRIES", 20)
    content = zip_stating(stated, 21)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert len(archive.namelist()) == 21  # what zipfile builds, whatever the count says
    document = DocumentFactory()
    with pytest.raises(ValidationError) as excinfo:
        add_attachment(document, SimpleUploadedFile("图件.zip", content))
    assert excinfo.value.error_list[0].code == "zip_entries"
    assert document.attachments.count() == 0


def test_a_zip_of_as_many_entries_as_the_cap_is_kept(monkeypatch):
    monkeypatch.setattr("disclosure.documents.uploads.MAX_ZIP_ENTRIES", 20)
    document = DocumentFactory()
    attachment = add_attachment(document, SimpleUploadedFile("图件.zip", zip_stating(20, 20)))
    assert attachment.kind == "zip"
