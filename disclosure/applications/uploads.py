"""The proof of identity (身份证明): an image or a PDF, checked by its content, size-limited."""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from portal.media import sniff_image

CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
SUFFIXES = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}
# A phone's largest photo (64 Mpx) passes; staff's viewers need not open more.
MAX_IDENTITY_IMAGE_PIXELS = 80_000_000


@dataclass(frozen=True)
class CheckedIdentity:
    original_name: str
    content_type: str
    size: int


def too_large_message():
    limit = filesizeformat(settings.APPLICATION_MAX_IDENTITY_BYTES)
    return _("身份证明文件过大，上限为 %(limit)s。") % {"limit": limit}


class IdentityUploadLimit(FileUploadHandler):
    """First of the public form's upload handlers: the one file field ``field_name`` is passed
    on to Django's handlers (memory, temporary file) up to the size limit; any other file, and
    the rest of a larger one, is read past without being kept. ``too_large`` tells the form."""

    def __init__(self, request=None, field_name="identity_file"):
        super().__init__(request)
        self.wanted, self.taken, self.too_large = field_name, False, False

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        if field_name != self.wanted or self.taken:
            raise SkipFile
        self.taken = True

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.APPLICATION_MAX_IDENTITY_BYTES:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file


def check_identity_file(upload):
    """Raise ValidationError (Chinese) unless ``upload`` is a JPG, PNG or PDF of allowed size
    (an image also of at most MAX_IDENTITY_IMAGE_PIXELS, read from its header)."""
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
        too_many = ValidationError(
            _("身份证明图片的像素过多（上限 %(limit)s 万像素），请缩小后重新上传。"),
            params={"limit": MAX_IDENTITY_IMAGE_PIXELS // 10_000},
        )
        try:
            with Image.open(upload) as image:
                if image.width * image.height > MAX_IDENTITY_IMAGE_PIXELS:
                    raise too_many
                image.verify()
        except Image.DecompressionBombError:  # Pillow's own refusal, past about 179 Mpx
            raise too_many from None
        except ValidationError:
            raise
        except Exception:  # noqa: BLE001 - whatever a malformed file makes Pillow raise
            raise ValidationError(_("身份证明图片已损坏，无法打开。")) from None
        finally:
            upload.seek(0)
    return CheckedIdentity(name, CONTENT_TYPES[kind], upload.size)
