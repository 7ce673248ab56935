"""The complete public listing is one file per public state, whatever spelling of the site's host
a request uses: a port in the Host header is not a listing of its own."""

import pytest
from django.urls import reverse

from disclosure.documents import public_listing
from tests.factories import published

pytestmark = pytest.mark.django_db
URL = reverse("disclosure:export")


def test_ports_in_the_host_header_do_not_build_complete_listings_of_their_own(
    client, site_tree, settings, monkeypatch
):
    settings.ALLOWED_HOSTS = ["gk.example.gov.cn"]
    builds = []
    write = public_listing.write_listing_file
    monkeypatch.setattr(
        public_listing,
        "write_listing_file",
        lambda *args, **kwargs: builds.append(args) or write(*args, **kwargs),
    )
    published(title="公开文件甲", node=site_tree["replies"])
    for port in range(1, 6):
        response = client.get(URL, {"format": "csv"}, HTTP_HOST=f"gk.example.gov.cn:{port}")
        assert response.status_code == 200
        b"".join(response.streaming_content)
    assert len(builds) <= 1
    files = list((settings.EXPORT_ROOT / "public").iterdir())
    assert len(files) <= 1
