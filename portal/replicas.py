"""Reads of anonymous public requests go to PostgreSQL streaming replicas.

With ``DATABASE_REPLICA_URLS`` set, settings add the aliases ``replica1``, ``replica2``, … and
install ``ReplicaRouter``; ``PublicReadMiddleware`` marks an anonymous GET or HEAD outside the
admin by choosing one replica for it (round robin), and the router sends that request's reads
there. Everything else uses the primary (``default``): staff and the admin, every write, every
read inside a transaction, management commands (they pass no middleware), and the state shared
between workers (sessions, the database cache, login lockout, the public version), so an editor
always sees what they just saved.

A replica answers a public read only once it has replayed the current public version: every
change of public content records the primary's WAL position after it committed
(``portal.page_cache``), and a replica whose ``pg_last_wal_replay_lsn()`` has not reached it
leaves the request to the primary. So a withdrawal is seen at once by every visitor, and no page
older than the public version is rendered, let alone kept under it (serving the replica's page
uncached instead would still show the withdrawn document for as long as the replica lags); the
primary carries those requests only while a replica lags. Once a replica has reached a position,
this process does not ask it again for that position (replay only moves forward).

Anonymous public pages need neither a session nor CSRF state from the database: they set no
session, a form's CSRF token lives in a cookie, and POSTs (applications) go to the primary.
"""

import itertools
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections

# The replica chosen for the current anonymous public request, or None.
public_replica = ContextVar("portal_public_replica", default=None)

REPLICA_ALIAS = re.compile(r"replica\d+")

# State that workers share and act on at once (the export lock and limits in the database cache,
# sessions, login lockout): read where it is written, never from a copy a moment old.
PRIMARY_ONLY_APPS = {"django_cache", "sessions", "axes"}

# Per replica alias: the highest WAL position it has been seen to have replayed.
_replayed = {}


def replica_aliases():
    """The database aliases of the configured replicas, in order (empty without replicas)."""
    return [alias for alias in settings.DATABASES if REPLICA_ALIAS.fullmatch(alias)]


def is_public_read(request):
    """An anonymous GET or HEAD outside the admin: what a replica may answer."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith("/admin/")
        and not request.user.is_authenticated
    )


class PublicReadMiddleware:
    """Sends the reads of anonymous public requests to one replica each, in turn.

    Comes after AuthenticationMiddleware (it asks who the user is, which reads the session from
    the primary first). Without replicas it removes itself.
    """

    def __init__(self, get_response):
        replicas = replica_aliases()
        if not replicas:
            raise MiddlewareNotUsed
        self.get_response = get_response
        # One replica for the whole request, so that a page's count and its list agree.
        self.next_replica = itertools.cycle(replicas).__next__

    def __call__(self, request):
        if not is_public_read(request):
            return self.get_response(request)
        replica = self.next_replica()
        token = public_replica.set(replica if is_caught_up(replica) else None)
        try:
            return self.get_response(request)
        finally:
            public_replica.reset(token)


def is_caught_up(alias):
    """Whether replica ``alias`` has replayed the current public version and every scoped
    change this process knows of, so that it may answer a public read (else the primary
    answers)."""
    from portal.page_cache import newest_wal_position  # the page cache reads this module too

    position = newest_wal_position()
    # No position (a version written inside its transaction, or by a database without WAL):
    # nothing says which replica has it.
    return bool(position) and has_replayed(alias, position)


def has_replayed(alias, position):
    """Whether replica ``alias`` has replayed the primary's WAL up to ``position`` ("0/3000060")."""
    wanted = lsn_number(position)
    if _replayed.get(alias, -1) >= wanted:
        return True
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn()")
        (replayed,) = cursor.fetchone()
    if replayed is None:  # not a standby, or one that has replayed nothing yet
        return False
    _replayed[alias] = max(_replayed.get(alias, -1), lsn_number(replayed))
    return _replayed[alias] >= wanted


def lsn_number(position):
    """A PostgreSQL LSN ("16/B374D848") as a number, for comparing."""
    high, low = str(position).split("/")
    return (int(high, 16) << 32) + int(low, 16)


def primary_wal_position():
    """The primary's WAL insert position now, as text; "" when the database is not PostgreSQL.

    The insert position, not ``pg_current_wal_lsn()``: with ``synchronous_commit`` off a commit
    may return before its record is written, and only the insert position is past it then.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        return str(cursor.fetchone()[0])


@contextmanager
def reads_on_primary():
    """Sends the reads inside the block to the primary, whatever the request."""
    token = public_replica.set(None)
    try:
        yield
    finally:
        public_replica.reset(token)


class ReplicaRouter:
    """Reads of a marked public request go to its replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        replica = public_replica.get()
        if (
            replica is None
            or model._meta.app_label in PRIMARY_ONLY_APPS
            # A transaction reads what it is about to write, and what it wrote.
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return replica

    def db_for_write(self, model, **hints):
        # Explicit: Django would otherwise save an object where it was read, a read-only replica.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        ours = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas copy the primary's tables; they are never migrated themselves.
        return db == DEFAULT_DB_ALIAS
