"""The one rate limiter of the portal: at most ``limit`` actions per key in a period.

A key is who is limited: ``portal.clients.client_key(request)`` for the public side (an IPv4
address or an IPv6 /64), a staff member's account for staff limits. A period begins with the
key's first action after the last period ended and lasts ``seconds``; an action beyond the
limit is refused until the period is over (``Limited.retry_after``). An action given back
(``Slot.give_back``: a refusal or a failure after the slot was taken, a right 查询码) does not
count, and a period whose every action was given back is over at once, so a slot that also
serves as "one at a time" frees when its holder finishes.

The counts live in the database (``portal.models.RateLimit``), not in a cache: nothing else
writes that table, so no page entry and no cache cull can evict a count. Taking a slot is one
atomic statement (an upsert that counts only while the period has room), so concurrent requests
never take more than the limit; a refusal costs one more query (when the period ends), a give
back one. A row whose period is over is reused by its key's next action; when a key starts a
new period, the rows of every period that is over are purged, at most every PURGE_SECONDS per
process.

Why the database and not a Redis of its own: every server shares it already, it needs no
``noeviction`` instance to be run beside the cache, and only limited actions (a submission, a
look-up, a build, an export; never a page view) cost their one or two queries.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import BigIntegerField, Case, F, Value, When
from django.utils import timezone

from portal.models import RateLimit as Counter

PURGE_SECONDS = 300
_next_purge = 0.0  # per process: the monotonic time of the next purge


class Limited(Exception):
    """The key has used its share; ``retry_after`` seconds until it may act again."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = max(1, math.ceil(retry_after))
        self.minutes = max(1, math.ceil(self.retry_after / 60))


KEY_LENGTH = 100  # the RateLimit.key column


def _stored_key(key):
    """``key`` as the column holds it: a key longer than the column by its digest."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _now_ms():
    return int(timezone.now().timestamp() * 1000)


def _database():
    return router.db_for_write(Counter)


@dataclass
class Slot:
    """One action counted under ``scope`` for ``key`` in the period ending at ``expires_ms``."""

    scope: str
    key: str
    expires_ms: int
    given_back: bool = False

    def give_back(self):
        """Uncount the action; a second call, or a call after the period is over, does nothing."""
        if self.given_back:
            return
        self.given_back = True
        Counter.objects.using(_database()).filter(
            scope=self.scope, key=self.key, expires_ms=self.expires_ms, count__gt=0
        ).update(
            count=F("count") - 1,
            expires_ms=Case(
                When(count=1, then=Value(_now_ms())),
                default=F("expires_ms"),
                output_field=BigIntegerField(),
            ),
        )


_TAKE = """
INSERT INTO {table} ({scope}, {key}, {count}, {expires}) VALUES (%s, %s, 1, %s)
ON CONFLICT ({scope}, {key}) DO UPDATE SET
    {count} = CASE WHEN {table}.{expires} <= %s THEN 1 ELSE {table}.{count} + 1 END,
    {expires} = CASE WHEN {table}.{expires} <= %s THEN %s ELSE {table}.{expires} END
WHERE {table}.{expires} <= %s OR {table}.{count} < %s
RETURNING {count}, {expires}
"""


def _take_statement(connection):
    quote = connection.ops.quote_name
    names = {name: quote(name) for name in ("scope", "key", "count")}
    return _TAKE.format(table=quote(Counter._meta.db_table), expires=quote("expires_ms"), **names)


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` actions per key in ``seconds`` (``limit`` may be a function, read at
    each action, for limits the settings give)."""

    scope: str
    limit: object
    seconds: int

    def current_limit(self):
        return self.limit() if callable(self.limit) else self.limit

    def take(self, key):
        """Count one action for ``key``; returns its Slot, or raises Limited."""
        key = _stored_key(key)
        now, limit = _now_ms(), self.current_limit()
        ends = now + self.seconds * 1000
        connection = connections[_database()]
        with connection.cursor() as cursor:
            cursor.execute(
                _take_statement(connection),
                [self.scope, key, ends, now, now, ends, now, limit],
            )
            row = cursor.fetchone()
        if row is None:
            expires = (
                Counter.objects.using(_database())
                .filter(scope=self.scope, key=key)
                .values_list("expires_ms", flat=True)
                .first()
            )
            raise Limited(((expires or now) - now) / 1000)
        count, expires = row
        if count == 1:
            purge_expired()
        return Slot(self.scope, key, expires)

    def renew(self, key):
        """Count ``key`` as having acted now, for a whole period from now (a sign-in renews
        how long its client stays known)."""
        key = _stored_key(key)
        Counter.objects.using(_database()).update_or_create(
            scope=self.scope,
            key=key,
            defaults={"count": 1, "expires_ms": _now_ms() + self.seconds * 1000},
        )

    def seen(self, key):
        """Whether ``key`` acted within its period (a slot taken and not given back)."""
        key = _stored_key(key)
        return (
            Counter.objects.using(_database())
            .filter(scope=self.scope, key=key, expires_ms__gt=_now_ms(), count__gt=0)
            .exists()
        )

    def exhausted(self, key):
        """Seconds until ``key`` may act again when it has used its share, else None."""
        key = _stored_key(key)
        now = _now_ms()
        row = (
            Counter.objects.using(_database())
            .filter(scope=self.scope, key=key, expires_ms__gt=now)
            .values_list("count", "expires_ms")
            .first()
        )
        if row is None or row[0] < self.current_limit():
            return None
        return (row[1] - now) / 1000


class Slots:
    """Slots taken together (a client's and its network's): given back together."""

    def __init__(self, *slots):
        self.slots = slots

    def give_back(self):
        for slot in self.slots:
            slot.give_back()


def take_each(*limits_and_keys):
    """Take a slot of each ``(RateLimit, key)``, all or none: raises the first Limited after
    giving back the slots already taken."""
    taken = []
    try:
        for limit, key in limits_and_keys:
            taken.append(limit.take(key))
    except Limited:
        Slots(*taken).give_back()
        raise
    return Slots(*taken)


def purge_expired(force=False):
    """Delete the rows whose period is over, at most once every PURGE_SECONDS per process."""
    global _next_purge
    if not force and time.monotonic() < _next_purge:
        return 0
    _next_purge = time.monotonic() + PURGE_SECONDS
    deleted, _by_model = (
        Counter.objects.using(_database()).filter(expires_ms__lte=_now_ms()).delete()
    )
    return deleted
