"""The public side's limits per client (``portal.clients.client_key``: an IPv4 address or an
IPv6 /64), counted by the portal's one limiter (``portal.ratelimit``).

- Submissions: APPLICATIONS_PER_HOUR per client and hour, and NETWORK_SHARE times that per
  network (an IPv4 /24, an IPv6 /48: ``portal.clients.network_key``), so that a client holding
  many /64s does not multiply its share. A refusal or a failure after the slots were taken gives
  them back (``views.apply``).
- Identity-file checks: a proof of identity attached to the form is opened (Pillow) only under
  one of IDENTITY_CHECKS_PER_HOUR checks of the client's hour (NETWORK_SHARE times that for its
  network), taken before the form is checked and not given back: a refused file cost the check.
- Status look-ups: each try takes a slot and a right one gives it back, so a client that gave a
  wrong 查询码 or phone tail WRONG_LOOKUPS_PER_HOUR times in its hour is refused until the hour
  is over, right or wrong, and codes cannot be tried one after another.
- Downloads after a look-up (the files given and the letters): DOWNLOADS_PER_HOUR per client.
  Each builds or reads a file and writes an audit event under the log's one lock, and a right
  code may be looked up again at will: an applicant needs a few dozen at most.
"""

from django.conf import settings

from portal.clients import client_key, network_key
from portal.ratelimit import Limited, RateLimit, take_each

__all__ = [
    "Limited",
    "take_download",
    "take_identity_check",
    "take_lookup_slot",
    "take_submission_slot",
]

HOUR = 3600
WRONG_LOOKUPS_PER_HOUR = 10

NETWORK_SHARE = 4
SUBMISSIONS = RateLimit("applications:submit", lambda: settings.APPLICATIONS_PER_HOUR, HOUR)
NETWORK_SUBMISSIONS = RateLimit(
    "applications:submit-network", lambda: settings.APPLICATIONS_PER_HOUR * NETWORK_SHARE, HOUR
)
IDENTITY_CHECKS_PER_HOUR = 20
IDENTITY_CHECKS = RateLimit("applications:identity-check", IDENTITY_CHECKS_PER_HOUR, HOUR)
NETWORK_IDENTITY_CHECKS = RateLimit(
    "applications:identity-check-network", IDENTITY_CHECKS_PER_HOUR * NETWORK_SHARE, HOUR
)
WRONG_LOOKUPS = RateLimit("applications:lookup", WRONG_LOOKUPS_PER_HOUR, HOUR)
# An answer gives at most 20 files (services.MAX_RELEASED_FILES), with a few letters.
DOWNLOADS_PER_HOUR = 100
DOWNLOADS = RateLimit("applications:download", DOWNLOADS_PER_HOUR, HOUR)


def take_submission_slot(request):
    """Take one of the client's submissions of the hour and one of its network's (Slots to
    give back); raises Limited."""
    return take_each(
        (SUBMISSIONS, client_key(request)), (NETWORK_SUBMISSIONS, network_key(request))
    )


def take_lookup_slot(request):
    """Take one of the client's wrong look-ups of the hour (given back when the code is right);
    raises Limited."""
    return WRONG_LOOKUPS.take(client_key(request))


def take_identity_check(request):
    """Take one of the client's and its network's identity-file checks of the hour; raises
    Limited."""
    take_each(
        (IDENTITY_CHECKS, client_key(request)), (NETWORK_IDENTITY_CHECKS, network_key(request))
    )


def take_download(request):
    """Take one of the client's downloads of the hour; raises Limited."""
    DOWNLOADS.take(client_key(request))
