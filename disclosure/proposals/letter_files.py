"""Reply letters uploaded as files: Word .docx (a .wps or .doc saved as .docx is one) and plain
text (.txt in UTF-8 or GB18030). The file is recognised by its content, not its name, and what
reading it may cost is bounded before anything is read: the file's size, and for a .docx (a zip
of XML parts) the number of parts, what they inflate to and each part's compression ratio,
from the zip's directory alone; then the length of the text taken from it.
"""

import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.office_files import (
    ArchiveLimits,
    DocxUnreadable,
    OfficeFileRefused,
    check_archive,
    docx_lines,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PARTS = 300
MAX_UNCOMPRESSED_BYTES = 30 * 1024 * 1024
MAX_RATIO = 100
MAX_TEXT_CHARS = 100_000
WORD_NAMES = {".docx", ".doc", ".wps"}
TEXT_NAMES = {".txt"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc / .wps as such, not saved as .docx


def read_letter_file(upload):
    """The text of an uploaded letter (a Django UploadedFile), or ValidationError saying in
    Chinese why the file is not read."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in WORD_NAMES | TEXT_NAMES:
        raise ValidationError(
            _("只能上传 Word（.docx）或文本（.txt）文件；.wps、.doc 请先另存为 .docx。")
        )
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("文件过大（%(size)s）：复函文件不能超过 %(limit)s。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_FILE_BYTES)}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        if suffix in TEXT_NAMES:
            raise ValidationError(_("文件不是文本文件（内容是压缩包或 Word 文档），请检查扩展名。"))
        text = docx_text(upload)
    elif suffix in WORD_NAMES:
        raise ValidationError(not_docx_message(head))
    else:
        text = plain_text(upload.read())
    return check_text_length(text)


def not_docx_message(head):
    if head.startswith(OLE_MAGIC):
        return _("这是旧版 Word（.doc）或 WPS 格式的文件，请在 Word 或 WPS 中另存为 .docx 后上传。")
    if head.startswith(b"%PDF"):
        return _(
            "这是 PDF 文件，不是 Word .docx 文档（扩展名被改过）。请上传 .docx 或粘贴复函文字。"
        )
    return _("文件不是 Word .docx 文档（可能是其他格式改了扩展名）。")


LETTER_LIMITS = ArchiveLimits(
    max_bytes=MAX_FILE_BYTES,
    max_members=MAX_PARTS,
    max_uncompressed=MAX_UNCOMPRESSED_BYTES,
    max_ratio=MAX_RATIO,
)


def check_docx_archive(file):
    """Raise ValidationError unless ``file`` is a .docx within the letters' limits; reads only
    the zip's directory and inflates nothing (``portal.office_files``)."""
    try:
        check_archive(file, "docx", LETTER_LIMITS)
    except OfficeFileRefused as refused:
        raise ValidationError(str(refused)) from None


def docx_text(file):
    """The paragraphs and table cells of a .docx, one line each, in the order they stand."""
    check_docx_archive(file)
    try:
        lines = docx_lines(file, MAX_TEXT_CHARS)
    except (DocxUnreadable, zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ValidationError(
            _("Word 文档已损坏，无法读取。请在 Word 或 WPS 中另存为 .docx 后重试。")
        ) from None
    return "\n".join(lines)


def plain_text(data):
    """UTF-8 (with or without a BOM), else GB18030; anything else is refused."""
    if b"\x00" in data or data.startswith(b"%PDF"):
        raise ValidationError(_("文件不是文本文件（可能是其他格式改了扩展名）。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("文本文件的编码无法识别，请另存为 UTF-8 或 GB18030 编码后上传。"))


def check_text_length(text):
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            _("文件文字超过 %(limit)s 字，不像一封复函；请只上传复函本身。")
            % {"limit": MAX_TEXT_CHARS}
        )
    if not text.strip():
        raise ValidationError(_("文件里没有文字。"))
    return text
