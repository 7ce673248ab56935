"""Serving files from MEDIA_ROOT without ever letting one act as a page or a script.

The type of a served file comes from its content, never from its name, and only from an
allow-list of image types; anything else is a download. Every response carries ``nosniff`` and a
sandboxing Content-Security-Policy, so even a file a browser mistook for HTML could not run.
"""

import mimetypes
import os
import posixpath
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.static import was_modified_since

# Content family (by magic bytes) -> the type it is served as.
IMAGE_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
DOWNLOAD_TYPE = "application/octet-stream"
MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def sniff_image(head):
    """The image family the first bytes show (png, jpeg, gif, webp), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def harden(response):
    """The headers every file from MEDIA_ROOT goes out with."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def serve_media(request, path, document_root):
    """Serve ``path`` under ``document_root``: images as images, anything else as a download."""
    path = posixpath.normpath(path).lstrip("/")
    try:
        fullpath = Path(safe_join(document_root, path))
    except SuspiciousFileOperation:  # a path that leaves the root
        raise Http404("文件不存在")
    if fullpath.name.startswith(".") or not fullpath.is_file():
        raise Http404("文件不存在")
    stat = fullpath.stat()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        return harden(HttpResponseNotModified())
    handle = fullpath.open("rb")
    family = sniff_image(handle.read(16))
    handle.seek(0)
    if family is not None:
        response = FileResponse(handle, content_type=IMAGE_TYPES[family])
    else:
        response = FileResponse(
            handle,
            content_type=DOWNLOAD_TYPE,
            as_attachment=True,
            filename=_download_name(fullpath.name),
        )
        # FileResponse guesses a type from the name when given none; never let it.
        response["Content-Type"] = DOWNLOAD_TYPE
    response["Last-Modified"] = http_date(stat.st_mtime)
    return harden(response)


def _download_name(name):
    # A download keeps its name but never an extension a browser would open inline on its own.
    stem, ext = os.path.splitext(name)
    guessed = mimetypes.guess_type(name)[0] or ""
    if guessed.startswith(("text/", "image/svg", "application/xhtml", "application/javascript")):
        return f"{stem}{ext}.bin"
    return name
