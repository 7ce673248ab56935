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

Where counts wait: with REDIS_URL, in Redis (one pipelined round trip per counted request:
counters in a hash per day, uniques in HyperLogLogs), moved into ``VisitDay`` by ``rollup_visits``
(run on a schedule; it writes each day's totals as they stand, so running it again changes
nothing). Without Redis, in the process: exact counters and sets of hashes (at most
``LOCAL_HASHES`` of them; past that, new visitors of the day go uncounted), added into
``VisitDay`` by the first counted request after ``FLUSH_SECONDS`` and by ``rollup_visits``; each
process counts its own visitors, so one visitor served by two processes counts twice. A request
never waits for the database otherwise, and a Redis that fails costs at most its timeout, then
nothing (``portal.redis_cache``): a page is never refused for a count.
"""

import hashlib
import re
import secrets
import threading
from collections import Counter
from datetime import datetime, time, timedelta
from time import monotonic

from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal import registry
from portal.clients import client_key
from portal.redis_cache import SoftRedisCache

# Every this many seconds a process without Redis adds its counts into the database.
FLUSH_SECONDS = 60.0
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


def is_bot(user_agent):
    """Whether a User-Agent reads as a program; an empty one does."""
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


# -- the day's salt ---------------------------------------------------------------------------


def _seconds_left_in(day):
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return max(1, int((end - timezone.now()).total_seconds()))


def visitor_hash(salt, request):
    """The visitor of this day: the salt, the client and the User-Agent, hashed (16 bytes)."""
    material = "\n".join([salt, client_key(request), request.META.get("HTTP_USER_AGENT", "")[:500]])
    return hashlib.sha256(material.encode()).digest()[:16]


# -- where counts wait ------------------------------------------------------------------------


class LocalCounts:
    """A process's counts of the days not yet added to the database (no Redis)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.salts = {}
        self.views = Counter()
        self.bots = Counter()
        self.visitors = {}  # (day, key) → set of hashes, for the whole day
        self.flushed_visitors = Counter()  # (day, key) → how many already added
        self.hashes = 0
        self.next_flush = monotonic() + FLUSH_SECONDS

    def salt(self, day):
        salt = self.salts.get(day)
        if salt is None:
            salt = self.salts.setdefault(day, secrets.token_hex(16))
        return salt

    def count(self, day, keys, request):
        bot = is_bot(request.META.get("HTTP_USER_AGENT", ""))
        visitor = None if bot else visitor_hash(self.salt(day), request)
        with self.lock:
            for key in keys:
                if bot:
                    self.bots[(day, key)] += 1
                    continue
                self.views[(day, key)] += 1
                seen = self.visitors.setdefault((day, key), set())
                if visitor not in seen and self.hashes < LOCAL_HASHES:
                    seen.add(visitor)
                    self.hashes += 1

    def flush_due(self):
        return monotonic() >= self.next_flush

    def take(self, today):
        """{(day, key): (views, visitors, bot_views)} to add to the database; the days before
        ``today`` are forgotten, their salt with them."""
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


_local = LocalCounts()


def local_counts():
    return _local


def reset_local_counts():
    """A fresh in-process store (tests)."""
    global _local
    _local = LocalCounts()
    _redis_salts.clear()


def redis_cache():
    """The Redis cache counts wait in, or None when the portal runs without Redis."""
    cache = caches["default"]
    return cache if isinstance(cache, SoftRedisCache) else None


def redis_key(day, name):
    return f"{REDIS_PREFIX}:{day.isoformat()}:{name}"


_redis_salts = {}


def _redis_salt(client, day):
    salt = _redis_salts.get(day)
    if salt is None:
        key = redis_key(day, "salt")
        client.set(key, secrets.token_hex(16), nx=True, ex=_seconds_left_in(day))
        salt = client.get(key)
        if salt is None:
            return None
        salt = salt.decode() if isinstance(salt, bytes) else salt
        _redis_salts.clear()  # the days before are over: their salts are forgotten here too
        _redis_salts[day] = salt
    return salt


def _count_in_redis(cache, day, keys, request):
    bot = is_bot(request.META.get("HTTP_USER_AGENT", ""))
    expire = _seconds_left_in(day) + REDIS_DAYS_KEPT * 86400

    def count(client):
        salt = None if bot else _redis_salt(client, day)
        pipe = client.pipeline(transaction=False)
        counters = redis_key(day, "bots" if bot else "views")
        for key in keys:
            pipe.hincrby(counters, key, 1)
            if salt is not None:
                visitors = redis_key(day, f"u:{key}")
                pipe.pfadd(visitors, visitor_hash(salt, request))
                pipe.expire(visitors, expire)
        pipe.expire(counters, expire)
        pipe.execute()

    cache.run_raw(lambda: None, count)


def count(request, response):
    """Counts ``request`` when it is a counted one (see the module); O(1), no database query
    except a process's periodic flush without Redis."""
    if not _counted(request, response):
        return
    keys = page_of(request)
    if keys is None:
        return
    day = timezone.localdate()
    cache = redis_cache()
    if cache is not None:
        _count_in_redis(cache, day, keys, request)
        return
    _local.count(day, keys, request)
    if _local.flush_due():
        flush_local()


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

    deltas = _local.take(timezone.localdate())
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
    today = timezone.localdate()
    added = flush_local()
    days = [today - timedelta(days=back) for back in range(days_back)]
    return added, rollup_redis(days)
