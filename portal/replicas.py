"""Reads of anonymous public requests go to PostgreSQL streaming replicas.

With ``DATABASE_REPLICA_URLS`` set, settings add the aliases ``replica1``, ``replica2``, … and
install ``ReplicaRouter``; ``PublicReadMiddleware`` marks an anonymous GET or HEAD outside the
admin by choosing one replica for it (round robin), and the router sends that request's reads
there. Everything else uses the primary (``default``): staff and the admin, every write, every
read inside a transaction, management commands (they pass no middleware), and the state shared
between workers (sessions, the database cache, login lockout), so an editor always sees what
they just saved. A replica is a little behind the primary: a page just published appears to
the public once the replica has replayed it, usually within a second.

Anonymous public pages need neither a session nor CSRF state from the database: they set no
session, a form's CSRF token lives in a cookie, and POSTs (applications) go to the primary.
"""

import itertools
import re
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
        token = public_replica.set(self.next_replica())
        try:
            return self.get_response(request)
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
