"""What a password guesser spread over many addresses meets besides django-axes.

Axes locks an account for one client (an IPv4 address or an IPv6 /64) after AXES_FAILURE_LIMIT
wrong passwords. A guesser holding a /48 has 65,536 /64s, and one spraying from many networks
has more, so two counts are kept over all addresses (``portal.ratelimit``):

- per network (an IPv4 /24, an IPv6 /48): past NETWORK_FAILURES wrong passwords in an hour, no
  login from that network is tried until the hour is over;
- per account: past ACCOUNT_FAILURES wrong passwords in an hour, from anywhere, the account is
  tried at most once a minute (a slow-down, not a lockout: its owner still gets in, waiting at
  most a minute, and a guesser gets 60 tries an hour instead of thousands).

Neither applies to an account on a client it has signed in from in the last KNOWN_DAYS (each
sign-in renews them) (an
IPv4 address or an IPv6 /64): a guesser spending each minute's try, or failing 50 times from the
owner's network, cannot keep the owner out from where they usually work; axes still limits that
client as any other.

A refused try looks like a wrong password to the form (nothing tells a guesser which limit it met)
and is counted like one.
"""

from django.core.exceptions import PermissionDenied

from portal.clients import client_key, network_key
from portal.ratelimit import Limited, RateLimit

HOUR = 3600
NETWORK_FAILURES = 50
ACCOUNT_FAILURES = 20
NETWORK = RateLimit("login:network-failures", NETWORK_FAILURES, HOUR)
ACCOUNT = RateLimit("login:account-failures", ACCOUNT_FAILURES, HOUR)
ACCOUNT_PACE = RateLimit("login:account-pace", 1, 60)
KNOWN_DAYS = 90
KNOWN = RateLimit("login:known-client", 1, KNOWN_DAYS * 24 * HOUR)


def account_key(username):
    return str(username or "")[:150].casefold()


class GuessingGuardBackend:
    """An authentication backend that authenticates nobody: placed before ModelBackend, it
    refuses a try from a network or for an account past its count (PermissionDenied ends
    Django's ``authenticate`` and sends ``user_login_failed``)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None:
            return None
        account = account_key(username)
        if KNOWN.seen(known_key(account, request)):
            return None
        if NETWORK.exhausted(network_key(request)) is not None:
            raise PermissionDenied
        if ACCOUNT.exhausted(account) is not None:
            try:
                ACCOUNT_PACE.take(account)
            except Limited:
                raise PermissionDenied from None
        return None

    # No get_user: a session never names this backend (Django's test client and login() pick
    # the first backend that has one).


def known_key(account, request):
    return f"{account}|{client_key(request)}"


def remember_client(request, user):
    """A successful sign-in: the account is known on this client for KNOWN_DAYS from now."""
    if request is not None:
        KNOWN.renew(known_key(account_key(user.get_username()), request))


def count_failure(request, username):
    """Count a wrong password (or a refused try) for the network and the account."""
    keys = [(ACCOUNT, account_key(username))]
    if request is not None:
        keys.append((NETWORK, network_key(request)))
    for limit, key in keys:
        try:
            limit.take(key)
        except Limited:
            pass  # already past its count: the try was or will be refused
