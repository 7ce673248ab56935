"""Directory files uploaded in the admin: checked by content, kept privately between the preview
and the import, and named to the browser only by a signed ticket.

The import re-reads the stored file; nothing the browser sends back is taken as the directory.
"""

import hashlib
import re
import secrets
import time
from pathlib import Path, PurePath

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from portal.office_files import OfficeFileRefused, check_archive

from .importer import DIRECTORY_ARCHIVE, MAX_BYTES

KEEP_SECONDS = 24 * 3600
TICKET_MAX_AGE = 3600
TICKET_SALT = "catalog.import_uploads.ticket"
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")
NOT_TEXT = (b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0", b"%PDF-")


def upload_folder():
    return Path(settings.PRIVATE_MEDIA_ROOT) / "catalog-imports"


def check_upload(uploaded):
    """The file's suffix ('.csv' or '.xlsx') when its name, size and content fit a directory;
    otherwise ValidationError with a message for the person who uploaded it."""
    suffix = PurePath(uploaded.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError(
            "请上传 .xlsx 或 .csv 格式的标准目录文件（.xls 请先在 Excel 中另存为 .xlsx）。"
        )
    if uploaded.size == 0:
        raise ValidationError("文件是空的。")
    if uploaded.size > MAX_BYTES:
        raise ValidationError(
            f"文件过大（{filesizeformat(uploaded.size)}）：标准目录文件不能超过 "
            f"{filesizeformat(MAX_BYTES)}。"
        )
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if suffix == ".xlsx":
        _check_workbook(uploaded, head)
    else:
        content = uploaded.read()
        uploaded.seek(0)
        if content.startswith(NOT_TEXT) or b"\x00" in content:
            raise ValidationError(
                "文件内容不是 CSV 文本（可能是 Excel 或 PDF 文件改了扩展名）。"
                "请上传 .xlsx 文件，或在 Excel 中另存为 CSV。"
            )
    return suffix


def _check_workbook(uploaded, head):
    """Refuse anything but a workbook within what a directory can be (``DIRECTORY_ARCHIVE``),
    reading only the zip's directory."""
    not_workbook = ValidationError(
        "文件内容不是 Excel .xlsx 工作簿（可能是 .xls、CSV 或 PDF 改了扩展名）。"
        "请在 Excel 中另存为 .xlsx 后重新上传。"
    )
    if not head.startswith(b"PK\x03\x04"):
        raise not_workbook
    try:
        check_archive(uploaded, "xlsx", DIRECTORY_ARCHIVE)
    except OfficeFileRefused as refused:
        raise not_workbook if refused.not_office else ValidationError(str(refused))


def store_upload(uploaded, suffix):
    """Keep a checked upload privately; returns its stored name and SHA-256."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    name = f"{secrets.token_hex(16)}{suffix}"
    digest = hashlib.sha256()
    with open(folder / name, "wb") as out:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            out.write(chunk)
    return name, digest.hexdigest()


def digest_of(path):
    """The SHA-256 of a stored upload, to tell it is the file the preview read."""
    digest = hashlib.sha256()
    with open(path, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _forget_old(folder):
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if STORED_NAME.match(path.name) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def stored_path(name):
    """The path of a stored upload, or None when it is gone or the name is not one of ours."""
    if not STORED_NAME.match(name or ""):
        return None
    path = upload_folder() / name
    return path if path.is_file() else None


def discard(name):
    path = stored_path(name)
    if path is not None:
        path.unlink(missing_ok=True)


def make_ticket(**values):
    return signing.dumps(values, salt=TICKET_SALT, compress=True)


def read_ticket(ticket):
    """The values of a ticket made in the last hour; signing.BadSignature otherwise."""
    return signing.loads(ticket or "", salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
