"""Public files built once and then served as files (the public listing's and the published
annual reports' files).

A file lives under ``settings.EXPORT_ROOT`` (outside MEDIA_ROOT: no media URL serves it), named
by a fingerprint of what it shows, so a change gives a new name and a request costs a file read
until then. A file is built by one request at a time per lock (a key in the shared cache), into
a temporary file renamed into place, so a reader never sees half a file; a request that finds
another build under way waits briefly for the same file and otherwise raises ``Busy``. The lock
itself is a slot of the kernel's limiter (``portal.ratelimit``, a database table nothing else
writes), so no flood of cache entries can evict it and start a second build; the shared cache
keeps only hints (which file is being built, a priority build waiting). Files go
out with an ``ETag`` and a ``Last-Modified`` and answer ``If-None-Match`` / ``If-Modified-Since``
with 304; ``Cache-Control: no-cache`` makes clients ask each time, so a withdrawal reaches them
at once.
"""

import os
import tempfile
import time
import uuid

from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from portal import files
from portal.ratelimit import Limited, RateLimit

LOCK_SECONDS = 600  # a builder that died frees the lock after this
PRIORITY_SECONDS = 60  # a flag nobody renews (its request gave up) lapses after this
WAIT_SECONDS = 5  # how long a request waits for the file another request is building
POLL_SECONDS = 0.2


class Busy(Exception):
    """Another file is being built under the same lock; the caller should try again shortly."""


def open_file(path):
    """The file at ``path`` open for reading, or None when there is none."""
    try:
        return open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:
        return None


def build(path, write, *, lock_key, prune=None, priority_key=None, priority=False):
    """``(open file at path, whether this request built it)``; ``write(binary file)`` makes it.

    Builds under ``lock_key``, then calls ``prune(folder)``. ``priority`` (with
    ``priority_key``): wait for the lock whatever is being built, and keep other builds under
    the lock from starting meanwhile. Otherwise wait only for the same file being built; raises
    Busy when the lock is taken by another file, by a build that outlasts WAIT_SECONDS, or while
    a priority build waits for its turn.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    shared = caches["shared"]
    token = f"{path.name}:{uuid.uuid4().hex}"
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if priority:
            shared.set(priority_key, token, PRIORITY_SECONDS)
        waiting = priority_key is not None and shared.get(priority_key) is not None
        lock = take_lock(lock_key) if priority or not waiting else None
        if lock is not None:
            shared.set(lock_key, token, LOCK_SECONDS)  # which file: requests for it wait
            try:
                handle = open_file(path)  # built by the request that held the lock before
                if handle is not None:
                    return handle, False
                _write_in_place(path, write)
                if prune is not None:
                    prune(folder)
                return open(path, "rb"), True  # noqa: SIM115 (FileResponse closes it)
            finally:
                lock.give_back()
                if shared.get(lock_key) == token:
                    shared.delete(lock_key)
                _lower_flag(priority_key, token)
        holder = shared.get(lock_key) or ""
        same_file = holder.startswith(f"{path.name}:")
        if (not priority and not same_file) or time.monotonic() >= deadline:
            raise Busy
        time.sleep(POLL_SECONDS)
        handle = open_file(path)
        if handle is not None:
            _lower_flag(priority_key, token)
            return handle, False


def take_lock(lock_key):
    """The lock ``lock_key`` (a slot to give back), or None while another build holds it."""
    try:
        return RateLimit(lock_key, 1, LOCK_SECONDS).take("site")
    except Limited:
        return None


def _write_in_place(path, write):
    with tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=".", suffix=".tmp", delete=False
    ) as temp:
        try:
            write(temp)
        except BaseException:
            temp.close()
            os.unlink(temp.name)
            raise
    os.replace(temp.name, path)


def _lower_flag(priority_key, token):
    """Lower the priority flag if this request raised it last.

    A request that gives up (Busy) leaves it up, so that other builds keep waiting until its
    retry (or PRIORITY_SECONDS) comes.
    """
    if priority_key is None:
        return
    shared = caches["shared"]
    if shared.get(priority_key) == token:
        shared.delete(priority_key)


def is_stale_temporary(entry):
    """Whether a folder entry is the temporary file of a build that died."""
    return entry.name.endswith(".tmp") and time.time() - entry.stat().st_mtime > LOCK_SECONDS


def not_modified(request, etag):
    """The 304 answer when the client holds ``etag`` already (asked before a file is built)."""
    headers = _headers(etag)
    response = get_conditional_response(request, etag=etag, response=headers)
    if response is headers:
        return None
    # A 304 updates the headers the client keeps, so it carries the file's headers too.
    return files.protect(response, None, private=False)


def file_response(request, handle, *, etag, filename, content_type):
    """``handle`` as an attachment with ``ETag``, ``Last-Modified`` (the file's time) and
    ``Cache-Control: no-cache``, or 304 when the client has it (``handle`` is then closed)."""
    headers = _headers(etag)
    modified = int(os.fstat(handle.fileno()).st_mtime)
    headers["Last-Modified"] = http_date(modified)
    response = get_conditional_response(
        request, etag=etag, last_modified=modified, response=headers
    )
    if response is not headers:
        handle.close()
        return files.protect(response, filename, private=False)
    response = files.file_response(handle, filename, content_type, private=False)
    for header in ("ETag", "Last-Modified", "Cache-Control"):
        response[header] = headers[header]
    return response


def _headers(etag):
    headers = HttpResponse()
    headers["ETag"] = etag
    # Clients must ask again each time: a withdrawal has to reach them at once.
    headers["Cache-Control"] = files.PUBLIC_CACHE
    return headers
