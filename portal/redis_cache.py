"""Redis as a cache the portal can do without.

Every use of the caches is a saving, never the only copy: the public version, rate limits, the
public listing's build lock and sessions are in the database; a cached page, the site settings
and the working-day calendar are keyed by the public version (``portal.page_cache.versioned``),
so an entry from before a change, or from a Redis restarted from an old snapshot, is never read
again. A Redis that refuses connections, times out (settings: a quarter of a second to connect,
half a second to answer) or answers an error is therefore treated as an empty cache that keeps
nothing: a read misses, a write and a delete are dropped, ``add`` adds nothing and ``incr``
finds no key (``ValueError``, as for an entry evicted). Pages render uncached; nothing answers
500 and no write rolls back.

After a failure this process does not ask that Redis again for ``RETRY_SECONDS``: a hung server
costs one timeout per process in that time, not one per cache call, and the log gets one line
when Redis fails and one when it answers again, not one per request.
"""

import logging
from time import monotonic

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("portal.redis_cache")

# How long a process leaves a failed Redis alone before asking it again.
RETRY_SECONDS = 5.0

# Per server list (both caches may share one Redis): the monotonic time until which it is not
# asked, and whether its failure has been logged and its return not yet.
_resting_until = {}
_failed = set()


def _missing_key():
    raise ValueError("Redis is unavailable: no key")


class SoftRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis fails (see the module)."""

    def _soft(self, fallback, call, *args, **kwargs):
        servers = tuple(self._servers)
        if _resting_until.get(servers, 0.0) > monotonic():
            return fallback()
        try:
            result = call(*args, **kwargs)
        except (RedisError, OSError) as error:
            _resting_until[servers] = monotonic() + RETRY_SECONDS
            if servers not in _failed:
                _failed.add(servers)
                logger.warning(
                    "Redis %s failed (%s: %s): the cache is skipped for %ss at a time until it "
                    "answers again",
                    ",".join(servers),
                    type(error).__name__,
                    error,
                    RETRY_SECONDS,
                )
            return fallback()
        if servers in _failed:
            _failed.discard(servers)
            logger.warning("Redis %s answers again", ",".join(servers))
        return result

    def add(self, *args, **kwargs):
        return self._soft(lambda: False, super().add, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._soft(lambda: default, super().get, key, default, version)

    def set(self, *args, **kwargs):
        return self._soft(lambda: None, super().set, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._soft(lambda: False, super().touch, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._soft(lambda: False, super().delete, *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._soft(dict, super().get_many, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._soft(lambda: False, super().has_key, *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._soft(_missing_key, super().incr, *args, **kwargs)

    def set_many(self, data, *args, **kwargs):
        return self._soft(lambda: list(data), super().set_many, data, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._soft(lambda: None, super().delete_many, *args, **kwargs)

    def clear(self):
        return self._soft(lambda: False, super().clear)

    def run_raw(self, fallback, call):
        """``call(client)`` with a raw redis-py client of this cache's server (keys unprefixed),
        answered by ``fallback()`` while Redis fails, like every other call here."""
        return self._soft(fallback, lambda: call(self._cache.get_client(write=True)))


def forget_failures():
    """Asks every Redis again at the next call (tests; a process that knows Redis is back)."""
    _resting_until.clear()
    _failed.clear()
