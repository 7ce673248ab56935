"""Serving files from MEDIA_ROOT without ever letting one act as a page or a script.

The type of a served file comes from its content, never from its name, and only from an
allow-list of image types; anything else is a download. Every response carries the portal's file
headers (``portal.files``: ``nosniff``, a sandboxing Content-Security-Policy), so even a file a
browser mistook for HTML could not run.
"""

import posixpath
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.static import was_modified_since

from portal import filetypes
from portal.files import file_response, protect

# What is shown as an image (by its content, portal.filetypes); anything else is a download.
SHOWN = filetypes.IMAGES


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
    handle = fullpath.open("rb")
    family = filetypes.sniff(handle.read(filetypes.HEAD_BYTES))
    handle.seek(0)
    inline = family in SHOWN
    content_type = filetypes.CONTENT_TYPES[family] if inline else None  # None: a download
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        handle.close()
        # A 304 updates the headers the browser keeps, so it carries the same ones.
        return protect(HttpResponseNotModified(), fullpath.name, inline=inline, private=False)
    response = file_response(handle, fullpath.name, content_type, inline=inline, private=False)
    response["Last-Modified"] = http_date(stat.st_mtime)
    return response
