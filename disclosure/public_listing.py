"""The public catalogue listing as files, built once per change of what is public.

Every request to the public download is answered from a file under ``settings.EXPORT_ROOT``
(outside MEDIA_ROOT: no media URL serves it). A file is named by its normalised filters and by a
fingerprint of the public state, so the first request after a publish, a withdrawal, a scheduled
document falling due or a change of the catalogue builds a new one; every other request reads the
file, and a client that has it gets 304. Only one public listing is built at a time on the whole
site (a lock in the shared cache, then an atomic rename): a request that finds the lock taken waits
briefly when the same file is being built and otherwise answers 503, so anonymous downloads can
never hold more than one worker for long.
"""

import hashlib
import os
import tempfile
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Max, Sum
from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from catalog.models import Agency, CatalogNode

from .exports import (
    XLSX_TYPE,
    ExportTooLarge,
    csv_chunks,
    export_queryset,
    listing_filename,
    listing_rows,
    too_large_for_xlsx,
    write_xlsx,
)
from .models import Document, Genre, Topic

LOCK_KEY = "public-listing:building"
LOCK_SECONDS = 600  # a builder that died frees the lock after this
WAIT_SECONDS = 5  # how long a request waits for the file another request is building
POLL_SECONDS = 0.2
MAX_FILES = 200  # older files beyond this are deleted, whatever filters made them


class ListingBusy(Exception):
    """Another public listing is being built; the caller should try again shortly."""


def public_fingerprint():
    """A short hash of everything a public listing shows; it changes when any of it changes.

    Counted at the current time, so a scheduled document changes it when it falls due.
    """
    documents = Document.objects.public().aggregate(
        count=Count("pk"), ids=Sum("pk"), updated=Max("updated_at"), published=Max("published_at")
    )
    listed = Document.extra_nodes.through.objects.filter(
        document__in=Document.objects.public()
    ).aggregate(count=Count("pk"), nodes=Sum("catalognode_id"), documents=Sum("document_id"))
    state = (
        sorted(documents.items()),
        sorted(listed.items()),
        list(
            CatalogNode.objects.order_by("pk").values_list("pk", "parent_id", "name", "is_visible")
        ),
        list(Agency.objects.order_by("pk").values_list("pk", "name")),
        list(Topic.objects.order_by("pk").values_list("pk", "name")),
        list(Genre.objects.order_by("pk").values_list("pk", "name")),
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()[:20]


def listing_key(filters, file_format, encoding, base_url):
    """The normalised filters of a public download, as a short hash."""
    parts = [
        file_format,
        encoding if file_format == "csv" else "",
        base_url,
        filters.node and filters.node.pk,
        filters.agency and filters.agency.pk,
        filters.date_from and filters.date_from.isoformat(),
        filters.date_to and filters.date_to.isoformat(),
        filters.genre and filters.genre.pk,
        filters.topic and filters.topic.pk,
        filters.validity,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def write_listing_file(filters, file_format, encoding, base_url, handle):
    """Write the public listing into the open binary ``handle``."""
    documents = export_queryset(filters)
    if file_format == "xlsx":
        if too_large_for_xlsx(documents):
            raise ExportTooLarge
        write_xlsx(listing_rows(documents, base_url, public=True), handle)
    else:
        for chunk in csv_chunks(listing_rows(documents, base_url, public=True), encoding):
            handle.write(chunk)


def _open(path):
    try:
        return open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:
        return None


def _prune(folder, keep):
    """Delete files of another public state, then the oldest beyond MAX_FILES."""
    files = []
    for entry in os.scandir(folder):
        if not entry.is_file():
            continue
        stale_temp = entry.name.endswith(".tmp") and (
            time.time() - entry.stat().st_mtime > LOCK_SECONDS
        )
        other_state = not entry.name.endswith(".tmp") and f"-{keep}." not in entry.name
        if stale_temp or other_state:
            os.unlink(entry.path)
        elif not entry.name.endswith(".tmp"):
            files.append((entry.stat().st_mtime, entry.path))
    for _mtime, path in sorted(files)[:-MAX_FILES]:
        os.unlink(path)


def _build(path, fingerprint, write):
    """The open file at ``path``, built by this request unless another one holds the lock."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    shared = caches["shared"]
    token = f"{path.name}:{uuid.uuid4().hex}"
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if shared.add(LOCK_KEY, token, LOCK_SECONDS):
            try:
                handle = _open(path)  # built by the request that held the lock before
                if handle is not None:
                    return handle
                with tempfile.NamedTemporaryFile(
                    dir=folder, prefix=".", suffix=".tmp", delete=False
                ) as temp:
                    try:
                        write(temp)
                    except BaseException:
                        temp.close()
                        os.unlink(temp.name)
                        raise
                os.replace(temp.name, path)
                _prune(folder, fingerprint)
                return open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
            finally:
                if shared.get(LOCK_KEY) == token:
                    shared.delete(LOCK_KEY)
        holder = shared.get(LOCK_KEY) or ""
        if not holder.startswith(f"{path.name}:") or time.monotonic() >= deadline:
            raise ListingBusy
        time.sleep(POLL_SECONDS)
        handle = _open(path)
        if handle is not None:
            return handle


def public_listing_response(request, filters, file_format="csv", encoding="utf-8"):
    """The public listing for ``filters`` as a download, from its file (built if need be).

    Raises ExportTooLarge (XLSX past Excel's row limit) and ListingBusy.
    """
    base_url = request.build_absolute_uri("/").rstrip("/")
    key = listing_key(filters, file_format, encoding, base_url)
    fingerprint = public_fingerprint()
    path = settings.EXPORT_ROOT / "public" / f"{key}-{fingerprint}.{file_format}"
    # Weak: an XLSX rebuilt from the same state holds the same rows but other bytes.
    etag = "W/" + quote_etag(f"{key}-{fingerprint}")
    headers = HttpResponse()
    headers["ETag"] = etag
    # Clients must ask again each time: a withdrawal has to reach them at once.
    headers["Cache-Control"] = "no-cache"

    handle = _open(path)
    if handle is None:
        not_modified = get_conditional_response(request, etag=etag, response=headers)
        if not_modified is not headers:
            return not_modified
        handle = _build(
            path,
            fingerprint,
            lambda target: write_listing_file(filters, file_format, encoding, base_url, target),
        )
    modified = int(os.fstat(handle.fileno()).st_mtime)
    headers["Last-Modified"] = http_date(modified)
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=modified, response=headers
    )
    if not_modified is not headers:
        handle.close()
        return not_modified
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{listing_filename()}.{file_format}",
        content_type=XLSX_TYPE if file_format == "xlsx" else f"text/csv; charset={encoding}",
    )
    for header in ("ETag", "Last-Modified", "Cache-Control"):
        response[header] = headers[header]
    return response
