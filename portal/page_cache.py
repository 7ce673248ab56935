"""Public pages cached for anonymous visitors, and the one switch that invalidates them all.

What is cached: the response of a view marked with ``public_page``, for a GET by anyone not
signed in, when it is a 200 that sets no cookie and used no CSRF token. Staff are told apart by
their session: a request with a session cookie reads that session (one read by primary key, only
when the cookie is there) and is served like any visitor's unless the session is signed in, so a
made-up or expired cookie neither bypasses the cache nor writes a session row
(``portal.sessions``). The key is the full URL (scheme, host, path, sorted query), the display
mode (the 长辈版 cookie, ``portal.elder_mode``) and the *public version*.

Only canonical URLs are kept: the host and path as the site writes them (not "/documents/007/"
for document 7, nor the host in capitals) and a canonical query. Each public page declares every
query parameter its view reads, with what makes a value canonical (``public_page(view,
params={"fs": one_of(...)})``): a page asked for with a parameter its view does not declare, with
one given twice or with a value out of its canonical form (``page=01``, ``fs=huge``) is served but
never kept. Values only the view can judge (a page number within the list, a filter naming a
topic that exists) are declared ``as_used``: the view reports what it used (``used``,
``used_form``), and the page is kept only when that is what was asked for. Free text (a search)
has no end of canonical values, so at most ``FREE_TEXT_PAGES`` pages with free text are kept in
``PAGE_TIMEOUT``, ``FREE_TEXT_PAGES_PER_CLIENT`` of them from one network (IPv4 /24, IPv6
/48). A host is canonical when ALLOWED_HOSTS names it (a wildcard such as ``.example.gov.cn``
answers endless hosts, none kept). Made-up URLs cost a render, never a cache entry beyond those.

The public version is a row of ``PublicState`` (the newest one), in the database: no page entry
can evict it and no cache restarted from a snapshot can bring back an older one. Entries are keyed
by the row's id and random token (``PublicVersion.key``): ids come from a sequence that never
hands one out twice on PostgreSQL, so no key of a superseded version is ever current again, and
entries of a snapshot, however old, are never read. The site settings and the working-day
calendar are cached under the same key (``versioned``). Every change of
public content writes a new one (``bump_public_version``): inside the changing transaction, so
that what this transaction renders next is keyed afresh, and again once it has committed, with
the primary's WAL position then (what every other process sees; ``portal.replicas`` lets a
replica answer public reads only once it has replayed that position). ``invalidate_on_change``
wires that to a model's saves and deletes, in the apps' ``ready()``. A scheduled document
becomes public without any write, so the version is also written by the first request after the
next due moment, and no page is kept past that moment anyway. A row per change rather than one
row updated: an update inside the changing transaction would hold that row's lock until the
transaction ends, so every writer of public content would wait for every other one. Older rows
are deleted by the next committed write.

Each process keeps the version it last read or wrote for ``LOCAL_COPY_SECONDS`` (one second):
a cached hit then reads no database, which a query per request would cost (the database cache
used to, and Redis a round trip). The process that changed public content uses the new version
at once; every other process, on this server or another, within that second, so no server
serves a page of a version older than the database's for longer. That second is the price of
keeping hits free of queries.

Pages carry an ETag and answer ``If-None-Match`` with 304. ``Last-Modified`` is the second of
the version, sent only once no other version can share that second (the second has ended, with
a margin for a version committing late or a clock a little off, before this process read it):
two changes within one second would otherwise carry one Last-Modified, and ``If-Modified-Since``
would confirm the first one's page after the second. Anonymous pages are ``public, max-age=60``
(``private`` for a request that sent a session cookie: the answer may refresh or delete it),
staff pages ``private, no-store``. They all vary on Cookie: staff would see them differently.

The cache itself may fail (Redis down or hung, ``portal.redis_cache``): a page is then rendered
and not kept, as for a miss.
"""

import hashlib
import re
import secrets
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import wraps
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date

from portal import elder_mode, replicas
from portal.clients import network_key
from portal.models import PublicState

# How long a browser or proxy may reuse an anonymous page without asking again.
BROWSER_MAX_AGE = 60
# How long a page stays in the cache at most, whatever happens.
PAGE_TIMEOUT = 10 * 60
# How long a process uses the public version it read without reading it again.
LOCAL_COPY_SECONDS = 1.0
# A version has its second to itself (Last-Modified) when read this long after the second began:
# the second, and half a second for a version written in it but committed late or by a server
# whose clock is a little off.
SETTLED_AFTER = 1.5
# Pages with free text (search queries) kept in PAGE_TIMEOUT, in each page cache, and of them
# at most FREE_TEXT_PAGES_PER_CLIENT asked for from one network (``portal.clients.network_key``:
# an IPv4 /24, an IPv6 /48): one client cannot spend the budget of everyone else's searches.
FREE_TEXT_PAGES = 500
FREE_TEXT_PAGES_PER_CLIENT = 25
FREE_TEXT_KEY = "page-free-text"

_next_due_sources = []


# -- declaring what a public page reads ------------------------------------------------------


@dataclass(frozen=True)
class Canonical:
    """What makes a value of a query parameter canonical, and so its page worth keeping."""

    # The value's test; None: the value the view reports having used (``used``).
    test: Callable[[str], bool] | None
    # Any number of values pass (free text): kept within FREE_TEXT_PAGES.
    free_text: bool = False


_POSITIVE_INT = re.compile(r"[1-9][0-9]{0,8}")

positive_int = Canonical(lambda value: _POSITIVE_INT.fullmatch(value) is not None)
as_used = Canonical(None)


def one_of(*values):
    """One of ``values``, as written."""
    allowed = frozenset(str(value) for value in values)
    return Canonical(allowed.__contains__)


def free_text(max_length):
    """Text of at most ``max_length`` characters, single-spaced and trimmed."""
    return Canonical(
        lambda value: len(value) <= max_length and value == " ".join(value.split()),
        free_text=True,
    )


# A filter a view reports having used: any value that matched something is a page of its own,
# and their combinations are more than any cache holds, so they share the free-text budget.
as_used_filter = Canonical(None, free_text=True)


def form_fields(form_class):
    """Every field of ``form_class`` declared a filter (``as_used_filter``: the view reports
    ``used_form``; a value counts against the free-text budget)."""
    return dict.fromkeys(form_class.base_fields, as_used_filter)


def used(request, **values):
    """Reports the values the view used for its ``as_used`` parameters, as a canonical URL
    writes them (None: no value of that parameter is canonical)."""
    page = getattr(request, "_public_page", None)
    if page is not None and page["cacheable"]:
        page["used"].update({k: None if v is None else str(v) for k, v in values.items()})


def used_form(request, form):
    """Reports the fields of a valid bound ``form`` as its cleaned values write them ("" for an
    empty one); an invalid form reports nothing, so a page asked with it is not kept."""
    if form.is_bound and form.is_valid():
        values = {}
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            # A field's default given explicitly ("per_page=20") is the page without it.
            default = value in field.empty_values or (
                field.initial is not None and value == field.initial
            )
            values[name] = "" if default else value
        used(request, **values)


def public_page(view, *, params):
    """Marks ``view`` as a public page: cached for anonymous visitors, with conditional GET.

    ``params`` maps every query parameter the view reads to its ``Canonical`` (``positive_int``,
    ``one_of(...)``, ``free_text(n)``, ``as_used``); ``{}`` for a view that reads none.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.public_page_params = dict(params)
    return wrapped


def _declared_pairs(request, params):
    """The query's (name, value) pairs when every name is declared, given once, and its value
    passes its test (``as_used`` values are judged after the view); else None."""
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        return None
    for name, value in pairs:
        canonical = params.get(name)
        if canonical is None or (canonical.test is not None and not canonical.test(value)):
            return None
    return pairs


def _canonical_location(request):
    """Whether the host and path are spelled as the site writes them: "/documents/007/" is
    document 7, and "GK.example.gov.cn:1" a host the site answers, but each would be an entry
    of its own."""
    domain, port = split_domain_port(request.get_host())
    if request.get_host() != domain + (f":{port}" if port else ""):
        return False
    if domain not in _listed_hosts():
        return False  # a host a wildcard of ALLOWED_HOSTS answers: any number of them exist
    if port and port != request.get_port():
        return False
    match = request.resolver_match
    try:
        path = reverse(match.view_name, args=match.args, kwargs=match.captured_kwargs)
    except NoReverseMatch:
        return False
    return path == request.path


def _keepable(request, page):
    """Whether the page's URL is canonical now that the view has reported what it used."""
    if page["pairs"] is None or not _canonical_location(request):
        return False
    free = False
    for name, value in page["pairs"]:
        canonical = page["params"][name]
        if canonical.test is None and page["used"].get(name) != value:
            return False
        free = free or (canonical.free_text and value != "")
    return not free or _within_free_text_budget(request)


def _listed_hosts():
    """The hosts ALLOWED_HOSTS names one by one (not by a wildcard), in lower case."""
    return {host.lower() for host in settings.ALLOWED_HOSTS if host != "*" and host[:1] != "."}


def _within_free_text_budget(request):
    cache = caches["default"]
    client = f"{FREE_TEXT_KEY}:{network_key(request)}"
    for key in (client, FREE_TEXT_KEY):
        cache.add(key, 0, PAGE_TIMEOUT)
    try:
        if cache.incr(client) > FREE_TEXT_PAGES_PER_CLIENT:
            return False
        return cache.incr(FREE_TEXT_KEY) <= FREE_TEXT_PAGES
    except ValueError:  # evicted between the two calls
        return False


# -- the public version ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicVersion:
    """The public version as this process knows it."""

    pk: int
    version: str
    at: float  # when public content changed (a timestamp)
    due: float | None  # the next moment public content changes by itself
    wal_position: str  # the primary's WAL position after the change ("": unknown)
    committed: bool  # written after the change committed
    known_at: float  # when this process read or wrote it
    in_transaction: bool  # read or written inside a transaction

    @property
    def last_modified(self):
        """The version's second as a timestamp, once no other version can share it; else None."""
        second = int(self.at)
        return second if self.committed and self.known_at >= second + SETTLED_AFTER else None

    @property
    def key(self):
        """What keys cached entries of this version: the row's id and token (see the module)."""
        return f"{self.pk}.{self.version}"


_copy = None


def next_due_from(source):
    """Registers ``source()``: the next moment (aware datetime or None) that public content
    changes by itself, such as a scheduled document's publication time."""
    _next_due_sources.append(source)


def _next_due():
    # From the primary: a replica behind it might still be waiting for a moment already past.
    with replicas.reads_on_primary():
        moments = [moment for moment in (source() for source in _next_due_sources) if moment]
    return min(moments) if moments else None


def _remember(state):
    """Makes ``state`` this process's copy unless the copy is newer; returns the one to use."""
    global _copy
    current = _copy
    if current is None or current.in_transaction or state.in_transaction or state.pk >= current.pk:
        _copy = current = state
    return current


def _as_version(row, now, in_transaction):
    return PublicVersion(
        pk=row.pk,
        version=row.token,
        at=row.changed_at.timestamp(),
        due=row.next_due_at.timestamp() if row.next_due_at else None,
        wal_position=row.wal_position,
        committed=row.committed,
        known_at=now,
        in_transaction=in_transaction,
    )


def _write(committed):
    now = timezone.now()
    due = _next_due()
    states = PublicState.objects.using(DEFAULT_DB_ALIAS)
    # A committed version appears with its position or not at all.
    with transaction.atomic(using=DEFAULT_DB_ALIAS) if committed else nullcontext():
        row = states.create(
            token=secrets.token_hex(8), changed_at=now, next_due_at=due, committed=committed
        )
        if committed:
            # Read after the row got its id: the newest row's position is then past the commit
            # of every change whose own row came before it.
            row.wal_position = replicas.primary_wal_position()
            if row.wal_position:
                row.save(update_fields=["wal_position"])
    if committed:
        try:
            with transaction.atomic(using=DEFAULT_DB_ALIAS):
                states.filter(pk__lt=row.pk).delete()
        except DatabaseError:  # another process pruning the same rows: the next write prunes
            pass
    in_transaction = connections[DEFAULT_DB_ALIAS].in_atomic_block
    return _remember(_as_version(row, now.timestamp(), in_transaction))


def _read(now, in_transaction):
    row = PublicState.objects.using(DEFAULT_DB_ALIAS).order_by("-pk").first()
    if row is None:
        return _write(committed=not in_transaction)
    return _remember(_as_version(row, now, in_transaction))


def public_state():
    """The current public version (a ``PublicVersion``), at most LOCAL_COPY_SECONDS old."""
    now = timezone.now().timestamp()
    in_transaction = connections[DEFAULT_DB_ALIAS].in_atomic_block
    state = _copy
    if (
        state is None
        # Written by a transaction that has ended since (committed or not).
        or (state.in_transaction and not in_transaction)
        or not 0 <= now - state.known_at < LOCAL_COPY_SECONDS
        or (state.due is not None and state.due <= now)
    ):
        state = _read(now, in_transaction)
    if state.due is not None and state.due <= now:
        state = _write(committed=not in_transaction)
    return state


def versioned(key):
    """``key`` under the current public version, for rows cached until a change of public content
    (whose models ``invalidate_on_change`` wires): no entry cached before the change, nor one of
    a cache restored from an older snapshot or whose delete was lost while it failed, is read
    again."""
    return f"{key}:{public_state().key}"


def forget_local_copy():
    """Drops this process's copy of the public version: the next request reads it again."""
    global _copy
    _copy = None


# Whether the version has been written after the last commit of this thread's changes: the
# first of a transaction's callbacks writes it, the others have nothing to add.
_commit_written = threading.local()


def _after_commit():
    if not getattr(_commit_written, "done", False):
        _commit_written.done = True
        _write(committed=True)


def bump_public_version():
    """Forgets every cached public page: call it when public content changes.

    Now, so that this transaction's next read is keyed afresh, and again once the transaction
    commits, so that no other process keeps a page it rendered from the rows as they were before
    the commit, and replicas are asked for the position after it.
    """
    if not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        _write(committed=True)
        return
    _write(committed=False)
    _commit_written.done = False
    transaction.on_commit(_after_commit)


def _m2m_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump_public_version()


def invalidate_on_change(*models, when=None):
    """Bumps the public version on every save and delete of ``models`` (and on changes of
    many-to-many through tables passed here); with ``when``, only for instances for which
    ``when(instance)`` is true. Call it from an AppConfig's ``ready()``."""

    def changed(sender, instance, **kwargs):
        if when is None or when(instance):
            bump_public_version()

    for model in models:
        uid = f"page-cache-{model._meta.label_lower}"
        if model._meta.auto_created:
            m2m_changed.connect(_m2m_changed, sender=model, dispatch_uid=uid)
            continue
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-delete")


# -- the middleware ----------------------------------------------------------------------------


def _page_key(request, version):
    # A parameter given empty is the page without it (every view reads "" as absent; a value a
    # test refuses, "fs=", is never kept): "?year=&topic=" from a filter form is one entry with
    # the bare URL, not one per spelling.
    query = urlencode(sorted(parse_qsl(request.META.get("QUERY_STRING", ""))))
    url = "|".join(
        [
            version,
            request.scheme,
            request.get_host(),
            "elder" if elder_mode.is_on(request) else "",
            request.path,
            query,
        ]
    )
    return "page:" + hashlib.sha256(url.encode()).hexdigest()


def _may_use_cache(request):
    return (
        request.method in ("GET", "HEAD")
        and getattr(settings, "PUBLIC_PAGE_CACHE", True)
        and not _signed_in(request)
    )


def _signed_in(request):
    """Whether the request carries a signed-in session: read (once, by primary key) only when
    the session cookie is sent; a cookie naming no session, or one nobody signed in to, is
    anyone's."""
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        and request.session.get(SESSION_KEY) is not None
    )


def _private_for_a_session_cookie(request, response):
    # SessionMiddleware may refresh or delete that cookie on this answer: no shared cache may
    # keep it. The page cache keeps the public headers, patched here on each answer only.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        patch_cache_control(response, private=True)


def _storable(request, response):
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (hasattr(request, "session") and request.session.modified)
    )


def _headers_for_anonymous(response):
    # Feeds and the sitemap index set their own, from dates a withdrawal does not change.
    response.headers.pop("Last-Modified", None)
    if not response.has_header("ETag"):
        set_response_etag(response)
    # A longer max-age set by the view (the sitemaps' 300 s) stays.
    if "max-age" not in response.get("Cache-Control", ""):
        patch_cache_control(response, max_age=BROWSER_MAX_AGE)
    patch_cache_control(response, public=True)
    patch_vary_headers(response, ("Cookie",))


def _conditional(request, response, state):
    """Adds the version's Last-Modified when it has one, and answers a conditional request."""
    last_modified = state.last_modified
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    return get_conditional_response(
        request, etag=response.get("ETag"), last_modified=last_modified, response=response
    )


class PublicPageCacheMiddleware:
    """Serves and fills the public page cache; place it after CommonMiddleware and before
    CsrfViewMiddleware (it must see the cookies set inside it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        page = getattr(request, "_public_page", None)
        if page is None or page.get("hit"):
            return response
        if not page["cacheable"]:
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Cookie",))
            return response
        if response.status_code != 200 or response.streaming:
            return response
        state = page["state"]
        _headers_for_anonymous(response)
        if _storable(request, response) and _keepable(request, page):
            timeout = PAGE_TIMEOUT
            if state.due is not None:
                timeout = max(1, min(timeout, int(state.due - timezone.now().timestamp())))
            entry = (response.content, list(response.items()))
            caches["default"].set(_page_key(request, state.key), entry, timeout)
        _private_for_a_session_cookie(request, response)
        return _conditional(request, response, state)

    def process_view(self, request, view_func, view_args, view_kwargs):
        params = getattr(view_func, "public_page_params", None)
        if params is None:
            return None
        if not _may_use_cache(request):
            request._public_page = {"cacheable": False}
            return None
        state = public_state()
        pairs = _declared_pairs(request, params)
        request._public_page = {
            "cacheable": True,
            "state": state,
            "params": params,
            "pairs": pairs,
            "used": {},
        }
        # A query that could never be kept has no entry to look for.
        entry = None if pairs is None else caches["default"].get(_page_key(request, state.key))
        if entry is None:
            return None
        request._public_page["hit"] = True
        content, headers = entry
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        _private_for_a_session_cookie(request, response)
        return _conditional(request, response, state)
