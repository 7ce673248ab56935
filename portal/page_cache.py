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
has no end of canonical values, so at most ``free_text_pages()`` pages with free text are kept in
``FREE_TEXT_WINDOW``, ``FREE_TEXT_PAGES_PER_CLIENT`` of them from one network (IPv4 /24, IPv6
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

Most changes concern a part of public content: a document shows on its own page, in its
columns' listings, on the home page, in the feeds and the sitemaps. Such a part is a *scope*
("doc:12", "node:3", "home"; ``disclosure.documents.page_scopes`` names them), and a page
declares the scopes it shows (``public_page(view, params=…, scopes=…)``; a page declaring none
shows ``EVERYTHING``). A change of scopes (``bump_scopes``) writes one ``ScopeChange`` row per
scope, the scope's new *generation*, and a page's entry is current while it carries the
generations of its scopes: publishing a document forgets the pages showing it and keeps every
other one. The rows are inserted, never updated (no writer waits for another's row lock), once
the change has committed, with the primary's WAL position (a replica answers only once it has
replayed the newest one, ``newest_wal_position``); inside the changing transaction the scopes
are keyed afresh for it alone. Generations are keyed by the row's id and token, like versions:
a cache restored from a snapshot names none that is current. Superseded rows are deleted once
every process has had the time to read them; past ``SCOPE_LOG_LIMIT`` rows the log is folded
into a new public version. Changes of what every page shows (site settings, the catalogue's
columns and agencies, topics, the calendar) still write the public version.

A page whose scopes have changed is served as it was kept, for at most ``STALE_SECONDS`` after
the change, while one request (holding a short lock in the cache) renders it afresh: a publication
does not make every visitor of the home page wait for its render at once. Only after one soft
change that this process saw follow the kept one: a *hard* change (``bump_scopes(hard=True)``: a
withdrawal, a deletion, a change of what was public) is part of the entry's key, so that no page
from before it is ever served again; every change also changes ``SEARCH`` (the scope the
search's kept samples of matches read), a hard one hard. A page may also report what it turned out to show once
rendered (``shows``: a search's page lists any documents): a hard change of one of those forgets
its entry as well.

Each process keeps the version it last read or wrote for ``LOCAL_COPY_SECONDS`` (one second):
a cached hit then reads no database, which a query per request would cost (the database cache
used to, and Redis a round trip). The process that changed public content uses the new version
at once; every other process, on this server or another, within that second, so no server
serves a page of a version older than the database's for longer. That second is the price of
keeping hits free of queries. The scopes' generations are read with the version, in one more
query: the rows written since the last read (with an overlap of ``LOG_OVERLAP_SECONDS`` for rows
committed late).

Pages carry an ETag and answer ``If-None-Match`` with 304. ``Last-Modified`` is the second of
the version or of the newest generation of the page's scopes, sent only once no other change can
share that second (the second has ended, with a margin for a change committing late or a clock
a little off, before this process read it); a page served while rendered afresh has none, and
``max-age=0``:
two changes within one second would otherwise carry one Last-Modified, and ``If-Modified-Since``
would confirm the first one's page after the second. Anonymous pages are ``public, max-age=60``
(``private`` for a request that sent a session cookie: the answer may refresh or delete it),
staff pages ``private, no-store``. They all vary on Cookie: staff would see them differently.

A page is kept at most ``page_seconds()`` (an hour unless PORTAL_PAGE_SECONDS says otherwise)
and never past a local midnight: a date it shows ("overdue", this year's filters) may change then.
A page whose content may change without any scope changing says how to tell
(``public_page(still_current=...)``): a search page is kept while no document matching its query
has been published or changed since its request began.

The cache itself may fail (Redis down or hung, ``portal.redis_cache``): a page is then rendered
and not kept, as for a miss.
"""

import contextvars
import hashlib
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
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

from portal import elder_mode, replicas, visits
from portal.clients import network_key
from portal.models import PublicState, ScopeChange

# How long a browser or proxy may reuse an anonymous page without asking again.
BROWSER_MAX_AGE = 60
# How long a page stays in the cache at most, whatever happens (the setting PORTAL_PAGE_SECONDS):
# every change of what it shows forgets it sooner, and none is kept past a local midnight (a
# date it shows, such as "overdue", may change then).
PAGE_TIMEOUT = 60 * 60
# How long a process uses the public version it read without reading it again.
LOCAL_COPY_SECONDS = 1.0
# A version has its second to itself (Last-Modified) when read this long after the second began:
# the second, and half a second for a version written in it but committed late or by a server
# whose clock is a little off.
SETTLED_AFTER = 1.5
# Pages with free text (search queries) kept in FREE_TEXT_WINDOW, in each page cache, and of them
# at most FREE_TEXT_PAGES_PER_CLIENT asked for from one network (``portal.clients.network_key``:
# an IPv4 /24, an IPv6 /48): one client cannot spend the budget of everyone else's searches.
FREE_TEXT_PAGES = 500
FREE_TEXT_PAGES_PER_CLIENT = 25
FREE_TEXT_KEY = "page-free-text"
FREE_TEXT_WINDOW = 10 * 60
# A page may be served for this long after a (soft) change of one of its scopes, to every
# request but the one rendering it afresh.
STALE_SECONDS = 60
# How long the request rendering a page afresh holds it before another may try.
RENDER_LOCK_SECONDS = 20
# Each read of the scope log reads again the rows of this many seconds before the last read: a
# change committed a little after a later one was read is not missed. Rows are kept this long.
LOG_OVERLAP_SECONDS = 10
# Past this many rows, the scope log is folded into a new public version.
SCOPE_LOG_LIMIT = 20_000
# What a page declaring no scopes shows: anything. Every change of a scope changes it.
EVERYTHING = "any"
# What a search's kept sample of matches counts: any document; changed by every change (hard by
# a hard one).
SEARCH = "search"

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


def shows(request, scopes):
    """Reports the scopes a page turned out to show once rendered (the documents of a search's
    page: "doc:12"): its entry is then forgotten by a hard change of any of them, at once and
    without being served while rendered afresh, though it declared none of them. A hard change
    of one of them this process learnt of after the request began (``learnt_during_request``)
    makes the page not kept at all."""
    page = getattr(request, "_public_page", None)
    if page is None or not page["cacheable"]:
        return
    shown = page.setdefault("shown", {})
    for scope in scopes:
        if scope in _pending.hard or learnt_during_request(scope):
            # Changed in this transaction, or withdrawn while this page rendered (perhaps from a
            # replica that had not replayed it yet): this rendering may show it.
            page["cacheable_shown"] = False
        generation = _log.hard.get(scope)
        shown[scope] = generation.key if generation else "0"


# The hard changes this process knew of when the current request began (None: no request).
_hard_seq_at_start = contextvars.ContextVar("hard_seq_at_start", default=None)


def learnt_during_request(scope):
    """Whether this process learnt of a hard change of ``scope`` after the current request began
    (and so perhaps after it chose a replica that had not replayed it): what the request read may
    predate the change, and must not be kept under its generation."""
    start = _hard_seq_at_start.get()
    return start is not None and _log.hard_learnt.get(scope, 0) > start


def _shown_current(shown):
    """Whether no scope a kept page showed has had a hard change since it was rendered."""
    for scope, key in shown:
        if scope in _pending.hard:
            return False  # changed by this thread's open transaction
        generation = _log.hard.get(scope)
        if (generation.key if generation else "0") != key:
            return False
    return True


def public_page(view, *, params, scopes=None, timeout=None, still_current=None):
    """Marks ``view`` as a public page: cached for anonymous visitors, with conditional GET.

    ``params`` maps every query parameter the view reads to its ``Canonical`` (``positive_int``,
    ``one_of(...)``, ``free_text(n)``, ``as_used``); ``{}`` for a view that reads none.
    ``scopes``: the parts of public content the page shows, as scope names or a function of
    the URL's keyword arguments and ``request`` returning them (``bump_scopes``); a page
    declaring none shows anything (``EVERYTHING``). ``timeout``: seconds the page is kept, when less than
    ``page_seconds()``. ``still_current(request, since)``: whether a kept page, rendered by a
    request that began at ``since`` (a timestamp), still stands, asked on each hit (a search
    page: no document matching its query has been published or changed since).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.public_page_params = dict(params)
    wrapped.public_page_scopes = scopes if scopes is not None else (EVERYTHING,)
    wrapped.public_page_timeout = timeout
    wrapped.public_page_still_current = still_current
    return wrapped


def page_seconds():
    """How long a page is kept at most (the setting PORTAL_PAGE_SECONDS)."""
    return getattr(settings, "PORTAL_PAGE_SECONDS", PAGE_TIMEOUT)


def _scopes_of(view_func, request, kwargs):
    scopes = view_func.public_page_scopes
    if callable(scopes):
        scopes = scopes(request=request, **kwargs)
    return tuple(sorted(set(scopes)))


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
    # A page rendered afresh replaces its own entry: no new page is kept.
    return not free or page.get("rendering") or _within_free_text_budget(request)


def _listed_hosts():
    """The hosts ALLOWED_HOSTS names one by one (not by a wildcard), in lower case."""
    return {host.lower() for host in settings.ALLOWED_HOSTS if host != "*" and host[:1] != "."}


def free_text_pages():
    """Pages with free text kept in ``FREE_TEXT_WINDOW`` (the setting PORTAL_SEARCH_PAGES_KEPT)."""
    return getattr(settings, "PORTAL_SEARCH_PAGES_KEPT", FREE_TEXT_PAGES)


def _within_free_text_budget(request):
    cache = caches["default"]
    client = f"{FREE_TEXT_KEY}:{network_key(request)}"
    for key in (client, FREE_TEXT_KEY):
        cache.add(key, 0, FREE_TEXT_WINDOW)
    try:
        if cache.incr(client) > FREE_TEXT_PAGES_PER_CLIENT:
            return False
        return cache.incr(FREE_TEXT_KEY) <= free_text_pages()
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
    if _log.read_at is None:
        _read_log()  # this process's copy of the version comes with one of the log
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
    # The log first: a fold deletes its rows after writing a new version, which is read next.
    _read_log()
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


def scoped(key, scopes):
    """``key`` under the public version and the generations of ``scopes``: for rows derived from
    what those scopes show (a column's facet counts), cached until one of them changes. Keep
    them only when ``reads_are_current`` said so before they were read."""
    state = page_state(scopes)
    return f"{key}:{state.key}:{state.signature}"


def scope_keys(scopes):
    """For each of ``scopes``, in order, a key naming the public version and the scope's
    generation, as this process knows them: what is kept of the scope is current while its key
    is."""
    state = page_state(scopes)
    return [f"{state.public.key}|{generation}" for generation in state.current]


def reads_are_current(model):
    """Whether what this request reads of ``model`` from now on is at least as new as every
    change this process knows of: read on the primary, or on a replica that has replayed the
    newest one. Rows kept under the current version or generations (``scoped``,
    ``scope_keys``) must be read when it is true, or not kept: the replica a request reads
    was chosen when it began, and a change learnt since may not have reached it."""
    alias = router.db_for_read(model)
    if alias == DEFAULT_DB_ALIAS:
        return True
    position = newest_wal_position()
    return bool(position) and replicas.has_replayed(alias, position)


def forget_copy_of_version():
    global _copy
    _copy = None


def forget_local_copy():
    """Drops this process's copy of the public version and of the scope log: the next request
    reads them again."""
    global _copy, _log
    _copy = None
    _log = _ScopeLog()
    _pending.current, _pending.hard, _pending.changes = {}, {}, {}


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


# -- scoped generations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Generation:
    """A scope's generation: the newest ``ScopeChange`` row of the scope (pk 0: one written
    by this thread's open transaction, known to it alone)."""

    pk: int
    token: str
    at: float  # when the scope changed (a timestamp)

    @property
    def key(self):
        return f"{self.pk}.{self.token}"


class _ScopeLog:
    """The generations of the scopes this process has read or written: the newest one of each
    scope, the newest hard one, and the key of the one before the newest ("0": none) when this
    process saw both."""

    def __init__(self):
        self.current = {}
        self.previous = {}
        self.hard = {}
        # Each hard generation's place in the order this process learnt of them (``shows``).
        self.hard_seq = 0
        self.hard_learnt = {}
        # (when, scope) of each generation this process learnt of, in that order, for
        # ``scopes_changed_since``; those older than a page's life are dropped.
        self.changes = deque()
        self.read_at = None  # when the log was last read (an aware datetime)
        self.wal_position = ""
        self.lock = threading.Lock()

    def add(self, row, trusted):
        """Takes in ``row``; ``trusted``: no row of the scope between the one this process
        knows and ``row`` can have escaped it (else the previous generation is unknown)."""
        generation = Generation(row.pk, row.token, row.changed_at.timestamp())
        with self.lock:
            current, previous = self.current.get(row.scope), self.previous.get(row.scope)
            if current is None or generation.pk > current.pk:
                self.current[row.scope] = generation
                self.changes.append((generation.at, row.scope))
                kept_from = generation.at - page_seconds() - LOG_OVERLAP_SECONDS
                while self.changes[0][0] < kept_from:
                    self.changes.popleft()
                if trusted:
                    self.previous[row.scope] = current.key if current else "0"
                else:
                    self.previous.pop(row.scope, None)
            elif generation.pk < current.pk and (
                previous is None or generation.pk > int(previous.split(".")[0])
            ):
                self.previous.pop(row.scope, None)  # committed late: between the two known
            hard = self.hard.get(row.scope)
            if row.hard and (hard is None or generation.pk > hard.pk):
                self.hard[row.scope] = generation
                self.hard_seq += 1
                self.hard_learnt[row.scope] = self.hard_seq
            if row.wal_position and (
                not self.wal_position
                or replicas.lsn_number(row.wal_position) > replicas.lsn_number(self.wal_position)
            ):
                self.wal_position = row.wal_position

    def fresh(self, now):
        """Whether this process read the log recently enough to have seen every row since."""
        return self.read_at is not None and (now - self.read_at).total_seconds() < (
            LOG_OVERLAP_SECONDS / 2
        )


_log = _ScopeLog()


def scopes_changed_since(since, limit, prefix=""):
    """The scopes starting with ``prefix`` ("doc:") this process knows to have changed at
    ``since`` (a timestamp) or later, as a set, each change at the time its row was written,
    once the change had committed; None when more than ``limit`` changed."""
    changed = set()
    with _log.lock:
        for at, scope in reversed(_log.changes):
            if at >= since:
                if not scope.startswith(prefix):
                    continue
                changed.add(scope)
                if len(changed) > limit:
                    return None
            elif at < since - LOG_OVERLAP_SECONDS:
                break  # learnt in about the order written: a row committed late is not older
    return changed


class _Pending(threading.local):
    """The scopes this thread's open transaction has changed: keyed afresh for it alone, and
    written to the log once it commits."""

    def __init__(self):
        self.current, self.hard, self.changes = {}, {}, {}


_pending = _Pending()


def _read_log():
    """Reads the rows written since the last read (all of them the first time)."""
    started = timezone.now()
    rows = ScopeChange.objects.using(DEFAULT_DB_ALIAS).order_by("pk")
    since = _log.read_at
    if since is not None:
        rows = rows.filter(changed_at__gte=since - timedelta(seconds=LOG_OVERLAP_SECONDS))
    trusted = _log.fresh(started)
    for row in rows:
        _log.add(row, trusted)
    _log.read_at = started


def newest_wal_position():
    """The primary's WAL position after the newest change this process knows of: the public
    version's or a scope's, whichever is later ("" when the version's is unknown)."""
    public = public_state().wal_position
    if not public or not _log.wal_position:
        return public  # a version without one (written in its transaction): none is known
    return max(public, _log.wal_position, key=replicas.lsn_number)


def bump_scopes(scopes, *, hard=False):
    """Forgets the cached pages showing any of ``scopes`` (names such as "doc:12",
    "node:3", "home"): call it when that part of public content changes; ``hard`` when what
    changed may no longer be shown (a withdrawal), so that no page from before it is served
    while it is rendered afresh. Pages declaring no scopes change with every scope, and so does
    ``SEARCH``.

    Inside a transaction the scopes are keyed afresh for it at once, and written to the log
    once it commits."""
    changes = dict.fromkeys({*scopes, EVERYTHING, SEARCH}, hard)
    if not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        _write_scopes(changes)
        return
    now = timezone.now().timestamp()
    for scope, is_hard in changes.items():
        generation = Generation(0, secrets.token_hex(8), now)
        _pending.current[scope] = generation
        if is_hard:
            _pending.hard[scope] = generation
        _pending.changes[scope] = _pending.changes.get(scope, False) or is_hard
    transaction.on_commit(_scopes_after_commit)


def _scopes_after_commit():
    changes = _pending.changes
    _pending.current, _pending.hard, _pending.changes = {}, {}, {}
    if changes:
        _write_scopes(changes)


def _write_scopes(changes):
    if _log.read_at is None:
        _read_log()  # what came before these rows, so that this process may tell it
    now = timezone.now()
    fresh = _log.fresh(now)
    rows = [
        ScopeChange(scope=scope, token=secrets.token_hex(8), hard=hard, changed_at=now)
        for scope, hard in sorted(changes.items())
    ]
    log = ScopeChange.objects.using(DEFAULT_DB_ALIAS)
    # The rows appear with their position or not at all.
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        log.bulk_create(rows)
        position = replicas.primary_wal_position()
        if position:
            log.filter(pk__in=[row.pk for row in rows]).update(wal_position=position)
    for row in rows:
        row.wal_position = position
        _log.add(row, fresh)
    # Past SCOPE_LOG_LIMIT rows, the log is folded into a new public version.
    try:
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            _prune(log, rows, now)
    except DatabaseError:  # another process pruning the same rows: the next write prunes
        return
    if log.count() > SCOPE_LOG_LIMIT:
        # First the version (a process reading the log after the delete reads it next), then
        # the rows, whose pages no key of the new version names.
        _write(committed=True)
        log.filter(pk__lte=max(row.pk for row in rows)).delete()


def _prune(log, rows, now):
    """Deletes the rows these ones supersede (the newest hard row of a scope stays while a
    soft one follows it), once every process reading the log has seen them."""
    first = min(row.pk for row in rows)
    settled = now - timedelta(seconds=LOG_OVERLAP_SECONDS)
    older = log.filter(pk__lt=first, changed_at__lt=settled)
    hard = [row.scope for row in rows if row.hard]
    soft = [row.scope for row in rows if not row.hard]
    if hard:
        older.filter(scope__in=hard).delete()
    if soft:
        older.filter(scope__in=soft, hard=False).delete()


@dataclass(frozen=True)
class PageState:
    """What keys a page: the public version and the generations of the scopes it shows."""

    public: PublicVersion
    current: tuple  # each scope's generation key ("0": none yet)
    changed_at: tuple  # when each scope changed last (None: never, or in this transaction)
    previous: tuple  # the key of the generation before, when known (None: unknown)
    hard: tuple  # the key of each scope's newest hard generation ("0": none)
    settled_at: float  # when this process had read both the version and the log

    @property
    def key(self):
        """What keys the page's entry: changed by the public version and each hard change."""
        return f"{self.public.key}|{'/'.join(self.hard)}"

    @property
    def signature(self):
        """What the page's entry must carry to be current: each scope's generation."""
        return "/".join(self.current)

    @property
    def due(self):
        return self.public.due

    @property
    def last_modified(self):
        """The second of the newest change the page shows, once no other can share it."""
        if self.public.last_modified is None:
            return None
        if any("+" in key for key in self.current):
            return None  # a change not yet committed
        second = int(max([self.public.at, *(at for at in self.changed_at if at is not None)]))
        return second if self.settled_at >= second + SETTLED_AFTER else None

    def may_serve_stale(self, signature, now):
        """Whether an entry carrying ``signature`` (this page's before soft changes) may be
        served while the page is rendered afresh: each scope it differs in has changed once
        since, less than STALE_SECONDS ago."""
        keys = signature.split("/")
        if len(keys) != len(self.current):
            return False
        for key, current, previous, at in zip(
            keys, self.current, self.previous, self.changed_at, strict=True
        ):
            if key == current:
                continue
            if key != previous or at is None or not 0 <= now - at <= STALE_SECONDS:
                return False
        return True


def page_state(scopes):
    """The ``PageState`` of a page showing ``scopes``, as this process knows it."""
    if _log.read_at is None:
        forget_copy_of_version()  # read with the log, which is read first (``_read``)
    public = public_state()
    if not connections[DEFAULT_DB_ALIAS].in_atomic_block and _pending.current:
        _pending.current, _pending.hard, _pending.changes = {}, {}, {}  # rolled back
    current, changed_at, previous, hard = [], [], [], []
    for scope in scopes:
        generation, pending = _log.current.get(scope), _pending.current.get(scope)
        key = generation.key if generation else "0"
        # This transaction's change, after the log's (which another process may change).
        current.append(f"{key}+{pending.token}" if pending else key)
        changed_at.append(generation.at if generation and not pending else None)
        previous.append(None if pending else _log.previous.get(scope))
        hard_key = _log.hard[scope].key if scope in _log.hard else "0"
        pending_hard = _pending.hard.get(scope)
        hard.append(f"{hard_key}+{pending_hard.token}" if pending_hard else hard_key)
    read_at = _log.read_at.timestamp() if _log.read_at else 0.0
    return PageState(
        public=public,
        current=tuple(current),
        changed_at=tuple(changed_at),
        previous=tuple(previous),
        hard=tuple(hard),
        settled_at=min(public.known_at, read_at),
    )


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


def _conditional(request, response, last_modified):
    """Adds ``last_modified`` (the page's, or None), and answers a conditional request."""
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
        # Before portal.replicas chooses where this request reads from: a page showing a scope
        # whose hard change this process learnt of later is not kept (``shows``).
        token = _hard_seq_at_start.set(_log.hard_seq)
        try:
            response = self.get_response(request)
        finally:
            _hard_seq_at_start.reset(token)
        page = getattr(request, "_public_page", None)
        if page is None or page.get("hit"):
            return response
        if not page["cacheable"]:
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Cookie",))
            return response
        try:
            if response.status_code != 200 or response.streaming:
                return response
            state = page["state"]
            _headers_for_anonymous(response)
            if _storable(request, response) and _keepable(request, page):
                _store(request, page, response)
            _private_for_a_session_cookie(request, response)
            return _conditional(request, response, state.last_modified)
        finally:
            if page.get("rendering"):
                caches["default"].delete(page["key"] + RENDERING)

    def process_view(self, request, view_func, view_args, view_kwargs):
        params = getattr(view_func, "public_page_params", None)
        if params is None:
            return None
        if not _may_use_cache(request):
            request._public_page = {"cacheable": False}
            return None
        state = page_state(_scopes_of(view_func, request, view_kwargs))
        pairs = _declared_pairs(request, params)
        page = request._public_page = {
            "cacheable": True,
            "state": state,
            "params": params,
            "pairs": pairs,
            "used": {},
            "timeout": view_func.public_page_timeout,
            "began": timezone.now().timestamp(),
        }
        # A query that could never be kept has no entry to look for.
        if pairs is None:
            return None
        page["key"] = _page_key(request, state.key)
        entry = caches["default"].get(page["key"])
        if entry is None:
            return None
        content, headers, signature, rendered = entry
        # (when, the scopes it showed, when its request began): an earlier release kept the
        # time alone, then the first two.
        shown = rendered[1] if isinstance(rendered, tuple) else ()
        if shown and not _shown_current(shown):
            return None  # a document it shows was withdrawn or changed
        stale = signature != state.signature
        if stale and not state.may_serve_stale(signature, timezone.now().timestamp()):
            return None
        if not stale and view_func.public_page_still_current is not None:
            began = rendered[2] if isinstance(rendered, tuple) and len(rendered) > 2 else None
            if began is None:
                return None  # kept by an earlier release: not known to be current
            # Changed since by a soft change (a publication): served while rendered afresh.
            stale = not view_func.public_page_still_current(request, began)
        if stale and _take_render_lock(page["key"]):
            page["rendering"] = True  # this request renders it afresh; others get this one
            return None
        page["hit"] = True
        return _cached_response(request, content, headers, None if stale else state)


# Suffix of the key a request holds while it renders a page afresh.
RENDERING = ":rendering"


def _take_render_lock(key):
    """Whether this request is the one to render the page of ``key`` afresh (no other is)."""
    return caches["default"].add(key + RENDERING, 1, RENDER_LOCK_SECONDS)


def _store(request, page, response):
    state = page["state"]
    now = timezone.now().timestamp()
    midnight = visits.seconds_left_in(timezone.localdate())
    timeout = min(page["timeout"] or page_seconds(), page_seconds(), midnight)
    if state.due is not None:
        timeout = min(timeout, state.due - now)
    timeout = max(1, int(timeout))
    if not page.get("cacheable_shown", True):
        return
    shown = tuple(sorted(page.get("shown", {}).items()))
    # Four items, as an earlier release reads them while both run during a deploy.
    entry = (response.content, list(response.items()), state.signature, (now, shown, page["began"]))
    caches["default"].set(page["key"], entry, timeout)


def _cached_response(request, content, headers, state):
    """A kept page; ``state`` None for one served while it is rendered afresh: it has no
    Last-Modified, and no browser or proxy may keep it."""
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    if state is None:
        patch_cache_control(response, max_age=0)
    _private_for_a_session_cookie(request, response)
    return _conditional(request, response, state.last_modified if state else None)
