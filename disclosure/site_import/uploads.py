"""Packages uploaded in the admin: checked from the zip's directory, kept privately between the
preview and the import, and named to the browser only by a signed ticket. The import reads the
stored file again; nothing the browser sends back is taken as the package."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from disclosure.site_import.package import UPLOAD_LIMITS
from portal.office_files import OfficeFileRefused, check_zip
from portal.private_uploads import PrivateUploads

UPLOADS = PrivateUploads("site-imports", (".zip",), "disclosure.site_import.ticket")
upload_folder = UPLOADS.folder


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
    return UPLOADS.store(uploaded, ".zip")


stored_path = UPLOADS.path
discard = UPLOADS.discard
make_ticket = UPLOADS.make_ticket
read_ticket = UPLOADS.read_ticket
