"""Per-address limits of the public side, counted in the shared cache (seen by every worker).

An IPv6 client counts by its /64 network (one subscriber's allocation), not its full address.

- Submissions: APPLICATIONS_PER_HOUR slots per client address. Each slot is a key that lapses an
  hour after it was taken; ``add`` is atomic, so concurrent requests cannot take the same slot.
- Status look-ups: an address that gave a wrong 查询码 or phone tail WRONG_LOOKUPS_PER_HOUR times
  in the current hour is refused until the hour is over, right or wrong, so codes cannot be
  tried one after another.
"""

import ipaddress
import math

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from portal.audit import client_ip

HOUR = 3600
WRONG_LOOKUPS_PER_HOUR = 10


class Limited(Exception):
    """The address has used its share; ``minutes`` until it may try again."""

    def __init__(self, seconds):
        super().__init__(seconds)
        self.minutes = max(1, math.ceil(seconds / 60))


def _address(request):
    """The client's address; for IPv6 its /64, which one subscriber holds whole."""
    address = client_ip(request) or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(getattr(ip, "ipv4_mapped", None) or ip)


def take_submission_slot(request):
    """Take one of the address's submission slots; returns the function that gives it back.
    Raises Limited when every slot of the last hour is taken."""
    shared = caches["shared"]
    prefix = f"applications:submit:{_address(request)}"
    now = timezone.now().timestamp()
    keys = [f"{prefix}:{slot}" for slot in range(settings.APPLICATIONS_PER_HOUR)]
    for key in keys:
        if shared.add(key, now + HOUR, HOUR):
            return lambda: shared.delete(key)
    frees_at = min(shared.get_many(keys).values(), default=now + HOUR)
    raise Limited(frees_at - now)


def _lookup_key(request):
    hour = int(timezone.now().timestamp() // HOUR)
    return f"applications:lookup-wrong:{_address(request)}:{hour}", (hour + 1) * HOUR


def check_lookups_left(request):
    """Raise Limited when the address has given too many wrong codes this hour."""
    key, ends = _lookup_key(request)
    if (caches["shared"].get(key) or 0) >= WRONG_LOOKUPS_PER_HOUR:
        raise Limited(ends - timezone.now().timestamp())


def count_wrong_lookup(request):
    shared = caches["shared"]
    key, _ends = _lookup_key(request)
    shared.add(key, 0, HOUR + 60)
    try:
        shared.incr(key)
    except ValueError:  # expired between add and incr
        shared.set(key, 1, HOUR + 60)
