"""The proof of identity (身份证明): an image or a PDF, checked by its content, size-limited."""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from portal.media import sniff_image

CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
SUFFIXES = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}


@dataclass(frozen=True)
class CheckedIdentity:
    original_name: str
    content_type: str
    size: int


def check_identity_file(upload):
    """Raise ValidationError (Chinese) unless ``upload`` is a JPG, PNG or PDF of allowed size."""
    name = PurePath(upload.name or "").name[:200]
    limit = settings.APPLICATION_MAX_IDENTITY_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("身份证明文件过大（%(size)s），上限为 %(limit)s。"),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("身份证明文件是空文件。"))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = "pdf" if head.startswith(b"%PDF-") else sniff_image(head)
    if kind not in CONTENT_TYPES or SUFFIXES.get(PurePath(name).suffix.lower()) != kind:
        raise ValidationError(
            _("身份证明只能上传 JPG、PNG 图片或 PDF 文件（按文件内容检查），“%(name)s”不是。"),
            params={"name": name},
        )
    if kind != "pdf":
        try:
            with Image.open(upload) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise ValidationError(_("身份证明图片已损坏，无法打开。")) from None
        finally:
            upload.seek(0)
    return CheckedIdentity(name, CONTENT_TYPES[kind], upload.size)
