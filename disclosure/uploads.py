"""Checks an uploaded file by its content (magic bytes) as well as by its name."""

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence

from portal.media import sniff_image

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_HEADERS = (b"PK\x03\x04", b"PK\x05\x06")

# Extension -> (kind, content family).
EXTENSIONS = {
    ".pdf": ("pdf", "pdf"),
    ".ofd": ("ofd", "ofd"),
    ".doc": ("doc", "ole2"),
    ".xls": ("xls", "ole2"),
    ".wps": ("wps", "ole2"),
    ".et": ("et", "ole2"),
    ".docx": ("docx", "docx"),
    ".xlsx": ("xlsx", "xlsx"),
    ".zip": ("zip", "zip"),
    ".jpg": ("jpg", "jpeg"),
    ".jpeg": ("jpg", "jpeg"),
    ".png": ("png", "png"),
}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
EXECUTABLE_SUFFIXES = {
    ".exe", ".dll", ".com", ".bat", ".cmd", ".scr", ".msi", ".vbs", ".js", ".jse", ".ps1",
    ".sh", ".jar", ".apk", ".lnk", ".hta", ".cpl",
}  # fmt: skip


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    size: int
    sha256: str
    original_name: str


def sniff(head):
    """The content family the first bytes show, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(OLE2):
        return "ole2"
    if head.startswith(ZIP_HEADERS):
        return "zip"
    return sniff_image(head)


def _zip_names(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)


def _zip_family(names):
    lowered = {n.lower() for n in names}
    if "ofd.xml" in lowered:
        return "ofd"
    if "[content_types].xml" in lowered:
        if any(n.startswith("word/") for n in lowered):
            return "docx"
        if any(n.startswith("xl/") for n in lowered):
            return "xlsx"
    return "zip"


def _digest(upload):
    upload.seek(0)
    sha = hashlib.sha256()
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
    ):
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def check_attachment(upload, name=None):
    """Validate an attachment; returns CheckedFile or raises ValidationError (Chinese)."""
    name = name or PurePath(upload.name).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValidationError(
            _(
                "不支持的附件类型“%(suffix)s”。可上传 PDF、OFD、DOC/DOCX、XLS/XLSX、WPS/ET、ZIP、JPG/PNG。"
            ),
            code="extension",
            params={"suffix": suffix or name},
        )
    size = upload.size
    limit = settings.DISCLOSURE_MAX_ATTACHMENT_BYTES
    if size > limit:
        raise ValidationError(
            _("附件过大（%(size)s），上限为 %(limit)s。"),
            code="size",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    if size == 0:
        raise ValidationError(_("附件是空文件。"), code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind, expected = EXTENSIONS[suffix]
    family = sniff(head)
    if family == "zip":
        names = _zip_names(upload)
        if names is None:
            raise ValidationError(
                _("附件“%(name)s”已损坏，无法打开。"), code="corrupt", params={"name": name}
            )
        family = _zip_family(names)
        if expected == "zip":
            family = "zip" if family in {"zip", "docx", "xlsx", "ofd"} else family
            bad = [n for n in names if PurePath(n).suffix.lower() in EXECUTABLE_SUFFIXES]
            if bad:
                raise ValidationError(
                    _("压缩包中含有可执行文件（%(names)s），不能作为附件发布。"),
                    code="zip_executable",
                    params={"names": "、".join(bad[:3])},
                )
    if family != expected:
        raise ValidationError(
            _("附件“%(name)s”的内容与扩展名不符：文件内容不是 %(suffix)s 格式。请上传原始文件。"),
            code="content",
            params={"name": name, "suffix": suffix.lstrip(".").upper()},
        )
    return CheckedFile(kind=kind, size=size, sha256=_digest(upload), original_name=name)


def check_editor_image(upload):
    """Images uploaded through the rich-text editor: by name and by content."""
    suffix = PurePath(upload.name).suffix.lower()
    family = sniff(upload.read(16))
    upload.seek(0)
    expected = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".gif": "gif", ".webp": "webp"}
    if suffix not in expected or family != expected[suffix]:
        raise ValidationError(
            _("只能上传 JPG、PNG、GIF 或 WEBP 图片，且文件内容须与扩展名一致。"), code="image"
        )
    if upload.size > settings.DISCLOSURE_MAX_IMAGE_BYTES:
        raise ValidationError(
            _("图片过大，上限为 %(limit)s。"),
            code="size",
            params={"limit": filesizeformat(settings.DISCLOSURE_MAX_IMAGE_BYTES)},
        )


# Pillow's format name -> the extension the re-encoded file is stored under.
EDITOR_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
MAX_EDITOR_IMAGE_PIXELS = 40_000_000
# An animation's frames are counted one by one (Pillow's n_frames walks the whole file): a few
# kilobytes of GIF can declare a hundred thousand empty frames.
MAX_EDITOR_IMAGE_FRAMES = 500


def reencode_editor_image(upload):
    """An editor image checked (name, content, size) and re-encoded by Pillow.

    Returns ``(bytes, extension)``. Only the decoded pixels (and, for an animation, each frame's
    timing) are copied into new images, so whatever was appended to the file or carried in its
    metadata or comments (HTML, script, EXIF location) is gone. The pixels of all frames together
    are capped before any frame is decoded: a few hundred bytes of GIF can describe a huge canvas
    over many frames.
    """
    check_editor_image(upload)
    broken = ValidationError(_("图片已损坏或无法识别，请重新导出后上传。"), code="image")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            extension = EDITOR_IMAGE_FORMATS.get(image.format)
            if extension is None:
                raise broken
            frame_count = count_frames(image, MAX_EDITOR_IMAGE_FRAMES)
            if frame_count > MAX_EDITOR_IMAGE_FRAMES:
                raise ValidationError(
                    _("动图的帧数过多（上限 %(limit)s 帧），请精简后上传。"),
                    code="frames",
                    params={"limit": MAX_EDITOR_IMAGE_FRAMES},
                )
            if image.width * image.height * frame_count > MAX_EDITOR_IMAGE_PIXELS:
                raise ValidationError(
                    _("图片过大（%(width)s×%(height)s 像素，%(frames)s 帧），请缩小后上传。"),
                    code="pixels",
                    params={"width": image.width, "height": image.height, "frames": frame_count},
                )
            output = io.BytesIO()
            if image.format == "JPEG":
                picture = _pixels_only(ImageOps.exif_transpose(image))
                if picture.mode not in ("RGB", "L"):
                    picture = picture.convert("RGB")
                picture.save(output, "JPEG", quality=90)
            else:
                frames = [_pixels_only(frame) for frame in ImageSequence.Iterator(image)]
                first, rest = frames[0], frames[1:]
                options = {"save_all": True, "append_images": rest} if rest else {}
                first.save(output, image.format, **options)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - whatever a malformed file makes Pillow raise, it is broken
        raise broken from None
    finally:
        upload.seek(0)
    return output.getvalue(), extension


def count_frames(image, limit):
    """The number of frames of ``image``, counted up to ``limit + 1`` and no further."""
    if not getattr(image, "is_animated", False):
        return 1
    count = 1
    try:
        while count <= limit:
            image.seek(count)
            count += 1
    except EOFError:
        pass
    image.seek(0)
    return count


# What a re-encoded frame keeps of the original's metadata: what its pixels need to look right.
KEPT_IMAGE_INFO = {"transparency", "duration", "loop", "disposal", "background"}


def _pixels_only(frame):
    """A new image holding ``frame``'s pixels (and palette) with none of its other metadata."""
    copy = Image.new(frame.mode, frame.size)
    copy.paste(frame)
    if frame.mode == "P":
        copy.putpalette(frame.getpalette())
    copy.info = {key: value for key, value in frame.info.items() if key in KEPT_IMAGE_INFO}
    return copy
