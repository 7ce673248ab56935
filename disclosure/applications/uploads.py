"""The proof of identity (身份证明): an image or a PDF, checked by its content, size-limited."""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from portal import filetypes
from portal.private_uploads import PrivateUploads

# What a proof of identity may be: its extension -> the family its content must show.
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
            # On SkipFile the parser closes each handler's ``file``: the later handlers' is
            # still the identity file already taken, which must stay open for the form.
            for handler in self.request.upload_handlers:
                if handler is not self:
                    handler.__dict__.pop("file", None)
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
    kind = filetypes.sniff(upload.read(filetypes.HEAD_BYTES))
    upload.seek(0)
    if kind is None or SUFFIXES.get(PurePath(name).suffix.lower()) != kind:
        raise ValidationError(
            _("身份证明只能上传 JPG、PNG 图片或 PDF 文件（按文件内容检查），“%(name)s”不是。"),
            params={"name": name},
        )
    if kind != "pdf":
        too_many = ValidationError(
            _("身份证明图片的像素过多（上限 %(limit)s 万像素），请缩小后重新上传。"),
            params={"limit": MAX_IDENTITY_IMAGE_PIXELS // 10_000},
        )
        if too_many_steps(upload.read(), kind):
            upload.seek(0)
            raise ValidationError(_("身份证明图片已损坏，无法打开。"))
        upload.seek(0)
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
    return CheckedIdentity(name, filetypes.CONTENT_TYPES[kind], upload.size)


# Pillow walks a JPEG's header (to its first scan) and a PNG's chunks in Python, one step per
# segment, chunk or fill byte. A photo has a few dozen segments before its first scan, a scan a
# few hundred chunks; a file of thousands of empty ones is refused before Pillow walks it.
MAX_JPEG_HEADER_STEPS = 200
MAX_PNG_CHUNKS = 10_000


def too_many_steps(data, kind):
    """Whether the JPEG header or PNG chunk list of ``data`` takes more steps than allowed."""
    if kind == "png":
        return too_many_png_chunks(data)
    at, steps = 2, 0
    while at + 1 < len(data) and steps <= MAX_JPEG_HEADER_STEPS:
        steps += 1
        if data[at] != 0xFF or data[at + 1] in (0x00, 0x01, 0xFF) or 0xD0 <= data[at + 1] <= 0xD8:
            at += 1
            continue
        if data[at + 1] == 0xDA:
            return False
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if read_entry_by_entry(data[at + 1], length, data[at + 9 : at + 10]):
            return True
        at += 2 + length
    return steps > MAX_JPEG_HEADER_STEPS


# Before the first IDAT Pillow inflates each iCCP chunk (to 1 MB, with no total) and each
# compressed text chunk (to 1 MB, 64 MB in all). A PNG has at most one iCCP; a screenshot a few
# compressed text chunks.
MAX_PNG_INFLATED_CHUNKS = 8


def too_many_png_chunks(data):
    """Whether a PNG has more chunks than allowed, or before its pixels more than one profile
    or more chunks that Pillow inflates than MAX_PNG_INFLATED_CHUNKS."""
    at, chunks, inflated, profiles = 8, 0, 0, 0
    while at + 8 <= len(data) and chunks <= MAX_PNG_CHUNKS:
        length, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        if kind == b"IDAT":  # Pillow reads no chunk past the first pixels before verify()
            break
        profiles += kind == b"iCCP"
        inflated += kind in (b"iCCP", b"zTXt", b"iTXt")
        at += 12 + length
        chunks += 1
    while at + 8 <= len(data) and chunks <= MAX_PNG_CHUNKS:
        at += 12 + int.from_bytes(data[at : at + 4], "big")
        chunks += 1
    return chunks > MAX_PNG_CHUNKS or profiles > 1 or inflated > MAX_PNG_INFLATED_CHUNKS


# Pillow reads a frame header (SOF) three bytes at a time to its end and a DQT segment table by
# table: a frame header is as long as its components, a DQT holds at most the four tables a
# JPEG may define (of 16-bit entries).
FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
MAX_DQT_LENGTH = 2 + 4 * 129


def read_entry_by_entry(marker, length, components):
    """Whether a segment is longer than what Pillow reads entry by entry may be."""
    if marker in FRAME_MARKERS:
        return length != 8 + 3 * (components[0] if components else 0)
    return marker == 0xDB and length > MAX_DQT_LENGTH


# An identity file accepted with a form that came back with other errors, kept (privately, a
# day at most, swept by the purge command too) so the applicant need not choose it again.
KEPT_IDENTITY = PrivateUploads(
    "applications/kept-identity", (".jpg", ".png", ".pdf"), "applications.kept-identity"
)
IDENTITY_SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
