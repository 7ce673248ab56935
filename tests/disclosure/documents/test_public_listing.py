"""The public download is built once per change of what is public, by one request at a time."""

import csv
import io
import os
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from disclosure.documents import public_listing
from disclosure.documents.services import publish, withdraw
from portal import built_files
from portal.actors import SYSTEM
from tests.disclosure.conftest import local
from tests.factories import DocumentFactory, published

pytestmark = pytest.mark.django_db
URL = reverse("disclosure:export")


@pytest.fixture
def builds(monkeypatch):
    """The number of listing files written so far."""
    calls = []
    write = public_listing.write_listing_file

    def counting(*args, **kwargs):
        calls.append(args)
        return write(*args, **kwargs)

    monkeypatch.setattr(public_listing, "write_listing_file", counting)
    return calls


def titles(response):
    data = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row[2] for row in list(csv.reader(io.StringIO(data)))[1:]]


def test_repeated_anonymous_downloads_build_the_listing_once(client, site_tree, builds):
    published(title="公开文件甲", node=site_tree["replies"])
    for file_format in ("csv", "xlsx"):
        for _ in range(3):
            response = client.get(URL, {"format": file_format})
            assert response.status_code == 200
            b"".join(response.streaming_content)
    assert len(builds) == 2  # one CSV, one XLSX
    assert titles(client.get(URL, {"format": "csv"})) == ["公开文件甲"]
    assert len(builds) == 2


def test_a_publish_rebuilds_the_listing_and_the_new_document_is_in_it(client, site_tree, builds):
    published(title="公开文件甲", node=site_tree["replies"])
    assert titles(client.get(URL, {"format": "csv"})) == ["公开文件甲"]
    publish(DocumentFactory(title="新发布文件乙", node=site_tree["replies"]))
    newest_first = ["新发布文件乙", "公开文件甲"]
    assert titles(client.get(URL, {"format": "csv"})) == newest_first
    assert len(builds) == 2


def test_a_withdrawal_removes_the_document_from_the_next_download(client, site_tree):
    doc = published(title="将撤回的文件", node=site_tree["replies"])
    assert titles(client.get(URL, {"format": "csv"})) == ["将撤回的文件"]
    withdraw(doc, SYSTEM, "政策调整")
    assert titles(client.get(URL, {"format": "csv"})) == []


def test_a_scheduled_document_enters_the_listing_when_its_time_comes(client, site_tree):
    publish(
        DocumentFactory(title="定时发布文件", node=site_tree["replies"]),
        at=timezone.now() + timedelta(hours=1),
    )
    assert titles(client.get(URL, {"format": "csv"})) == []
    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        assert titles(client.get(URL, {"format": "csv"})) == ["定时发布文件"]


def test_the_listing_has_validators_and_answers_304_to_them(client, site_tree, builds):
    published(title="公开文件甲", node=site_tree["replies"])
    first = client.get(URL, {"format": "xlsx"})
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    again = client.get(URL, {"format": "xlsx"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    since = client.get(URL, {"format": "xlsx"}, HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    assert len(builds) == 1
    publish(DocumentFactory(title="新发布文件乙", node=site_tree["replies"]))
    changed = client.get(URL, {"format": "xlsx"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_each_filter_gets_its_own_file(client, site_tree, builds):
    published(title="建议复函", node=site_tree["replies"])
    published(title="政策文件", node=site_tree["policies"])
    assert titles(client.get(URL, {"format": "csv", "node": site_tree["replies"].pk})) == [
        "建议复函"
    ]
    assert titles(client.get(URL, {"format": "csv", "node": site_tree["policies"].pk})) == [
        "政策文件"
    ]
    assert len(builds) == 2


def test_the_listing_file_is_kept_outside_the_media_folder(client, site_tree, settings):
    published(title="公开文件甲", node=site_tree["replies"])
    client.get(URL, {"format": "csv"})
    files = list((settings.EXPORT_ROOT / "public").iterdir())
    assert len(files) == 1
    assert not files[0].resolve().is_relative_to(settings.MEDIA_ROOT.resolve())


class AnotherWorkerBuilding:
    """Another worker holds the site-wide build lock while building ``name``."""

    def __init__(self, name):
        self.lock = built_files.take_lock(public_listing.LOCK_KEY)
        caches["shared"].set(public_listing.LOCK_KEY, f"{name}:other-worker", 60)

    def finishes(self):
        self.lock.give_back()
        caches["shared"].delete(public_listing.LOCK_KEY)


def test_a_request_waits_for_the_build_under_way_instead_of_building_again(
    client, site_tree, builds, monkeypatch
):
    published(title="公开文件甲", node=site_tree["replies"])
    # Another worker is building the same file: this request sees the lock, waits, and is
    # served the file that worker finishes.
    first = client.get(URL, {"format": "csv"})
    path = next((public_listing.settings.EXPORT_ROOT / "public").iterdir())
    content = path.read_bytes()
    path.unlink()
    other_worker = AnotherWorkerBuilding(path.name)

    def other_worker_finishes(seconds):
        path.write_bytes(content)
        other_worker.finishes()

    monkeypatch.setattr(built_files.time, "sleep", other_worker_finishes)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200 and titles(response) == ["公开文件甲"]
    assert len(builds) == 1 and first.status_code == 200


def test_while_another_listing_is_built_the_download_answers_busy(
    client, site_tree, builds, monkeypatch
):
    published(title="公开文件甲", node=site_tree["replies"])
    AnotherWorkerBuilding("another-listing.csv")
    monkeypatch.setattr(built_files.time, "sleep", lambda seconds: None)
    # A filtered listing: the complete one waits its turn instead (see below).
    response = client.get(URL, {"format": "csv", "node": site_tree["replies"].pk})
    assert response.status_code == 503 and response["Retry-After"]
    assert "公开目录正在生成" in response.content.decode()
    assert builds == []


def year_range(year):
    return {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}


def test_one_address_causes_at_most_its_share_of_builds_and_others_still_get_the_listing(
    client, site_tree, builds
):
    published(title="公开文件甲", node=site_tree["replies"])
    statuses = [
        client.get(
            URL, {"format": "xlsx", **year_range(year)}, REMOTE_ADDR="203.0.113.7"
        ).status_code
        for year in range(2000, 2012)
    ]
    limit = public_listing.CLIENT_BUILDS
    assert statuses == [200] * limit + [429] * (12 - limit)
    assert len(builds) == limit
    refused = client.get(URL, {"format": "csv", "year": 2020}, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "完整的公开目录" in refused.content.decode()
    # A file already built is served to that address all the same.
    built = client.get(URL, {"format": "xlsx", **year_range(2000)}, REMOTE_ADDR="203.0.113.7")
    assert built.status_code == 200 and len(builds) == limit
    other = client.get(URL, {"format": "xlsx"}, REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 200 and len(builds) == limit + 1
    # The complete listing is built for anyone, the limited address included.
    complete = client.get(URL, {"format": "csv"}, REMOTE_ADDR="203.0.113.7")
    assert complete.status_code == 200 and titles(complete) == ["公开文件甲"]


def test_the_build_limit_counts_the_address_behind_a_trusted_proxy(
    client, site_tree, builds, settings
):
    settings.PORTAL_TRUSTED_PROXIES = 1
    published(title="公开文件甲", node=site_tree["replies"])
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for year in range(2000, 2000 + public_listing.CLIENT_BUILDS + 1):
        client.get(
            URL, {"format": "csv", "year": year}, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy
        )
    response = client.get(
        URL, {"format": "csv", "year": 2030}, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy
    )
    assert response.status_code == 200
    assert len(builds) == public_listing.CLIENT_BUILDS + 1


@pytest.mark.parametrize(
    "dates",
    [
        {"date_from": "2024-01-01", "date_to": "2024-05-31"},
        {"date_from": "2024-03-01", "date_to": "2024-12-31"},
        {"date_from": "2023-01-01", "date_to": "2024-12-31"},
        {"date_to": "2024-12-31"},
        {"date_from": "2024-01-01"},
        {"year": "2024", "date_from": "2024-02-01", "date_to": "2024-12-31"},
    ],
)
def test_public_dates_other_than_a_whole_year_are_refused_with_a_reason(
    client, site_tree, builds, dates
):
    response = client.get(URL, {"format": "csv", **dates})
    assert response.status_code == 400
    assert "只能按整年筛选" in response.content.decode()
    assert builds == []


def test_a_year_and_its_whole_date_range_are_the_same_file(client, site_tree, builds):
    published(
        title="二〇二三年文件", node=site_tree["replies"], published_at=local(2023, 12, 31, 23)
    )
    published(title="二〇二四年文件", node=site_tree["replies"], published_at=local(2024, 1, 1, 1))
    assert titles(client.get(URL, {"format": "csv", "year": 2024})) == ["二〇二四年文件"]
    assert titles(client.get(URL, {"format": "csv", **year_range(2024)})) == ["二〇二四年文件"]
    assert len(builds) == 1


def test_public_filters_are_one_at_a_time(client, site_tree, builds):
    response = client.get(URL, {"format": "csv", "node": site_tree["replies"].pk, "year": 2024})
    assert response.status_code == 400
    assert "每次只能按一个条件筛选" in response.content.decode()
    assert builds == []


def test_the_complete_listing_survives_more_filtered_files_than_are_kept(
    client, site_tree, builds, monkeypatch, settings
):
    monkeypatch.setattr(public_listing, "MAX_FILES", 2)
    published(title="公开文件甲", node=site_tree["replies"])
    assert client.get(URL, {"format": "csv"}).status_code == 200
    complete = next((settings.EXPORT_ROOT / "public").iterdir())
    hour_ago = time.time() - 3600  # the oldest file of all
    os.utime(complete, (hour_ago, hour_ago))
    for number, year in enumerate(range(2000, 2005)):
        address = f"203.0.113.{number}"  # many clients, each within its limit
        response = client.get(URL, {"format": "csv", "year": year}, REMOTE_ADDR=address)
        assert response.status_code == 200
    assert complete.exists()
    assert len(list((settings.EXPORT_ROOT / "public").iterdir())) == 1 + 2
    assert titles(client.get(URL, {"format": "csv"})) == ["公开文件甲"]
    assert len(builds) == 1 + 5


def test_the_complete_listing_waits_for_the_build_under_way_and_is_built_next(
    client, site_tree, builds, monkeypatch
):
    published(title="公开文件甲", node=site_tree["replies"])
    shared = caches["shared"]
    other_worker = AnotherWorkerBuilding("part-another.csv")
    flags = []

    def other_worker_finishes(seconds):
        flags.append(shared.get(public_listing.PRIORITY_KEY))
        other_worker.finishes()

    monkeypatch.setattr(built_files.time, "sleep", other_worker_finishes)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200 and titles(response) == ["公开文件甲"]
    assert len(builds) == 1
    assert flags and flags[0]  # filtered builds were held back while it waited
    assert shared.get(public_listing.PRIORITY_KEY) is None  # and may go on now


def test_no_filtered_build_starts_while_the_complete_listing_waits_its_turn(
    client, site_tree, builds, monkeypatch
):
    published(title="公开文件甲", node=site_tree["replies"])
    caches["shared"].set(public_listing.PRIORITY_KEY, "all-x.csv:waiting-worker", 60)
    monkeypatch.setattr(built_files.time, "sleep", lambda seconds: None)
    response = client.get(URL, {"format": "csv", "node": site_tree["replies"].pk})
    assert response.status_code == 503 and response["Retry-After"]
    assert builds == []
    # The complete listing itself is built at once.
    assert client.get(URL, {"format": "csv"}).status_code == 200 and len(builds) == 1


def test_a_refused_or_busy_request_does_not_use_up_the_address_s_builds(
    client, site_tree, builds, monkeypatch
):
    published(title="公开文件甲", node=site_tree["replies"])
    other_worker = AnotherWorkerBuilding("part-another.csv")
    for year in range(2000, 2010):
        response = client.get(URL, {"format": "csv", "year": year})
        assert response.status_code == 503
    other_worker.finishes()
    for year in range(2000, 2000 + public_listing.CLIENT_BUILDS):
        assert client.get(URL, {"format": "csv", "year": year}).status_code == 200
    assert client.get(URL, {"format": "csv", "year": 2010}).status_code == 429


def test_addresses_rotated_inside_one_ipv6_network_share_the_build_limit(client, site_tree, builds):
    published(title="公开文件甲", node=site_tree["replies"])
    statuses = [
        client.get(
            URL, {"format": "csv", "year": year}, REMOTE_ADDR=f"2001:db8:42:1::{year:x}"
        ).status_code
        for year in range(2000, 2008)
    ]
    limit = public_listing.CLIENT_BUILDS
    assert statuses == [200] * limit + [429] * (8 - limit)
    assert len(builds) == limit
    other_network = client.get(URL, {"format": "csv", "year": 2020}, REMOTE_ADDR="2001:db8:42:2::1")
    assert other_network.status_code == 200


def test_the_build_limit_survives_a_cache_flooded_with_pages(
    client, site_tree, builds, flood_caches
):
    published(title="公开文件甲", node=site_tree["replies"])
    for year in range(2000, 2000 + public_listing.CLIENT_BUILDS):
        assert client.get(URL, {"format": "csv", "year": year}).status_code == 200
    flood_caches()
    assert client.get(URL, {"format": "csv", "year": 2010}).status_code == 429
    assert len(builds) == public_listing.CLIENT_BUILDS


def test_the_site_wide_build_lock_survives_a_cache_flooded_with_pages(
    client, site_tree, builds, monkeypatch, flood_caches
):
    published(title="公开文件甲", node=site_tree["replies"])
    AnotherWorkerBuilding("part-another.csv")
    monkeypatch.setattr(built_files.time, "sleep", lambda seconds: None)
    flood_caches()
    response = client.get(URL, {"format": "csv", "year": 2020})
    assert response.status_code == 503
    assert builds == []
