"""Visit statistics that track no one: page views and unique visitors per day, per page kind,
per column and per document, without storing an address or any identifier of a visitor.

What is counted: a GET of a public page (a view marked ``page_cache.public_page``) by anyone not
signed in, answered 200 or 304, whether the page cache served it or the view rendered it. The
middleware sits outside the page cache and reads only what URL resolution left on the request
(``resolver_match``): the kind of page and the column or document it shows come from the view's
name and arguments (``portal.registry.counted_page``), never from a query.

Who a visitor is, for one day only: a hash of the day's salt, the client (``client_key``: an
IPv4 address, an IPv6 /64) and the User-Agent. The salt is random, made when the day's first
visit is counted, kept in Redis (shared by the app servers) or in the process's memory, and
expires with the day; once it is gone no hash of that day can be made again, and none was ever
written anywhere: Redis keeps only HyperLogLog registers, the process only its in-memory set.
Nothing of the request is logged. Requests whose User-Agent reads as a program (bots, crawlers,
curl, headless browsers, no User-Agent at all) are counted apart, as ``bot_views``, and never as
visitors.

Where counts wait: in the process first (a few dictionary updates per request, no database, no
network). With REDIS_URL, every ``REDIS_PUSH_SECONDS`` the request that finds the time come
sends them to Redis in one pipelined round trip (counters in a hash per day, uniques in
HyperLogLogs, so visitors seen by several app servers count once); ``rollup_visits``, run on a
schedule, writes each day's figures from Redis into ``VisitDay`` as they stand, so running it
again changes nothing. Without Redis, the process keeps each day's hashes in a set (at most
``LOCAL_HASHES``; past that, new visitors of the day go uncounted) and adds its counts into
``VisitDay`` every ``FLUSH_SECONDS`` (and at ``rollup_visits``); each process counts its own
visitors then, so one visitor served by two processes counts twice. A Redis that fails costs at
most its timeout, then nothing (``portal.redis_cache``): the counts waiting are dropped, and a
page is never refused for a count. What a process holds when it stops is lost (a few seconds
with Redis, at most a minute without).
"""

import hashlib
import logging
import re
import secrets
import threading
import time as time_module
from collections import Counter
from datetime import datetime, time, timedelta
from functools import lru_cache
from time import monotonic

from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from portal import registry
from portal.clients import address_key, client_ip
from portal.redis_cache import SoftRedisCache

logger = logging.getLogger("portal.visits")

# Every this many seconds a process without Redis adds its counts into the database.
FLUSH_SECONDS = 60.0
# Every this many seconds a process sends its counts to Redis (one round trip).
REDIS_PUSH_SECONDS = 2.0
# In-process hashes of visitors kept at most (about 100 bytes each).
LOCAL_HASHES = 200_000
# Redis keys of a day live this long after it ends: rollup_visits has that long to read them.
REDIS_DAYS_KEPT = 3
REDIS_PREFIX = "portal-visits"

# Programs, not people: crawlers, monitors, command-line clients, libraries, headless browsers.
BOT_PATTERN = re.compile(
    r"bot|spider|crawl|slurp|curl|wget|python|httpx|aiohttp|requests|urllib|libwww|"
    r"java/|okhttp|go-http-client|node-fetch|axios|scrapy|headless|phantomjs|selenium|"
    r"puppeteer|playwright|lighthouse|monitor|uptime|check|scan|fetch|feed|preview|archiver",
    re.IGNORECASE,
)

SITE = "site"  # the row holding the whole site's figures of a day


@lru_cache(maxsize=2048)
def is_bot(user_agent):
    """Whether a User-Agent reads as a program; an empty one does. (Few User-Agents are sent
    by many visitors: the answers are kept.)"""
    return not user_agent or BOT_PATTERN.search(user_agent) is not None


def row_key(kind, node_id=None, document_id=None):
    """The key of one day's figures: ``site``, ``column``, ``column:12:``, ``document::34``."""
    if node_id is None and document_id is None:
        return kind
    return f"{kind}:{node_id or ''}:{document_id or ''}"


def parse_row_key(key):
    """(kind, node_id, document_id) of a ``row_key``."""
    kind, _, rest = key.partition(":")
    if not rest:
        return kind, None, None
    node, _, document = rest.partition(":")
    return kind, int(node) if node else None, int(document) if document else None


def page_of(request):
    """The row keys a counted request adds to (the site, its kind, its column or document), or
    None when the request is not a counted one."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    if request.path == "/":
        return (SITE, "home")
    counted = registry.counted_page_kind(match.view_name)
    if counted is None:
        return (SITE, "other")
    kind, node_argument, document_argument = counted
    node_id = _int_argument(match.kwargs, node_argument)
    document_id = _int_argument(match.kwargs, document_argument)
    if node_id is None and document_id is None:
        return (SITE, kind)
    return (SITE, kind, row_key(kind, node_id, document_id))


def _int_argument(kwargs, name):
    if name is None:
        return None
    value = kwargs.get(name)
    return value if isinstance(value, int) else None


def _counted(request, response):
    page = getattr(request, "_public_page", None)
    return (
        page is not None
        and page.get("cacheable")
        and request.method == "GET"
        and response.status_code in (200, 304)
    )


# -- the day and its salt ----------------------------------------------------------------------

_today = [None, 0.0]  # the local date, and the Unix time until which it is still that date


def today():
    """The local date, read from the clock's zone once a day (not at each request)."""
    now = time_module.time()
    if _today[0] is None or now >= _today[1] or now < _today[1] - 86400:
        day = timezone.localdate()
        _today[0], _today[1] = day, now + seconds_left_in(day)
    return _today[0]


def seconds_left_in(day):
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return max(1, int((end - timezone.now()).total_seconds()))


def visitor_hash(salt, request):
    """The visitor of this day: the salt, the client and the User-Agent, hashed (16 bytes)."""
    material = "\n".join([salt, _client(request), request.META.get("HTTP_USER_AGENT", "")[:500]])
    return hashlib.sha256(material.encode()).digest()[:16]


def _client(request):
    """The client as ``portal.clients.client_key`` counts it (an IPv6 address by its /64),
    without parsing an IPv4 address, which is its own key: parsing was most of a count's cost."""
    address = client_ip(request) or ""
    if address.count(".") == 3 and ":" not in address:
        return address
    return address_key(address)


# -- counts waiting in the process ------------------------------------------------------------


class LocalCounts:
    """A process's counts not yet sent on: to Redis every ``REDIS_PUSH_SECONDS``, or without
    Redis into the database every ``FLUSH_SECONDS`` (keeping the day's hashes to count its
    visitors exactly)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.salts = {}  # without Redis: the day's salt, made here
        self.views = Counter()
        self.bots = Counter()
        self.visitors = {}  # (day, key) → set of hashes
        self.flushed_visitors = Counter()  # (day, key) → how many already in the database
        self.hashes = 0
        self.next_flush = monotonic() + FLUSH_SECONDS
        self.next_push = monotonic() + REDIS_PUSH_SECONDS

    def salt(self, day):
        salt = self.salts.get(day)
        if salt is None:
            salt = self.salts.setdefault(day, secrets.token_hex(16))
        return salt

    def count(self, day, keys, visitor):
        """Adds a view of ``keys`` on ``day``: by a program when ``visitor`` is None."""
        with self.lock:
            for key in keys:
                if visitor is None:
                    self.bots[(day, key)] += 1
                    continue
                self.views[(day, key)] += 1
                seen = self.visitors.setdefault((day, key), set())
                if visitor not in seen and self.hashes < LOCAL_HASHES:
                    seen.add(visitor)
                    self.hashes += 1

    def take_for_database(self, today):
        """{(day, key): (views, new visitors, bot_views)} to add to the database; the days
        before ``today`` are forgotten, their salt with them."""
        with self.lock:
            self.next_flush = monotonic() + FLUSH_SECONDS
            deltas = {}
            for day_key in set(self.views) | set(self.bots) | set(self.visitors):
                seen = len(self.visitors.get(day_key, ()))
                new = seen - self.flushed_visitors[day_key]
                self.flushed_visitors[day_key] = seen
                deltas[day_key] = (self.views[day_key], new, self.bots[day_key])
            self.views.clear()
            self.bots.clear()
            for day_key in [day_key for day_key in self.visitors if day_key[0] < today]:
                self.hashes -= len(self.visitors.pop(day_key))
                self.flushed_visitors.pop(day_key, None)
            for day in [day for day in self.salts if day < today]:
                del self.salts[day]
            return {day_key: delta for day_key, delta in deltas.items() if any(delta)}

    def take_for_redis(self):
        """(views, bots, hashes) waiting, each {(day, key): …}; the process keeps none."""
        with self.lock:
            self.next_push = monotonic() + REDIS_PUSH_SECONDS
            taken = (dict(self.views), dict(self.bots), self.visitors)
            self.views, self.bots, self.visitors = Counter(), Counter(), {}
            self.hashes = 0
            return taken


_local = LocalCounts()


def local_counts():
    return _local


def reset_local_counts():
    """A fresh in-process store (tests)."""
    global _local
    _local = LocalCounts()
    _redis_salts.clear()
    _today[0] = None


# -- Redis ------------------------------------------------------------------------------------


def redis_cache():
    """The Redis cache counts wait in, or None when the portal runs without Redis."""
    cache = caches["default"]
    return cache if isinstance(cache, SoftRedisCache) else None


def redis_key(day, name):
    return f"{REDIS_PREFIX}:{day.isoformat()}:{name}"


_redis_salts = {}


def _redis_salt(cache, day):
    """The day's salt every app server shares, or None while Redis does not answer."""
    salt = _redis_salts.get(day)
    if salt is None:
        salt = cache.run_raw(lambda: None, lambda client: _shared_salt(client, day))
        if salt is not None:
            _redis_salts.clear()  # the days before are over: their salts are forgotten here
            _redis_salts[day] = salt
    return salt


def _shared_salt(client, day):
    key = redis_key(day, "salt")
    client.set(key, secrets.token_hex(16), nx=True, ex=seconds_left_in(day))
    salt = client.get(key)
    return salt.decode() if isinstance(salt, bytes) else salt


def push_to_redis(cache):
    """Sends the process's waiting counts to Redis in one pipelined round trip; returns how
    many rows' counts were sent (dropped when Redis fails: a count is never worth an error)."""
    views, bots, visitors = _local.take_for_redis()
    if not (views or bots or visitors):
        return 0

    def push(client):
        pipe = client.pipeline(transaction=False)
        for counters, name in ((views, "views"), (bots, "bots")):
            for (day, key), number in counters.items():
                pipe.hincrby(redis_key(day, name), key, number)
        for (day, key), hashes in visitors.items():
            pipe.pfadd(redis_key(day, f"u:{key}"), *hashes)
        for day in {day for day, _key in [*views, *bots, *visitors]}:
            expire = seconds_left_in(day) + REDIS_DAYS_KEPT * 86400
            for name in ("views", "bots"):
                pipe.expire(redis_key(day, name), expire)
            for day_key in visitors:
                if day_key[0] == day:
                    pipe.expire(redis_key(day, f"u:{day_key[1]}"), expire)
        pipe.execute()
        return len(set(views) | set(bots) | set(visitors))

    return cache.run_raw(lambda: 0, push)


def count(request, response):
    """Counts ``request`` when it is a counted one (see the module): a few dictionary updates in
    the process; now and then the request that finds the time come sends them on."""
    if not _counted(request, response):
        return
    keys = page_of(request)
    if keys is None:
        return
    day = today()
    cache = redis_cache()
    visitor = None
    if not is_bot(request.META.get("HTTP_USER_AGENT", "")):
        salt = _local.salt(day) if cache is None else _redis_salt(cache, day)
        if salt is None:
            return  # Redis does not answer: nothing could be sent on anyway
        visitor = visitor_hash(salt, request)
    _local.count(day, keys, visitor)
    if cache is not None:
        if monotonic() >= _local.next_push:
            push_to_redis(cache)
    elif monotonic() >= _local.next_flush:
        try:
            flush_local()
        except DatabaseError as error:
            # The page is answered; the counts taken are lost, never the visitor's page.
            logger.warning("Visit counts not written (%s): dropped", type(error).__name__)


class VisitCountingMiddleware:
    """Counts visits (``count``); place it before ``PublicPageCacheMiddleware``, so that the
    pages the cache serves are counted too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        count(request, response)
        return response


# -- into the database ------------------------------------------------------------------------


def flush_local():
    """Adds this process's waiting counts into ``VisitDay``; returns the rows touched."""
    from portal.models import VisitDay

    deltas = _local.take_for_database(timezone.localdate())
    with transaction.atomic():
        for (day, key), (views, visitors, bots) in sorted(deltas.items()):
            row = VisitDay.for_key(day, key)
            VisitDay.objects.filter(pk=row.pk).update(
                views=F("views") + views,
                visitors=F("visitors") + visitors,
                bot_views=F("bot_views") + bots,
            )
    return len(deltas)


def rollup_redis(days):
    """Writes the figures Redis holds for ``days`` into ``VisitDay`` as they stand (running it
    again writes the same); returns the rows written, or None when Redis does not answer."""
    cache = redis_cache()
    if cache is None:
        return 0
    figures = {}
    for day in days:
        read = cache.run_raw(lambda: None, lambda client, day=day: _read_day(client, day))
        if read is None:
            return None
        figures[day] = read
    _write_figures(figures)
    return sum(len(rows) for rows in figures.values())


def _read_day(client, day):
    views = client.hgetall(redis_key(day, "views"))
    bots = client.hgetall(redis_key(day, "bots"))
    keys = sorted({key.decode() for key in [*views, *bots]})
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.pfcount(redis_key(day, f"u:{key}"))
    uniques = pipe.execute()
    return {
        key: (int(views.get(key.encode(), 0)), visitors, int(bots.get(key.encode(), 0)))
        for key, visitors in zip(keys, uniques, strict=True)
    }


def _write_figures(figures):
    from portal.models import VisitDay

    with transaction.atomic():
        for day, rows in figures.items():
            for key, (views, visitors, bots) in rows.items():
                row = VisitDay.for_key(day, key)
                VisitDay.objects.filter(pk=row.pk).update(
                    views=views, visitors=visitors, bot_views=bots
                )


def rollup(days_back=REDIS_DAYS_KEPT):
    """What ``rollup_visits`` does: this process's waiting counts added, and the last
    ``days_back`` days (today included) of Redis written as they stand. Returns (rows added from
    the process, rows written from Redis or None when Redis did not answer)."""
    day = timezone.localdate()
    cache = redis_cache()
    added = flush_local() if cache is None else 0
    if cache is not None:
        push_to_redis(cache)
    days = [day - timedelta(days=back) for back in range(days_back)]
    return added, rollup_redis(days)
