"""Checks an uploaded file by its content (magic bytes) as well as by its name."""

import hashlib
import io
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence

from portal import filetypes
from portal.office_files import declared_members

# What an attachment may be: extension -> (kind, content family as portal.filetypes names it).
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
# Attachment kind -> the type it is handed out as (None: application/octet-stream). WPS's own
# formats have no registered type.
KIND_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    **{
        kind: filetypes.CONTENT_TYPES[family]
        for kind, family in EXTENSIONS.values()
        if family != "ole2"
    },
}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
EXECUTABLE_SUFFIXES = {
    ".exe", ".dll", ".com", ".bat", ".cmd", ".scr", ".msi", ".msp", ".mst", ".vbs", ".vbe",
    ".js", ".jse", ".wsf", ".wsh", ".ws", ".ps1", ".psm1", ".sh", ".jar", ".apk", ".lnk",
    ".hta", ".cpl", ".pif", ".reg", ".scf", ".msc", ".gadget", ".application", ".appx",
    ".msix", ".iso", ".img", ".vhd", ".vhdx", ".url", ".inf", ".sys", ".drv", ".ocx", ".chm",
    ".xll", ".vb", ".vba", ".wsc", ".sct", ".library-ms", ".settingcontent-ms", ".ps2",
}  # fmt: skip
# A zip attachment holds at most this many entries (read from its end record first).
MAX_ZIP_ENTRIES = 10_000


def executable_name(name):
    """Whether ``name`` (a path inside a zip) names a program: Windows ignores trailing dots
    and spaces (``evil.exe.`` runs as ``evil.exe``)."""
    return PurePath(name.rstrip(". ")).suffix.lower() in EXECUTABLE_SUFFIXES


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    size: int
    sha256: str
    original_name: str


def _digest(upload):
    upload.seek(0)
    sha = hashlib.sha256()
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
    ):
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def attachment_content_type(kind):
    """The content type an attachment of ``kind`` (checked by content on upload) goes out as."""
    return KIND_TYPES.get(kind)


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
    kind, expected = EXTENSIONS[suffix]
    upload.seek(0)
    if filetypes.sniff(upload.read(filetypes.HEAD_BYTES)) == "zip":
        _refuse_many_entries(upload)  # before zipfile builds an entry for each
    family = filetypes.identify(upload)
    if family == filetypes.BROKEN_ZIP:
        raise ValidationError(
            _("附件“%(name)s”已损坏，无法打开。"), code="corrupt", params={"name": name}
        )
    if expected == "zip" and family in filetypes.ARCHIVES:
        family = "zip"  # a .docx, .xlsx or .ofd may go out as a .zip
        _refuse_executables(filetypes.zip_names(upload))
    if family != expected:
        raise ValidationError(
            _("附件“%(name)s”的内容与扩展名不符：文件内容不是 %(suffix)s 格式。请上传原始文件。"),
            code="content",
            params={"name": name, "suffix": suffix.lstrip(".").upper()},
        )
    return CheckedFile(kind=kind, size=size, sha256=_digest(upload), original_name=name)


def _refuse_many_entries(upload):
    declared = declared_members(upload)
    if declared is not None and declared > MAX_ZIP_ENTRIES:
        raise ValidationError(
            _("压缩包内含 %(count)s 个文件，超过上限 %(limit)s 个，不能作为附件发布。"),
            code="zip_entries",
            params={"count": declared, "limit": MAX_ZIP_ENTRIES},
        )


def _refuse_executables(names):
    bad = [n for n in names if executable_name(n)]
    if bad:
        raise ValidationError(
            _("压缩包中含有可执行文件（%(names)s），不能作为附件发布。"),
            code="zip_executable",
            params={"names": "、".join(bad[:3])},
        )


def check_editor_image(upload):
    """Images uploaded through the rich-text editor: by name and by content."""
    suffix = PurePath(upload.name).suffix.lower()
    family = filetypes.sniff(upload.read(filetypes.HEAD_BYTES))
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
# A phone's JPEG carrying a second picture (Multi-Picture Format, "MPO") is a JPEG: its first
# picture is kept.
EDITOR_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "MPO": "jpg", "GIF": "gif", "WEBP": "webp"}
# 16 Mpx (4,900 × 3,265) is more than a page shows; decoding and re-encoding costs a few
# copies of the pixels, so the cap bounds what one upload may take in memory.
MAX_EDITOR_IMAGE_PIXELS = 16_000_000
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
    if jpeg_scans(upload.read(), MAX_JPEG_SCANS) > MAX_JPEG_SCANS:
        raise ValidationError(
            _("JPEG 图片的扫描次数过多（上限 %(limit)s 次），请重新导出后上传。"),
            code="scans",
            params={"limit": MAX_JPEG_SCANS},
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            extension = EDITOR_IMAGE_FORMATS.get(image.format)
            if extension is None:
                raise broken
            if image.format in ("JPEG", "MPO"):  # only the first picture is decoded
                frame_count, canvas = 1, image.size
            else:
                frame_count, canvas = count_frames(
                    image, MAX_EDITOR_IMAGE_FRAMES, MAX_EDITOR_IMAGE_PIXELS
                )
            if canvas[0] * canvas[1] * frame_count > MAX_EDITOR_IMAGE_PIXELS:
                raise ValidationError(
                    _("图片过大（%(width)s×%(height)s 像素，%(frames)s 帧），请缩小后上传。"),
                    code="pixels",
                    params={"width": canvas[0], "height": canvas[1], "frames": frame_count},
                )
            if frame_count > MAX_EDITOR_IMAGE_FRAMES:
                raise ValidationError(
                    _("动图的帧数过多（上限 %(limit)s 帧），请精简后上传。"),
                    code="frames",
                    params={"limit": MAX_EDITOR_IMAGE_FRAMES},
                )
            output = io.BytesIO()
            if image.format in ("JPEG", "MPO"):
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


# A progressive photo has about ten scans (a multi-picture one twice as many); every scan is
# a pass over the whole picture, and libjpeg accepts any number of them.
MAX_JPEG_SCANS = 100


def jpeg_scans(data, limit):
    """How many scans (SOS markers) the JPEG ``data`` holds, counted marker by marker (a
    scan's data, where 0xFF is always followed by 0 or a restart marker, is skipped), stopped
    once past ``limit``; 0 for what is not a JPEG."""
    if not data.startswith(b"\xff\xd8"):
        return 0
    scans, at = 0, data.find(b"\xff", 2)
    while 0 <= at < len(data) - 1 and scans <= limit:
        marker = data[at + 1]
        if marker in (0x00, 0xFF) or 0xD0 <= marker <= 0xD8 or marker == 0x01:
            at = data.find(b"\xff", at + 1 if marker == 0xFF else at + 2)
            continue
        if marker == 0xDA:
            scans += 1
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        at = data.find(b"\xff", at + 2 + length)
    return scans


def count_frames(image, limit, max_pixels):
    """``(frames, (width, height))`` of ``image``, counted frame by frame and stopped as soon
    as the frames seen, on the largest canvas seen, pass ``max_pixels`` or their number passes
    ``limit``: moving past a GIF frame decodes it onto the whole canvas, and a frame placed
    outside the canvas enlarges it (seen on reaching the frame, before it is decoded)."""
    width, height = image.size
    if not getattr(image, "is_animated", False):
        return 1, (width, height)
    count = 1
    try:
        while width * height * count <= max_pixels and count <= limit:
            image.seek(count)
            count += 1
            width, height = max(width, image.size[0]), max(height, image.size[1])
    except EOFError:
        pass
    image.seek(0)
    return count, (width, height)


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
