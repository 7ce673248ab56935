"""The public download is built once per change of what is public, by one request at a time."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from disclosure import public_listing
from disclosure.services import publish, withdraw
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
    assert titles(client.get(URL, {"format": "csv"})) == ["公开文件甲", "新发布文件乙"]
    assert len(builds) == 2


def test_a_withdrawal_removes_the_document_from_the_next_download(client, site_tree):
    doc = published(title="将撤回的文件", node=site_tree["replies"])
    assert titles(client.get(URL, {"format": "csv"})) == ["将撤回的文件"]
    withdraw(doc, None, "政策调整")
    assert titles(client.get(URL, {"format": "csv"})) == []


def test_a_scheduled_document_enters_the_listing_when_its_time_comes(
    client, site_tree, monkeypatch
):
    publish(
        DocumentFactory(title="定时发布文件", node=site_tree["replies"]),
        at=timezone.now() + timedelta(hours=1),
    )
    assert titles(client.get(URL, {"format": "csv"})) == []
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
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
    shared = caches["shared"]
    shared.set(public_listing.LOCK_KEY, f"{path.name}:other-worker", 60)

    def other_worker_finishes(seconds):
        path.write_bytes(content)
        shared.delete(public_listing.LOCK_KEY)

    monkeypatch.setattr(public_listing.time, "sleep", other_worker_finishes)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200 and titles(response) == ["公开文件甲"]
    assert len(builds) == 1 and first.status_code == 200


def test_while_another_listing_is_built_the_download_answers_busy(
    client, site_tree, builds, monkeypatch
):
    published(title="公开文件甲", node=site_tree["replies"])
    caches["shared"].set(public_listing.LOCK_KEY, "another-listing.csv:other-worker", 60)
    monkeypatch.setattr(public_listing.time, "sleep", lambda seconds: None)
    # A filtered listing: the complete one waits its turn instead (see below).
    response = client.get(URL, {"format": "csv", "node": site_tree["replies"].pk})
    assert response.status_code == 503 and response["Retry-After"]
    assert "公开目录正在生成" in response.content.decode()
    assert builds == []
