"""Who a request comes from: its address, and the client that address counts as.

``client_ip`` is the address itself (what the audit log records). ``client_key`` is the client
every limit counts and the login lockout locks: an IPv4 address, or an IPv6 address's /64
network, since one subscriber commonly holds a whole /64 and could otherwise take a new address
for each try. Every limiter (``portal.ratelimit``) and django-axes (``lockout_address``) go
through it.
"""

import hashlib
import ipaddress
import re

from django.conf import settings

IPV6_CLIENT_PREFIX = 64
UNKNOWN = "unknown"


def client_ip(request):
    """The client address; behind a proxy, the last hop it added (see PORTAL_TRUSTED_PROXIES)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = getattr(settings, "PORTAL_TRUSTED_PROXIES", 0)
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return without_port(hops[-proxies])
    return request.META.get("REMOTE_ADDR") or None


# A proxy may write the hop with its port: 203.0.113.7:51234, [2001:db8::1]:443.
HOP_WITH_PORT = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.%\w]+)\]|(?P<v4>[0-9.]+))(?::[0-9]{1,5})?$")


def without_port(hop):
    match = HOP_WITH_PORT.match(hop)
    return (match["v6"] or match["v4"]) if match else hop


def parse_address(value):
    """``value`` as an ``ipaddress`` address, or None when it is not one.

    IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes the IPv4 address; an IPv6 zone (%eth0) is dropped.
    """
    try:
        address = ipaddress.ip_address(str(value).strip()) if value else None
    except ValueError:
        return None
    if address is not None and address.version == 6:
        if address.ipv4_mapped:
            return address.ipv4_mapped
        address = ipaddress.IPv6Address(int(address))
    return address


def client_network(value):
    """The network an address counts as one client by: the IPv4 address itself (as a /32), an
    IPv6 address's /64; None when ``value`` is not an address."""
    address = parse_address(value)
    if address is None:
        return None
    prefix = address.max_prefixlen if address.version == 4 else IPV6_CLIENT_PREFIX
    return ipaddress.ip_network((address, prefix), strict=False)


def address_key(value):
    """The client an address counts as, as text: ``203.0.113.7``, ``2001:db8:1:2::/64``; a
    value that is not an address counts as a client of its own (``unknown:`` and a digest of
    it), so that one odd hop cannot spend the limits of every other; ``unknown`` when empty."""
    network = client_network(value)
    if network is None:
        if value:
            return f"{UNKNOWN}:{hashlib.sha256(str(value).encode()).hexdigest()[:16]}"
        return UNKNOWN
    if network.version == 4:
        return str(network.network_address)
    return str(network)


def client_key(request):
    """The client ``request`` counts as for every limit (see ``address_key``)."""
    return address_key(client_ip(request))


def lockout_address(request):
    """The address django-axes locks (AXES_CLIENT_IP_CALLABLE): the client's IPv4 address, or
    the first address of its IPv6 /64, since axes keeps an address field, not a network."""
    network = client_network(client_ip(request))
    return str(network.network_address) if network is not None else None
