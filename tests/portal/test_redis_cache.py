"""Redis is a cache the portal can do without: down, hung or restored from an old snapshot, pages
answer (uncached), staff sign in and publish, and no withdrawn document comes back."""

import os
import socket
import threading

import pytest
import redis
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from catalog.models import CatalogNode
from config.settings import redis_caches
from disclosure.documents.models import Document
from disclosure.documents.services import withdraw
from portal import page_cache, redis_cache
from portal.actors import SYSTEM
from portal.models import SiteSettings
from portal.roles import REVIEWER
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory, published

pytestmark = pytest.mark.django_db

TITLE = "关于开展城乡环境整治的通知"
# This file's own database of the shared Redis: only it is ever cleared.
# A database of its own for each test process (pytest-xdist's gw0, gw1 …): each empties it.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = f"redis://127.0.0.1:6379/{7 + WORKER % 8}"
# Nothing listens there: a Redis that is down.
CLOSED_URL = "redis://127.0.0.1:6390/7"


@pytest.fixture(autouse=True)
def _no_failure_remembered():
    redis_cache.forget_failures()
    yield
    redis_cache.forget_failures()


@pytest.fixture
def tree():
    root = CatalogNode.objects.create(name="政务公开")
    column = CatalogNode.objects.create(name="通知公告", parent=root)
    return {"root": root, "column": column}


@pytest.fixture
def document(tree):
    return published(title=TITLE, node=tree["column"])


def surfaces(tree, document):
    """The public pages that show the document under test, by name."""
    return {
        "home": reverse("home"),
        "listing": tree["column"].get_absolute_url(),
        "document": document.get_absolute_url(),
        "feed": reverse("disclosure:feed-rss"),
    }


def shows(client, url):
    response = client.get(url)
    return response.status_code == 200 and TITLE in response.content.decode()


@pytest.fixture
def redis_db(settings):
    """The real Redis, its database 7 emptied before and after."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    connection.flushdb()
    settings.CACHES = redis_caches(REDIS_URL)
    yield connection
    connection.flushdb()


@pytest.fixture
def hung_redis():
    """A server that accepts connections and never answers: its URL, and the connections made."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/7", accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


# -- Redis down ------------------------------------------------------------------------------


def test_with_redis_down_every_public_page_answers_and_the_failure_is_logged_once(
    client, settings, tree, document, caplog
):
    settings.CACHES = redis_caches(CLOSED_URL)
    pages = {
        **surfaces(tree, document),
        "tree": reverse("catalog:tree"),
        "search": reverse("search") + "?q=%E5%9F%8E%E4%B9%A1",
        "sitemap": reverse("sitemap-section", args=["documents"]),
        "guide": reverse("applications:guide"),
    }
    for name, url in pages.items():
        for _ in range(2):
            assert client.get(url).status_code == 200, name
    assert shows(client, reverse("home"))
    failures = [record for record in caplog.records if record.name == "portal.redis_cache"]
    assert len(failures) == 1
    assert "6390" in failures[0].getMessage()


def test_with_redis_down_staff_sign_in_and_publish(client, settings, tree):
    settings.CACHES = redis_caches(CLOSED_URL)
    agency = AgencyFactory()
    reviewer = StaffUserFactory(role=REVIEWER, agencies=[agency])
    document = DocumentFactory(
        title=TITLE, agency=agency, node=tree["column"], status=Document.Status.SUBMITTED
    )
    response = client.post(
        reverse("admin:login"),
        {"username": reviewer.username, "password": "correct-horse-battery", "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    response = client.post(
        reverse("admin:disclosure_document_transition", args=[document.pk, "publish"])
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED
    assert shows(Client(), document.get_absolute_url())
    assert shows(Client(), reverse("home"))


def test_with_redis_down_the_public_listing_is_built_under_its_lock_in_the_database(
    client, settings, tree, document
):
    # The build's lock is a slot of the limiter (a table); the shared cache held only hints.
    settings.CACHES = redis_caches(CLOSED_URL)
    for query in ({"format": "csv"}, {"format": "csv", "node": tree["column"].pk}):
        response = client.get(reverse("disclosure:export"), query)
        assert response.status_code == 200, query
        assert TITLE in b"".join(response.streaming_content).decode("utf-8-sig"), query


def test_a_failed_redis_is_left_alone_for_a_while_then_asked_again(monkeypatch, caplog, redis_db):
    cache = caches["default"]
    cache.set("key", "kept")
    now = [1000.0]
    monkeypatch.setattr(redis_cache, "monotonic", lambda: now[0])
    asked = []
    answering_get = redis.Redis.get

    def failing_get(self, name):
        asked.append(name)
        raise redis.ConnectionError("Connection refused.")

    monkeypatch.setattr(redis.Redis, "get", failing_get)
    assert cache.get("key") is None
    now[0] += redis_cache.RETRY_SECONDS - 0.1
    assert cache.get("key") is None
    assert len(asked) == 1  # the second call did not ask
    monkeypatch.setattr(redis.Redis, "get", answering_get)
    now[0] += 0.1
    assert cache.get("key") == "kept"
    messages = [r.getMessage() for r in caplog.records if r.name == "portal.redis_cache"]
    assert len(messages) == 2
    assert "ConnectionError" in messages[0]
    assert messages[1] == f"Redis {REDIS_URL} answers again"


# -- Redis hung ------------------------------------------------------------------------------


def test_with_redis_hung_a_page_answers_after_one_timeout_not_one_per_cache_call(
    client, settings, tree, document, hung_redis
):
    url, accepted = hung_redis
    settings.CACHES = redis_caches(url)
    assert settings.CACHES["default"]["OPTIONS"]["socket_timeout"] < 1
    assert shows(client, reverse("home"))
    assert shows(client, tree["column"].get_absolute_url())
    # The first cache call waited for its timeout; every later one skipped Redis.
    assert len(accepted) == 1


# -- Redis restored from an old snapshot -----------------------------------------------------


def snapshot(connection):
    return {key: (connection.dump(key), connection.pttl(key)) for key in connection.scan_iter()}


def restore(connection, entries):
    connection.flushdb()
    for key, (value, ttl) in entries.items():
        connection.restore(key, max(ttl, 0), value, replace=True)


def test_a_redis_restored_from_before_a_withdrawal_shows_the_document_nowhere(
    client, tree, document, redis_db
):
    urls = surfaces(tree, document)
    for name, url in urls.items():
        assert shows(client, url), name
    before = snapshot(redis_db)
    assert sum(b":page:" in key for key in before) == len(urls)
    withdraw(document, SYSTEM, "政策调整")
    restore(redis_db, before)
    # Read by this process and by one that learns the version from the database afresh.
    for fresh in (False, True):
        if fresh:
            page_cache.forget_local_copy()
        for name, url in urls.items():
            assert not shows(client, url), name
    assert client.get(urls["home"]).status_code == 200


def test_a_redis_restored_from_before_a_change_of_site_settings_shows_the_new_ones(
    client, tree, document, redis_db
):
    site = SiteSettings.objects.create(site_name="旧的网站名称")
    assert "旧的网站名称" in client.get(reverse("home")).content.decode()
    before = snapshot(redis_db)
    site.site_name = "新的网站名称"
    site.save()
    restore(redis_db, before)
    page_cache.forget_local_copy()
    assert SiteSettings.load().site_name == "新的网站名称"
    assert "新的网站名称" in client.get(tree["column"].get_absolute_url()).content.decode()


def test_a_redis_restored_from_before_a_new_topic_offers_it_in_the_filters(
    client, tree, document, redis_db
):
    from disclosure.documents.filters import filter_choices
    from tests.factories import TopicFactory

    assert all(name != "新增的主题" for _pk, name in filter_choices()["topic"])
    before = snapshot(redis_db)
    TopicFactory(name="新增的主题")
    restore(redis_db, before)
    page_cache.forget_local_copy()
    assert any(name == "新增的主题" for _pk, name in filter_choices()["topic"])
