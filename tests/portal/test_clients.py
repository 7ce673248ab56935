"""Who counts as one client: an IPv4 address, an IPv6 /64, behind the trusted proxies."""

import pytest
from django.test import RequestFactory

from portal.clients import address_key, client_ip, client_key, lockout_address


def request_from(address, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=address, **headers)


@pytest.mark.parametrize(
    "address, key",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:0db8:0001:0002:0000:0000:0000:0009", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("", "unknown"),
    ],
)
def test_every_address_of_one_client_gives_one_key(address, key):
    assert client_key(request_from(address)) == key
    assert address_key(address) == key


def test_addresses_in_another_ipv6_network_are_another_client():
    assert client_key(request_from("2001:db8:1:2::1")) != client_key(
        request_from("2001:db8:1:3::1")
    )


def test_the_lockout_address_is_the_first_address_of_the_clients_network():
    assert lockout_address(request_from("2001:db8:1:2:aaaa::5")) == "2001:db8:1:2::"
    assert lockout_address(request_from("::ffff:198.51.100.7")) == "198.51.100.7"
    assert lockout_address(request_from("bogus")) is None


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    request = request_from("10.0.0.1", forwarded="192.0.2.9, 2001:db8:5:6::77")
    assert client_ip(request) == "2001:db8:5:6::77"
    assert client_key(request) == "2001:db8:5:6::/64"
    settings.PORTAL_TRUSTED_PROXIES = 0  # no proxy trusted: the header is the client's own word
    assert client_key(request) == "10.0.0.1"


def test_a_value_that_is_no_address_is_a_client_of_its_own_not_one_shared_by_all():
    first, second = address_key("proxy-misconfigured"), address_key("another-odd-value")
    assert first.startswith("unknown:") and second.startswith("unknown:")
    assert first != second and first == address_key("proxy-misconfigured")


@pytest.mark.parametrize(
    "hop, key",
    [
        ("203.0.113.7:51234", "203.0.113.7"),
        ("[2001:db8:5:6::77]:443", "2001:db8:5:6::/64"),
        ("[2001:db8:5:6::78]", "2001:db8:5:6::/64"),
        ("2001:db8:5:6::79", "2001:db8:5:6::/64"),
    ],
)
def test_a_hop_written_with_its_port_counts_as_its_address(settings, hop, key):
    settings.PORTAL_TRUSTED_PROXIES = 1
    request = request_from("10.0.0.1", forwarded=f"192.0.2.9, {hop}")
    assert client_key(request) == key
