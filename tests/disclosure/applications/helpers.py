"""Test data for the public side of 依申请公开: valid and wrong numbers, files, form data."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disclosure.applications.identity import resident_check_digit
from tests.factories import credit_code_for

ID_BASE = "50022419850315123"
VALID_ID = ID_BASE + resident_check_digit(ID_BASE)
# The same number with another check character.
WRONG_ID = ID_BASE + ("0" if VALID_ID[-1] != "0" else "1")
VALID_CREDIT_CODE = credit_code_for(4242)
WRONG_CREDIT_CODE = VALID_CREDIT_CODE[:-1] + ("0" if VALID_CREDIT_CODE[-1] != "0" else "1")


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name="身份证.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def png_declaring(width, height, name="身份证.png"):
    """A small PNG whose header declares ``width`` × ``height`` pixels (its data is one byte)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    content = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))
    return SimpleUploadedFile(name, content + chunk(b"IEND", b""), content_type="image/png")


def pdf_upload(name="营业执照.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def with_lookup_code(**kwargs):
    """(an application made online for 网上获取, its 查询码)."""
    from disclosure.applications.models import Application, lookup_code_digest, new_lookup_code
    from tests.factories import ApplicationFactory

    code = new_lookup_code()
    fields = {"channel": Application.Channel.ONLINE, "delivery": Application.Delivery.ONLINE}
    application = ApplicationFactory(lookup_digest=lookup_code_digest(code), **fields | kwargs)
    return application, code


def give_information(application, name="所申请的信息.pdf"):
    """Attach a file to give the applicant, as the clerk does in the answer step."""
    from disclosure.applications import services
    from portal.actors import SYSTEM

    return services.add_released_files(application, SYSTEM, [pdf_upload(name)])


def person_data(**overrides):
    data = {
        "applicant_type": "person",
        "person_name": "李四",
        "id_type": "resident",
        "id_number": VALID_ID,
        "work_unit": "",
        "person_phone": "138 0000 5678",
        "person_email": "lisi@example.com",
        "person_address": "重庆市铜梁区巴川街道中兴路8号",
        "postcode": "402560",
        "info_title": "2025年铜梁区道路维修计划",
        "info_number": "",
        "description": "请提供2025年铜梁区城区道路维修计划的路段清单。",
        "medium": "electronic",
        "delivery": "online",
        "website": "",
    }
    data.update(overrides)
    return data


def organisation_data(**overrides):
    data = {
        "applicant_type": "business",
        "org_name": "重庆某某建材有限公司",
        "credit_code": VALID_CREDIT_CODE,
        "legal_representative": "王五",
        "contact_person": "赵六",
        "org_phone": "023-45678901",
        "org_email": "",
        "org_address": "重庆市铜梁区东城街道工业园1号",
        "info_title": "铜梁区2025年政府采购意向公开",
        "info_number": "铜财发〔2025〕3号",
        "description": "请提供该文件全文。",
        "medium": "paper",
        "delivery": "post",
        "website": "",
    }
    data.update(overrides)
    return data


def files_under(root):
    return [path for path in root.rglob("*") if path.is_file()]
