"""How every file leaves the portal: one set of headers, whoever hands the file out.

A file goes out under its name as RFC 6266 writes it (``filename*`` in UTF-8 for Chinese names),
as a download unless it is an image meant to be shown, with ``nosniff`` (the browser keeps the
type it was given), a sandboxing Content-Security-Policy (a file a browser mistook for a page
could run nothing), ``Cross-Origin-Resource-Policy: same-origin`` and ``Referrer-Policy:
no-referrer`` (a link inside a file never tells another site where it came from). A staff or
personal file is ``Cache-Control: private, no-store``; a public one ``no-cache``, so that a
withdrawal reaches everyone at once.
"""

import mimetypes
import os

from django.http import FileResponse, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from portal.control_characters import strip_for_xml

DOWNLOAD_TYPE = "application/octet-stream"
DOWNLOAD_CSP = "default-src 'none'; sandbox"
# An image opened on its own: the browser's image page must still draw and lay it out.
INLINE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# A PDF read in the browser's own viewer (``inline=PDF``). Chromium's viewer draws nothing in a
# sandboxed document, so this one has no ``sandbox``: what makes it safe is what the file is. Its
# content was checked as a PDF on upload (``filetypes.sniff``), it goes out as application/pdf
# with ``nosniff``, so a browser shows it in its PDF viewer and never as a page of the portal;
# a script inside a PDF runs, if at all, in the viewer's own sandbox, without the portal's
# cookies. No other site may frame it.
PDF = "pdf"
PDF_CSP = "default-src 'none'; frame-ancestors 'none'"
PRIVATE_CACHE = "private, no-store"
PUBLIC_CACHE = "no-cache"
FALLBACK_NAME = "download"
MAX_NAME_LENGTH = 200


def safe_filename(name):
    """``name`` as a header may carry it: no folders, no control characters, not empty."""
    name = strip_for_xml(str(name or "")).replace("\t", " ").replace("\n", " ")
    name = name.replace("\r", " ").replace("/", "_").replace("\\", "_").strip(" .")
    stem, ext = os.path.splitext(name)
    if len(name) > MAX_NAME_LENGTH:
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name or FALLBACK_NAME


def inert_name(name):
    """A download keeps its name but never an extension a browser would open on its own."""
    guessed = mimetypes.guess_type(name)[0] or ""
    if guessed.startswith(("text/", "image/svg", "application/xhtml", "application/javascript")):
        return f"{name}.bin"
    return name


def protect(response, filename, *, inline=False, private=True):
    """Give ``response`` (any response carrying a file, or a 304 for one) the portal's file
    headers; ``filename`` None leaves Content-Disposition as it is (a 304 that cannot tell)."""
    if filename is not None:
        response["Content-Disposition"] = content_disposition_header(
            not inline, safe_filename(filename)
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        PDF_CSP if inline == PDF else INLINE_CSP if inline else DOWNLOAD_CSP
    )
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = PRIVATE_CACHE if private else PUBLIC_CACHE
    if private:
        # As the admin's never_cache writes it, so a file is private in the same words everywhere.
        add_never_cache_headers(response)
    return response


def file_response(handle, filename, content_type=None, *, inline=False, private=True):
    """``handle`` (an open binary file, or bytes) as a response with the portal's file headers.

    The type is ``content_type``, never guessed from the name; without one the file is
    ``application/octet-stream`` and its name loses the power to open itself (``inert_name``).
    ``inline`` shows it in the browser (only for an image checked by its content, or ``PDF``
    for a PDF checked by its content); ``private``
    (the default) keeps it out of every cache."""
    if content_type is None:
        content_type, filename = DOWNLOAD_TYPE, inert_name(safe_filename(filename))
    if isinstance(handle, bytes | bytearray):
        response = HttpResponse(handle, content_type=content_type)
    else:
        response = FileResponse(handle, content_type=content_type)
    return protect(response, filename, inline=inline, private=private)
