"""Public pages cached for anonymous visitors: served from the cache, forgotten the moment public
content changes, never for staff, with conditional GET."""

import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from catalog.models import Agency, CatalogNode
from config.views import HomeView
from disclosure.documents.models import Document
from disclosure.documents.search.views import CHANGE_MARGIN
from disclosure.documents.services import publish, withdraw
from portal import page_cache, replicas
from portal.actors import SYSTEM
from portal.models import PublicState, SiteSettings
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
    CatalogNode.objects.create(
        name="人大代表建议办理", parent=root, slug="rddbjy"
    )  # where replies go
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
    # Past the margin of a search page for documents saved just before its request began.
    later = timezone.now() + timedelta(seconds=CHANGE_MARGIN + 1)
    with time_machine.travel(later, tick=False):
        page_cache.forget_local_copy()
        for name, url, query in page_kinds(document, tree):
            first = client.get(url, query)
            assert first.status_code == 200, name
            assert not first.cookies, f"{name} sets a cookie"
            # (A search page asks the database only about documents changed since.)
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


# A moment of its own, for tests that move time.
SECOND = datetime(2031, 5, 6, 1, 2, 3, tzinfo=UTC)


def committed_publish(title, tree, capture):
    """Publishes a document and runs what its commit runs (the test's transaction never ends)."""
    with capture(execute=True):
        return published(title=title, node=tree["column"])


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
    assert page_cache.public_state().due == pytest.approx(due.timestamp())


def test_the_version_is_bumped_again_when_the_transaction_commits(
    tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        published(node=tree["column"])
        during = page_cache.public_state().version
    assert callbacks
    assert page_cache.public_state().version != during


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
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    # From the cache too, and a change of public content gives a new page.
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    column = CatalogNode.objects.get(pk=tree["column"].pk)
    column.name = "通知公示"
    column.save()
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_if_modified_since_gets_304(
    client, tree, document, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(page_cache, "LOCAL_COPY_SECONDS", 1)
    url = reverse("disclosure:feed-atom")
    with time_machine.travel(SECOND, tick=False):
        committed_publish("新发布的文件", tree, django_capture_on_commit_callbacks)
    with time_machine.travel(SECOND + timedelta(seconds=2), tick=False):
        last_modified = client.get(url)["Last-Modified"]
        assert last_modified == http_date(SECOND.timestamp())
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
        key = client.get(url).wsgi_request._public_page["key"]
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


def test_a_made_up_query_parameter_is_served_but_not_kept(client, tree, document):
    url = tree["column"].get_absolute_url()
    for n in range(5):
        assert client.get(url, {"junk": n}).status_code == 200
    assert client.get(url, {"page": 1}).status_code == 200
    pages = [key for key in caches["default"]._cache if ":page:" in key]  # local memory in tests
    assert len(pages) == 1  # only the page with a parameter the view reads


def test_a_parameter_given_twice_is_not_kept_for_another_order(client, tree, document):
    url = reverse("catalog:node", args=[tree["column"].pk])
    client.get(url + "?page=2&page=1")
    assert [key for key in caches["default"]._cache if ":page:" in key] == []


# -- what the cache keeps: declared parameters with canonical values, per view ----------------


def stored_pages():
    return [key for key in caches["default"]._cache if ":page:" in key]  # local memory in tests


def test_made_up_values_of_a_parameter_are_served_but_not_kept(client, tree, document):
    url = document.get_absolute_url()
    for junk in ("huge", "LARGE", "large ", "0", "x" * 40):
        response = client.get(url, {"fs": junk})
        assert response.status_code == 200 and TITLE in response.content.decode()
    assert stored_pages() == []
    client.get(url, {"fs": "large"})
    assert len(stored_pages()) == 1


def test_a_page_is_never_kept_under_a_parameter_its_view_ignores(client, tree, document):
    # fs is read by the document page only; page by listings, not by the home page or the tree.
    assert client.get(reverse("home"), {"fs": "large"}).status_code == 200
    assert client.get(reverse("catalog:tree"), {"page": 1}).status_code == 200
    assert client.get(reverse("disclosure:feed-rss"), {"page": 1}).status_code == 200
    assert stored_pages() == []


def test_a_listing_keeps_only_pages_and_filters_that_exist(client, tree, document):
    url = tree["column"].get_absolute_url()
    for query in (
        {"page": "01"},  # not the canonical form
        {"page": "2"},  # beyond the last page: the last one is shown
        {"page": "abc"},
        {"topic": "999999"},  # no such topic
        {"per_page": "7"},
        {"year": "1999"},
        {"page": "1", "per_page": "020"},
    ):
        assert client.get(url, query).status_code == 200, query
    assert stored_pages() == []
    client.get(url, {"page": "1"})
    client.get(url, {"topic": str(document.topic_id), "per_page": "10"})
    assert len(stored_pages()) == 2


def test_the_sitemap_keeps_its_pages_in_canonical_form_only(client, tree, document):
    url = reverse("sitemap-section", args=["documents"])
    assert client.get(url, {"p": "01"}).status_code == 200
    assert client.get(url, {"p": "2"}).status_code == 404
    assert stored_pages() == []
    assert client.get(url, {"p": "1"}).status_code == 200
    assert len(stored_pages()) == 1


def test_search_keeps_no_page_for_made_up_filters_or_pages(client, tree, document):
    url = reverse("search")
    for query in (
        {"q": "城乡环境", "agency": "999999"},
        {"q": "城乡环境", "topic": "999999"},
        {"q": "城乡环境", "page": "5"},
        {"q": "城乡环境", "page": "01"},
        {"q": "城乡环境", "sort": "random"},
        {"q": "  城乡环境"},
    ):
        assert client.get(url, query).status_code == 200, query
    assert stored_pages() == []
    client.get(url, {"q": "城乡环境", "agency": str(document.agency_id)})
    assert len(stored_pages()) == 1


def test_free_text_pages_are_kept_within_a_budget(client, tree, document, settings):
    settings.PORTAL_SEARCH_PAGES_KEPT = 3
    for n in range(10):
        assert client.get(reverse("search"), {"q": f"随便{n}"}).status_code == 200
    assert len(stored_pages()) == 3


def test_one_client_cannot_spend_the_free_text_budget_of_everyone_else(
    client, tree, document, monkeypatch
):
    monkeypatch.setattr(page_cache, "FREE_TEXT_PAGES_PER_CLIENT", 2)
    for n in range(5):
        client.get(reverse("search"), {"q": f"随便{n}"}, REMOTE_ADDR="2001:db8:1:2::5")
        client.get(reverse("search"), {"q": f"随便{n}"}, REMOTE_ADDR=f"2001:db8:1:{n + 6}::1")
    assert len(stored_pages()) == 2  # one network, whichever of its /64s
    client.get(reverse("search"), {"q": "另一位访客"}, REMOTE_ADDR="198.51.100.9")
    assert len(stored_pages()) == 3


def test_hosts_answered_through_a_wildcard_are_served_but_not_kept(
    client, settings, tree, document
):
    settings.ALLOWED_HOSTS = ["gk.example.gov.cn", ".example.gov.cn"]
    for n in range(3):
        assert client.get("/", HTTP_HOST=f"x{n}.example.gov.cn").status_code == 200
    assert stored_pages() == []
    assert client.get("/", HTTP_HOST="gk.example.gov.cn").status_code == 200
    assert len(stored_pages()) == 1


def test_proposals_and_statistics_keep_only_values_they_use(client, tree, document):
    reply = ProposalReplyFactory(proposal=ProposalFactory(number=7, title="关于修路的建议"))
    publish(reply.document)
    proposals = reverse("disclosure:proposals")
    statistics = reverse("applications:statistics")
    for url, query in (
        (proposals, {"page": "01"}),
        (proposals, {"page": "last"}),
        (proposals, {"session": "999999"}),
        (statistics, {"year": "1999"}),
        (statistics, {"year": "abc"}),
    ):
        assert client.get(url, query).status_code == 200, query
    assert stored_pages() == []
    client.get(proposals, {"session": str(reply.proposal.session_id)})
    client.get(statistics, {"year": str(timezone.localdate().year)})
    assert len(stored_pages()) == 2


# -- the public version lives in the database -------------------------------------------------


def test_the_public_version_does_not_live_in_a_cache_that_forgets(
    client, settings, tree, document, django_assert_max_num_queries
):
    # A "shared" cache that keeps nothing (as Redis does under eviction): pages are still kept.
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    client.get(reverse("home"))
    with django_assert_max_num_queries(0):
        client.get(reverse("home"))


def test_a_cache_restored_from_before_a_withdrawal_never_brings_its_pages_back(
    client, tree, document
):
    url = tree["column"].get_absolute_url()
    assert TITLE in client.get(url).content.decode()
    # Redis restarted from a snapshot taken before the withdrawal.
    snapshot = {
        alias: (dict(caches[alias]._cache), dict(caches[alias]._expire_info))
        for alias in ("default", "shared")
    }
    withdraw(document, SYSTEM, "政策调整")
    for alias, (entries, expiry) in snapshot.items():
        caches[alias]._cache.update(entries)
        caches[alias]._expire_info.update(expiry)
    assert TITLE not in client.get(url).content.decode()


def test_a_version_whose_token_comes_up_again_keys_its_pages_apart(
    client, tree, document, monkeypatch
):
    # Tokens are random; were one drawn twice, the row's id (a sequence) still tells them apart.
    monkeypatch.setattr(page_cache.secrets, "token_hex", lambda n: "0" * 2 * n)
    page_cache.bump_public_version()
    url = tree["column"].get_absolute_url()
    assert TITLE in client.get(url).content.decode()
    withdraw(document, SYSTEM, "政策调整")
    assert page_cache.public_state().version == "0" * 16
    assert TITLE not in client.get(url).content.decode()


# -- with read replicas: a page is read where the public version has been replayed -----------


def replica_seen_by_the_home_page(client, monkeypatch):
    """Pretend a replica is configured; returns the list of replicas the home view reads from."""
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1"])
    seen = []
    original = HomeView.get_context_data

    def spy(self, **kwargs):
        seen.append(replicas.public_replica.get())
        return original(self, **kwargs)

    monkeypatch.setattr(HomeView, "get_context_data", spy)
    return seen


def test_a_replica_that_has_not_replayed_the_public_version_does_not_render_the_page(
    client, tree, document, monkeypatch
):
    seen = replica_seen_by_the_home_page(client, monkeypatch)
    monkeypatch.setattr(replicas, "has_replayed", lambda alias, position: False)
    assert TITLE in client.get(reverse("home")).content.decode()
    assert seen == [None]  # rendered from the primary


def test_a_replica_that_has_replayed_the_public_version_renders_the_page_and_it_is_kept(
    client,
    tree,
    document,
    monkeypatch,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    seen = replica_seen_by_the_home_page(client, monkeypatch)
    monkeypatch.setattr(replicas, "primary_wal_position", lambda: "0/3000060")
    asked = []
    monkeypatch.setattr(
        replicas,
        "has_replayed",
        lambda alias, position: asked.append(position) or True,
        raising=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.bump_public_version()
    client.get(reverse("home"))
    with django_assert_max_num_queries(0):
        client.get(reverse("home"))
    assert seen == ["replica1"]  # rendered there once, then served from the cache
    assert set(asked) == {"0/3000060"}


# -- Last-Modified and If-Modified-Since ------------------------------------------------------


def test_a_version_carries_no_last_modified_while_its_second_may_still_change(
    client, tree, document, monkeypatch, django_capture_on_commit_callbacks
):
    # Two changes in one second: the first one's feed must not be confirmed by If-Modified-Since
    # once the second one is out, so it never carries a Last-Modified the second would share.
    monkeypatch.setattr(page_cache, "LOCAL_COPY_SECONDS", 1)
    url = reverse("disclosure:feed-atom")
    with time_machine.travel(SECOND + timedelta(seconds=0.2), tick=False):
        committed_publish("第一次更改的标题", tree, django_capture_on_commit_callbacks)
    with time_machine.travel(SECOND + timedelta(seconds=0.3), tick=False):
        first = client.get(url)
    assert "第一次更改的标题" in first.content.decode()
    assert "Last-Modified" not in first
    with time_machine.travel(SECOND + timedelta(seconds=0.7), tick=False):
        committed_publish("第二次更改的标题", tree, django_capture_on_commit_callbacks)
    with time_machine.travel(SECOND + timedelta(seconds=5), tick=False):
        again = client.get(url, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 200 and "第二次更改的标题" in again.content.decode()
        # Settled now: its Last-Modified confirms this version, and no earlier one.
        assert again["Last-Modified"] == http_date(SECOND.timestamp())
        confirmed = client.get(url, headers={"if-modified-since": again["Last-Modified"]})
        assert confirmed.status_code == 304
        earlier = http_date(SECOND.timestamp() - 1)
        assert client.get(url, headers={"if-modified-since": earlier}).status_code == 200


def test_a_change_written_by_another_process_is_seen_within_a_second(
    client, tree, document, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(page_cache, "LOCAL_COPY_SECONDS", 1)
    url = tree["column"].get_absolute_url()
    with time_machine.travel(SECOND, tick=False):
        assert TITLE in client.get(url).content.decode()
    # Another app server withdraws it: its new version reaches this process's database only.
    Document.objects.filter(pk=document.pk).update(status=Document.Status.WITHDRAWN)
    PublicState.objects.create(token="elsewhere", changed_at=SECOND, committed=True)
    with time_machine.travel(SECOND + timedelta(seconds=0.5), tick=False):
        with django_assert_max_num_queries(0):
            assert TITLE in client.get(url).content.decode()  # this process's copy, still
    with time_machine.travel(SECOND + timedelta(seconds=1), tick=False):
        assert TITLE not in client.get(url).content.decode()
        assert page_cache.public_state().version == "elsewhere"


def test_a_committed_version_replaces_the_older_rows(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.bump_public_version()
        page_cache.bump_public_version()
    newest = PublicState.objects.get()
    assert newest.committed and newest.token == page_cache.public_state().version


@pytest.mark.postgres
def test_a_committed_version_records_the_primary_wal_position(
    tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.bump_public_version()
    position = page_cache.public_state().wal_position
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::pg_lsn <= pg_current_wal_insert_lsn()", [position])
        assert cursor.fetchone()[0] is True


def test_a_page_asked_for_under_another_spelling_of_its_path_or_host_is_not_kept(
    client, tree, document
):
    for path in (f"/documents/000{document.pk}/", f"/catalog/0{tree['column'].pk}/"):
        assert TITLE in client.get(path).content.decode(), path
    for host in ("TestServer", "testserver.", "testserver:81"):
        assert client.get(reverse("home"), headers={"host": host}).status_code == 200, host
    assert stored_pages() == []
    client.get(document.get_absolute_url())
    client.get(reverse("home"), headers={"host": "testserver"})
    assert len(stored_pages()) == 2
