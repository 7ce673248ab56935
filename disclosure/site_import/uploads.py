"""Packages uploaded in the admin: checked from the zip's directory, kept privately between the
preview and the import, and named to the browser only by a signed ticket. The import reads the
stored file again; nothing the browser sends back is taken as the package."""

import hashlib
import re
import secrets
import time
from pathlib import Path, PurePath

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from disclosure.site_import.package import UPLOAD_LIMITS
from portal.office_files import OfficeFileRefused, check_zip

KEEP_SECONDS = 24 * 3600
TICKET_MAX_AGE = 3600
TICKET_SALT = "disclosure.site_import.ticket"
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.zip$")


def upload_folder():
    return Path(settings.PRIVATE_MEDIA_ROOT) / "site-imports"


def check_upload(uploaded):
    """ValidationError (Chinese) unless ``uploaded`` is a zip within UPLOAD_LIMITS."""
    if PurePath(uploaded.name or "").suffix.lower() != ".zip":
        raise ValidationError("请上传 .zip 文件包（元数据文件、bodies/ 和 attachments/ 文件夹）。")
    if uploaded.size == 0:
        raise ValidationError("文件是空的。")
    if uploaded.size > UPLOAD_LIMITS.max_bytes:
        raise ValidationError(
            f"文件包过大（{filesizeformat(uploaded.size)}），上限为 "
            f"{filesizeformat(UPLOAD_LIMITS.max_bytes)}；更大的网站请用 import_site 命令导入。"
        )
    uploaded.seek(0)
    head = uploaded.read(4)
    uploaded.seek(0)
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise ValidationError("文件内容不是 zip 压缩包（可能是其他格式改了扩展名）。")
    try:
        check_zip(uploaded, UPLOAD_LIMITS, "文件包")
    except OfficeFileRefused as refused:
        raise ValidationError(str(refused)) from None


def store_upload(uploaded):
    """Keep a checked upload privately; returns its stored name and SHA-256."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if STORED_NAME.match(path.name) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    name = f"{secrets.token_hex(16)}.zip"
    digest = hashlib.sha256()
    with open(folder / name, "wb") as out:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            out.write(chunk)
    return name, digest.hexdigest()


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
