"""Public pages cached for anonymous visitors: served from the cache, forgotten the moment public
content changes, never for staff, with conditional GET."""

import os
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Agency, CatalogNode
from disclosure.models import Document
from disclosure.services import publish, withdraw
from portal import page_cache
from portal.actors import SYSTEM
from portal.models import SiteSettings
from tests.factories import (
    DocumentFactory,
    ProposalFactory,
    ProposalReplyFactory,
    published,
)

pytestmark = pytest.mark.django_db

TITLE = "关于开展城乡环境整治的通知"


@pytest.fixture
def tree():
    root = CatalogNode.objects.create(name="政务公开")
    column = CatalogNode.objects.create(name="通知公告", parent=root)
    CatalogNode.objects.create(name="人大代表建议办理", parent=root)  # where replies go
    return {"root": root, "column": column}


@pytest.fixture
def document(tree):
    return published(title=TITLE, node=tree["column"])


def page_kinds(document, tree):
    """Every public page kind, as (name, url, query)."""
    reply = ProposalReplyFactory(proposal=ProposalFactory(number=7, title="关于修路的建议"))
    publish(reply.document)
    session = reply.proposal.session
    return [
        ("home", reverse("home"), {}),
        ("document", document.get_absolute_url(), {}),
        ("listing", tree["column"].get_absolute_url(), {}),
        ("listing page 2", tree["root"].get_absolute_url(), {"per_page": 10, "page": 1}),
        ("tree", reverse("catalog:tree"), {}),
        ("proposals", reverse("disclosure:proposals"), {}),
        ("statistics", reverse("disclosure:proposal-statistics", args=[session.pk]), {}),
        ("search", reverse("search"), {"q": "城乡环境"}),
        ("sitemap index", reverse("sitemap"), {}),
        ("sitemap page", reverse("sitemap-section", args=["documents"]), {}),
        ("rss", reverse("disclosure:feed-rss"), {}),
        ("atom", reverse("disclosure:feed-atom"), {}),
        ("column feed", reverse("disclosure:node-feed-rss", args=[tree["root"].pk]), {}),
    ]


def test_a_second_anonymous_request_of_every_page_kind_is_served_from_the_cache(
    client, tree, document, django_assert_max_num_queries
):
    for name, url, query in page_kinds(document, tree):
        first = client.get(url, query)
        assert first.status_code == 200, name
        assert not first.cookies, f"{name} sets a cookie"
        with django_assert_max_num_queries(0):
            second = client.get(url, query)
        assert second.status_code == 200, name
        assert second.content == first.content, name


def test_the_query_string_is_normalised_in_the_key(
    client, tree, document, django_assert_max_num_queries
):
    url = tree["root"].get_absolute_url()
    client.get(url, {"per_page": 10, "page": 1})
    with django_assert_max_num_queries(0):
        client.get(f"{url}?page=1&per_page=10")


# What each page shows of the document under test, as an anonymous visitor reads it.
def shows(client, document, tree):
    def text(url, query=None):
        response = client.get(url, query or {})
        return response.content.decode() if response.status_code == 200 else ""

    return {
        "home": TITLE in text(reverse("home")),
        "listing": TITLE in text(tree["column"].get_absolute_url()),
        "document": TITLE in text(document.get_absolute_url()),
        "tree": "(1)" in text(reverse("catalog:tree")),
        "feed": TITLE in text(reverse("disclosure:feed-rss")),
        "sitemap": f"/documents/{document.pk}/"
        in text(reverse("sitemap-section", args=["documents"])),
    }


def everywhere(value):
    return {k: value for k in ("home", "listing", "document", "tree", "feed", "sitemap")}


def test_withdraw_then_publish_again_shows_at_once(client, tree, document):
    assert shows(client, document, tree) == everywhere(True)
    withdraw(document, SYSTEM, "政策调整")
    assert shows(client, document, tree) == everywhere(False)


def test_a_publish_shows_at_once(client, tree):
    draft = DocumentFactory(title=TITLE, node=tree["column"])
    assert shows(client, draft, tree) == everywhere(False)
    publish(draft)
    assert shows(client, draft, tree) == everywhere(True)


def test_a_hidden_column_disappears_at_once(client, tree, document):
    client.get(reverse("catalog:tree"))
    client.get(reverse("home"))
    column = tree["column"]
    column.is_visible = False
    column.save()
    assert "通知公告" not in client.get(reverse("catalog:tree")).content.decode()
    assert "通知公告" not in client.get(document.get_absolute_url()).content.decode()
    assert client.get(column.get_absolute_url()).status_code == 404


def test_a_renamed_column_and_agency_show_at_once(client, tree, document):
    assert "通知公告" in client.get(document.get_absolute_url()).content.decode()
    column = CatalogNode.objects.get(pk=tree["column"].pk)
    column.name = "通知公示"
    column.save()
    agency = Agency.objects.get(pk=document.agency_id)
    agency.name = "城乡建设委员会"
    agency.save()
    html = client.get(document.get_absolute_url()).content.decode()
    assert "通知公示" in html and "城乡建设委员会" in html


def test_saved_site_settings_show_at_once(client, tree, document):
    client.get(reverse("home"))
    client.get(reverse("disclosure:feed-rss"))
    settings = SiteSettings.load()
    settings.site_name = "某某区政务公开新名称"
    settings.save()
    assert "某某区政务公开新名称" in client.get(reverse("home")).content.decode()
    assert "某某区政务公开新名称" in client.get(reverse("disclosure:feed-rss")).content.decode()


def test_a_scheduled_document_shows_when_its_time_passes(client, tree, monkeypatch):
    scheduled = publish(
        DocumentFactory(title=TITLE, node=tree["column"]), at=timezone.now() + timedelta(hours=1)
    )
    assert shows(client, scheduled, tree) == everywhere(False)
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert shows(client, scheduled, tree) == everywhere(True)


def test_no_page_is_kept_past_the_next_scheduled_time(tree):
    due = timezone.now() + timedelta(minutes=3)
    publish(DocumentFactory(node=tree["column"]), at=due)
    assert page_cache.public_state()["due"] == pytest.approx(due.timestamp())


def test_the_version_is_bumped_again_when_the_transaction_commits(
    tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        published(node=tree["column"])
        during = page_cache.public_state()["version"]
    assert callbacks
    assert page_cache.public_state()["version"] != during


def test_staff_never_get_a_cached_page(client, admin_client, tree, document):
    url = document.get_absolute_url()
    client.get(url)
    # A write that sends no signal: the cached page keeps the old title, staff see the new one.
    Document.objects.filter(pk=document.pk).update(title="只有工作人员此刻看得到的新标题")
    assert TITLE in client.get(url).content.decode()
    staff = admin_client.get(url)
    assert "只有工作人员此刻看得到的新标题" in staff.content.decode()
    assert "private" in staff["Cache-Control"] and "no-store" in staff["Cache-Control"]
    assert "Cookie" in staff["Vary"]


def test_staff_requests_leave_the_cache_empty(admin_client, tree, document):
    for url in (reverse("home"), document.get_absolute_url(), reverse("catalog:tree")):
        assert admin_client.get(url).status_code == 200
    # The local memory cache holds no page.
    assert not [key for key in caches["default"]._cache if ":page:" in key]


def test_if_none_match_gets_304(client, tree, document):
    url = document.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert first["Last-Modified"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    # From the cache too, and a change of public content gives a new page.
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    column = CatalogNode.objects.get(pk=tree["column"].pk)
    column.name = "通知公示"
    column.save()
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_if_modified_since_gets_304(client, tree, document):
    url = reverse("disclosure:feed-atom")
    last_modified = client.get(url)["Last-Modified"]
    assert client.get(url, headers={"if-modified-since": last_modified}).status_code == 304


def test_anonymous_pages_are_public_for_a_minute_and_vary_on_cookie(client, tree, document):
    for url in (reverse("home"), document.get_absolute_url(), reverse("sitemap")):
        response = client.get(url)
        cache_control = response["Cache-Control"]
        assert "public" in cache_control
        assert "max-age=300" in cache_control if "sitemap" in url else "max-age=60" in cache_control
        # Cookie (staff, the 长辈版); not Accept-Language: pages are Chinese for every browser.
        assert response["Vary"] == "Cookie"


def test_redis_backend_serves_and_invalidates_pages(client, settings, tree, document):
    redis_url = "redis://127.0.0.1:6379/5"
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {redis_url} is unreachable in CI: {error}")
        pytest.skip(f"Redis at {redis_url} is unreachable")
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {
        "default": {"BACKEND": backend, "LOCATION": redis_url, "KEY_PREFIX": "test-pages"},
        "shared": {"BACKEND": backend, "LOCATION": redis_url, "KEY_PREFIX": "test-shared"},
    }
    caches["default"].clear()
    try:
        url = tree["column"].get_absolute_url()
        assert TITLE in client.get(url).content.decode()
        key = page_cache._page_key(
            client.get(url).wsgi_request, page_cache.public_state()["version"]
        )
        assert caches["default"].get(key) is not None
        withdraw(document, SYSTEM, "政策调整")
        assert TITLE not in client.get(url).content.decode()
    finally:
        caches["default"].clear()


def test_editing_a_draft_keeps_the_cached_pages(
    client, tree, document, django_assert_max_num_queries
):
    draft = DocumentFactory(node=tree["column"])
    client.get(reverse("home"))
    draft.title = "草稿改了标题"
    draft.save()
    with django_assert_max_num_queries(0):
        client.get(reverse("home"))


def test_with_replicas_a_page_rendered_just_after_a_change_is_not_kept(
    client, settings, tree, document, monkeypatch, django_assert_num_queries
):
    # A standby may not have replayed the change yet: what it rendered must not stay cached.
    settings.DATABASE_REPLICA_URLS = ["postgres://standby.invalid/portal"]
    settings.PORTAL_REPLICA_LAG_SECONDS = 5
    url = reverse("home")
    page_cache.bump_public_version()
    client.get(url)
    with CaptureQueriesContext(connection) as again:
        client.get(url)
    assert len(again) > 0  # rendered again, not served from the cache
    later = timezone.now() + timedelta(seconds=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.get(url)
    with django_assert_num_queries(0):
        client.get(url)


def test_a_made_up_query_parameter_is_served_but_not_kept(client, tree, document):
    url = reverse("catalog:tree")
    for n in range(5):
        assert client.get(url, {"junk": n}).status_code == 200
    assert client.get(url, {"page": 1}).status_code == 200
    pages = [key for key in caches["default"]._cache if ":page:" in key]  # local memory in tests
    assert len(pages) == 1  # only the page with a parameter the view reads


def test_a_parameter_given_twice_is_not_kept_for_another_order(client, tree, document):
    url = reverse("catalog:node", args=[tree["column"].pk])
    client.get(url + "?page=2&page=1")
    assert [key for key in caches["default"]._cache if ":page:" in key] == []


def test_within_the_replica_lag_a_page_carries_no_last_modified_and_is_not_stored(
    client, settings, tree, document
):
    settings.DATABASE_REPLICA_URLS = ["postgres://standby.invalid/portal"]
    page_cache.bump_public_version()
    response = client.get(reverse("home"))
    assert "Last-Modified" not in response and "no-store" in response["Cache-Control"]
