"""The zip readers bound the entries zipfile builds by the count the end record states, but
zipfile reads the central directory by its size: an end record that understates the count must
not let a zip of more entries through, nor let zipfile build them first."""

import io
import struct
import zipfile

import pytest

from portal.office_files import ArchiveLimits, OfficeFileRefused, check_archive, check_zip

LIMITS = ArchiveLimits(max_bytes=1024 * 1024, max_members=20, max_uncompressed=10**7, max_ratio=100)


def zip_stating(count, names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, "x")
    data = bytearray(buffer.getvalue())
    at = data.rfind(b"PK\x05\x06")
    data[at + 8 : at + 12] = struct.pack("<HH", count, count)
    return io.BytesIO(bytes(data))


@pytest.fixture
def built(monkeypatch):
    archives = []
    real = zipfile.ZipFile._RealGetContents

    def recording(self):
        archives.append(self)
        return real(self)

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", recording)
    return archives


@pytest.mark.parametrize("stated", [1, 0xFFFF])
def test_check_zip_refuses_an_understated_zip_before_building_its_entries(built, stated):
    with pytest.raises(OfficeFileRefused, match="超过"):
        check_zip(zip_stating(stated, [f"{n}.html" for n in range(21)]), LIMITS, "文件包")
    assert built == []


@pytest.mark.parametrize("stated", [1, 0xFFFF])
def test_check_archive_refuses_an_understated_docx_before_building_its_entries(built, stated):
    names = ["[Content_Types].xml", "word/document.xml"] + [f"word/{n}.xml" for n in range(19)]
    with pytest.raises(OfficeFileRefused, match="超过"):
        check_archive(zip_stating(stated, names), "docx", LIMITS)
    assert built == []


def test_a_zip_at_the_cap_is_read(built):
    members = check_zip(zip_stating(20, [f"{n}.html" for n in range(20)]), LIMITS, "文件包")
    assert len(members) == 20
