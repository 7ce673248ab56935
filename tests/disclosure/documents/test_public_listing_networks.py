"""The public listing's filtered builds are counted per network as well as per client: an IPv6
/48 holds 65,536 /64s, each a client with CLIENT_BUILDS builds of its own, and filtered builds
run one at a time on the whole site, so one party rotating /64s keeps the build lock (every
other filtered download answers 503) and a worker busy for as long as it likes. Submissions and
login failures already count the network (``portal.clients.network_key``); these builds do not."""

import pytest
from django.urls import reverse

from disclosure.documents import public_listing
from tests.factories import published

pytestmark = pytest.mark.django_db
URL = reverse("disclosure:export")
CLIENTS_PER_NETWORK = 4  # as application submissions: a network shares four clients' share


@pytest.fixture
def builds(monkeypatch):
    calls = []
    write = public_listing.write_listing_file

    def counting(*args, **kwargs):
        calls.append(args)
        return write(*args, **kwargs)

    monkeypatch.setattr(public_listing, "write_listing_file", counting)
    return calls


def test_rotating_64s_inside_one_48_does_not_multiply_the_filtered_builds(
    client, site_tree, builds
):
    published(title="公开文件甲", node=site_tree["replies"])
    for n in range(40):
        client.get(URL, {"format": "csv", "year": 2000 + n}, REMOTE_ADDR=f"2001:db8:77:{n:x}::1")
    assert len(builds) <= CLIENTS_PER_NETWORK * public_listing.CLIENT_BUILDS
