"""Directory files uploaded in the admin: checked by content, kept privately between the preview
and the import, and named to the browser only by a signed ticket.

The import re-reads the stored file; nothing the browser sends back is taken as the directory.
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from catalog.importer import DIRECTORY_ARCHIVE, MAX_BYTES
from portal import filetypes
from portal.office_files import OfficeFileRefused, check_archive
from portal.private_uploads import PrivateUploads, digest_of  # noqa: F401

UPLOADS = PrivateUploads("catalog-imports", (".csv", ".xlsx"), "catalog.import_uploads.ticket")
upload_folder = UPLOADS.folder


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
    family = filetypes.sniff(uploaded.read(filetypes.HEAD_BYTES))
    uploaded.seek(0)
    if suffix == ".xlsx":
        _check_workbook(uploaded, family)
    else:
        content = uploaded.read()
        uploaded.seek(0)
        if family is not None or b"\x00" in content:  # a workbook, PDF, image ... renamed
            raise ValidationError(
                "文件内容不是 CSV 文本（可能是 Excel 或 PDF 文件改了扩展名）。"
                "请上传 .xlsx 文件，或在 Excel 中另存为 CSV。"
            )
    return suffix


def _check_workbook(uploaded, family):
    """Refuse anything but a workbook within what a directory can be (``DIRECTORY_ARCHIVE``),
    reading only the zip's directory."""
    not_workbook = ValidationError(
        "文件内容不是 Excel .xlsx 工作簿（可能是 .xls、CSV 或 PDF 改了扩展名）。"
        "请在 Excel 中另存为 .xlsx 后重新上传。"
    )
    if family != "zip":
        raise not_workbook
    try:
        check_archive(uploaded, "xlsx", DIRECTORY_ARCHIVE)
    except OfficeFileRefused as refused:
        raise not_workbook if refused.not_office else ValidationError(str(refused))


def store_upload(uploaded, suffix):
    """Keep a checked upload privately; returns its stored name and SHA-256."""
    return UPLOADS.store(uploaded, suffix)


stored_path = UPLOADS.path
discard = UPLOADS.discard
make_ticket = UPLOADS.make_ticket
read_ticket = UPLOADS.read_ticket
