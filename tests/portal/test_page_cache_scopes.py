"""The public page cache under publishing: a document's change forgets only the pages showing
it (its scopes), a page is served while one request renders it afresh for at most a minute after
a soft change, and never after a withdrawal; the scopes' generations live in the database."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from disclosure.documents.search import views as search_views
from disclosure.documents.services import publish, withdraw
from portal import page_cache, replicas
from portal.actors import SYSTEM
from portal.models import PublicState, ScopeChange
from tests.factories import DocumentFactory, published

pytestmark = pytest.mark.django_db

NEW = "关于新发布文件的通知"
OTHER = "关于另一栏目文件的通知"
# A moment of its own: the tests that serve a page while it is rendered afresh stop the clock
# (whether this process has read the log recently is a matter of seconds).
MOMENT = datetime(2031, 5, 6, 1, 2, 3, tzinfo=UTC)
# A body written without a signal or a save time: only a page rendered afresh shows it.
MARKER = "只有重新生成的页面才有的正文"
MARKED_BODY = MARKER + "，关于防汛。"


@pytest.fixture
def columns():
    """政务公开 > 甲栏目 > 甲子栏目, and 政务公开 > 乙栏目."""
    root = CatalogNode.objects.create(name="政务公开")
    a = CatalogNode.objects.create(name="甲栏目", parent=root)
    a1 = CatalogNode.objects.create(name="甲子栏目", parent=a)
    b = CatalogNode.objects.create(name="乙栏目", parent=root)
    return {"root": root, "a": a, "a1": a1, "b": b}


def commit(capture, change, *args):
    """Runs ``change`` and what its commit runs (the test's transaction never ends)."""
    with capture(execute=True):
        return change(*args)


def text(client, url):
    return client.get(url).content.decode()


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "in-transaction"])
def test_publishing_a_document_keeps_unrelated_pages_and_refreshes_its_own(
    client, columns, committed, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # (Committed or not, as the change under test: the test's transaction commits nothing.)
    run = (
        (lambda change: commit(django_capture_on_commit_callbacks, change))
        if committed
        else (lambda change: change())
    )
    other = run(lambda: published(title=OTHER, node=columns["b"]))
    # Not the first of its column: no column becomes shown (``SHOWN_COLUMNS``).
    run(lambda: published(node=columns["a1"], agency=other.agency))
    draft = DocumentFactory(title=NEW, node=columns["a1"], agency=other.agency)
    unrelated = [
        other.get_absolute_url(),
        columns["b"].get_absolute_url(),
        reverse("disclosure:node-feed-rss", args=[columns["b"].pk]),
    ]
    refreshed = [
        columns["a1"].get_absolute_url(),
        columns["a"].get_absolute_url(),
        columns["root"].get_absolute_url(),
        reverse("home"),
        reverse("disclosure:feed-rss"),
        reverse("disclosure:feed-atom"),
        reverse("disclosure:node-feed-atom", args=[columns["a"].pk]),
    ]
    for url in unrelated + refreshed:
        assert NEW not in text(client, url)
    tree = text(client, reverse("catalog:tree"))
    sitemap = text(client, reverse("sitemap-section", args=["documents"]))
    run(lambda: publish(draft))
    for url in unrelated:
        with django_assert_max_num_queries(0):
            assert client.get(url).status_code == 200, url
    for url in refreshed:
        assert NEW in text(client, url), url
    assert text(client, reverse("catalog:tree")) != tree  # the counts
    assert draft.get_absolute_url() in text(client, reverse("sitemap-section", args=["documents"]))
    assert sitemap != text(client, reverse("sitemap-section", args=["documents"]))


def test_a_publication_forgets_the_trees_of_its_columns_only(
    client, columns, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    commit(
        django_capture_on_commit_callbacks,
        lambda: [published(title=OTHER, node=columns[c]) for c in ("a1", "b")],
    )
    draft = DocumentFactory(title=NEW, node=columns["a1"])
    trees = {
        name: reverse("catalog:subtree", args=[columns[name].pk]) for name in ("root", "a", "b")
    }
    before = {name: text(client, url) for name, url in trees.items()}
    commit(django_capture_on_commit_callbacks, publish, draft)
    with django_assert_max_num_queries(0):
        assert text(client, trees["b"]) == before["b"]
    for name in ("root", "a"):  # the counts of 甲栏目 and of everything above it
        assert text(client, trees[name]) != before[name], name
    commit(django_capture_on_commit_callbacks, withdraw, draft, SYSTEM, "测试撤回")
    for name in ("root", "a"):
        assert text(client, trees[name]) == before[name], name


def test_a_change_of_the_catalogue_still_forgets_every_page(client, columns):
    other = published(title=OTHER, node=columns["b"])
    client.get(other.get_absolute_url())
    column = CatalogNode.objects.get(pk=columns["b"].pk)
    column.name = "乙栏目（新）"
    column.save()
    assert "乙栏目（新）" in text(client, other.get_absolute_url())


def test_pages_declaring_no_scope_change_with_every_document(client, columns):
    # The proposals' pages link to replies: any publication forgets them.
    draft = DocumentFactory(title=NEW, node=columns["a"])
    url = reverse("disclosure:proposals")
    client.get(url)
    key = client.get(url).wsgi_request._public_page["key"]
    signature = caches["default"].get(key)[2]
    publish(draft)
    assert client.get(url).wsgi_request._public_page["state"].signature != signature


# -- served while rendered afresh, never after a withdrawal --------------------------------------


@pytest.fixture
def another_request_renders(monkeypatch):
    """Another request is rendering every page afresh: this one gets the page kept, if any."""
    monkeypatch.setattr(page_cache, "_take_render_lock", lambda key: False)


@pytest.fixture
def stopped_clock():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        page_cache.forget_local_copy()  # read again, at this moment
        yield traveller


def test_a_page_is_served_while_another_request_renders_it_afresh(
    client,
    columns,
    stopped_clock,
    another_request_renders,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    draft = DocumentFactory(title=NEW, node=columns["a"])
    home = reverse("home")
    fresh = client.get(home)
    commit(django_capture_on_commit_callbacks, publish, draft)
    with django_assert_max_num_queries(0):
        stale = client.get(home)
    assert stale.content == fresh.content and NEW not in stale.content.decode()
    # No browser or proxy keeps it, and it claims no moment.
    assert "max-age=0" in stale["Cache-Control"] and "Last-Modified" not in stale
    # Past the bound, whoever asks renders it.
    stopped_clock.shift(timedelta(seconds=page_cache.STALE_SECONDS + 1))
    assert NEW in text(client, home)


def test_the_request_that_takes_the_lock_renders_the_page_and_gives_it_back(
    client, columns, stopped_clock, django_capture_on_commit_callbacks
):
    draft = DocumentFactory(title=NEW, node=columns["a"])
    home = reverse("home")
    key = client.get(home).wsgi_request._public_page["key"]
    commit(django_capture_on_commit_callbacks, publish, draft)
    caches["default"].add(key + page_cache.RENDERING, 1, 20)  # another request is rendering
    assert NEW not in text(client, home)
    caches["default"].delete(key + page_cache.RENDERING)
    assert NEW in text(client, home)  # this one took the lock, rendered it
    assert caches["default"].get(key + page_cache.RENDERING) is None  # and gave it back
    assert NEW in text(client, home)


def test_a_page_is_not_served_stale_across_two_changes_this_process_did_not_see_apart(
    client, columns, stopped_clock, another_request_renders, django_capture_on_commit_callbacks
):
    first = DocumentFactory(title=NEW, node=columns["a"])
    second = DocumentFactory(title=OTHER, node=columns["b"])
    home = reverse("home")
    client.get(home)
    page_cache.forget_local_copy()  # a process that started after both changes
    commit(django_capture_on_commit_callbacks, publish, first)
    page_cache.forget_local_copy()
    commit(django_capture_on_commit_callbacks, publish, second)
    assert NEW in text(client, home) and OTHER in text(client, home)


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "in-transaction"])
def test_a_withdrawal_is_never_served_stale(
    client,
    columns,
    committed,
    stopped_clock,
    another_request_renders,
    django_capture_on_commit_callbacks,
):
    document = commit(
        django_capture_on_commit_callbacks, lambda: published(title=NEW, node=columns["a1"])
    )
    draft = DocumentFactory(title=OTHER, node=columns["a1"])
    urls = [
        document.get_absolute_url(),
        columns["a1"].get_absolute_url(),
        columns["root"].get_absolute_url(),
        reverse("home"),
        reverse("disclosure:feed-rss"),
        reverse("search") + "?q=新发布",
    ]
    link = f"/documents/{document.pk}/"
    for url in urls[1:]:
        assert link in text(client, url), url
    commit(django_capture_on_commit_callbacks, publish, draft)  # a soft change first
    assert NEW in text(client, reverse("home")) and OTHER not in text(client, reverse("home"))
    if committed:
        commit(django_capture_on_commit_callbacks, withdraw, document, SYSTEM, "政策调整")
    else:
        withdraw(document, SYSTEM, "政策调整")
    assert client.get(document.get_absolute_url()).status_code == 410
    for url in urls[1:]:
        assert link not in text(client, url), url


def test_a_search_page_is_kept_until_a_document_matching_it_is_published(
    client, columns, stopped_clock, django_capture_on_commit_callbacks
):
    flood = commit(
        django_capture_on_commit_callbacks,
        lambda: published(title="关于防汛工作的通知", node=columns["a"]),
    )
    # Drafts made first: a new agency changes every page.
    fire = DocumentFactory(title="关于森林防火的通知", node=columns["b"])
    also_flood = DocumentFactory(title="关于防汛物资的通知", node=columns["b"])
    url = reverse("search") + "?q=防汛"
    # Past the margin for documents saved just before a page's request began.
    stopped_clock.shift(timedelta(seconds=search_views.CHANGE_MARGIN + 1))
    assert f"/documents/{flood.pk}/" in text(client, url)
    Document.objects.filter(pk=flood.pk).update(body=MARKED_BODY)
    commit(django_capture_on_commit_callbacks, publish, fire)
    assert MARKER not in text(client, url)  # kept: 森林防火 is no match
    commit(django_capture_on_commit_callbacks, publish, also_flood)
    fresh = text(client, url)
    assert f"/documents/{also_flood.pk}/" in fresh  # at once, not after the page's life
    assert MARKER in fresh
    # A change of a matching document counts as well.
    stopped_clock.shift(timedelta(seconds=search_views.CHANGE_MARGIN + 1))
    assert "储备" not in text(client, url)
    Document.objects.filter(pk=flood.pk).update(body="各部门：另一段只有重新生成才有的正文，防汛。")
    assert "另一段" not in text(client, url)  # kept
    stopped_clock.shift(timedelta(seconds=search_views.CHANGE_MARGIN + 1))
    also_flood.refresh_from_db()
    also_flood.title = "关于防汛物资储备的通知"
    commit(django_capture_on_commit_callbacks, also_flood.save)
    fresh = text(client, url)
    assert "储备" in fresh and "另一段" in fresh


def test_a_publication_committed_late_still_refreshes_a_search_page(
    client, columns, stopped_clock, django_capture_on_commit_callbacks
):
    """A document saved long before its transaction commits (a site import's batch): the page
    rendered between the two is refreshed once the change is in the log, whatever the save
    time says."""
    commit(
        django_capture_on_commit_callbacks,
        lambda: published(title="关于防汛工作的通知", node=columns["a"]),
    )
    draft = DocumentFactory(title="关于防汛物资的通知", node=columns["b"])
    saved_at = timezone.now()
    stopped_clock.shift(timedelta(seconds=search_views.CHANGE_MARGIN + 1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(draft)
    # Its save time tells nothing: saved long before it committed.
    Document.objects.filter(pk=draft.pk).update(updated_at=saved_at - timedelta(minutes=5))
    url = reverse("search") + "?q=防汛"
    page = client.get(url)
    page_cache.forget_local_copy()  # as another process would, not having seen it pending
    stopped_clock.shift(timedelta(minutes=2))
    for callback in callbacks:
        callback()  # committed now
    assert page.wsgi_request._public_page.get("began")
    stopped_clock.shift(timedelta(seconds=1))
    assert f"/documents/{draft.pk}/" in text(client, url)


def test_a_search_page_refreshed_after_a_publication_counts_it_and_spends_no_budget(
    client, columns, stopped_clock, django_capture_on_commit_callbacks
):
    commit(
        django_capture_on_commit_callbacks,
        lambda: [published(title=f"关于防汛{n}的通知", node=columns["a"]) for n in "甲乙"],
    )
    draft = DocumentFactory(title="关于防汛物资的通知", node=columns["b"])
    url = reverse("search") + "?q=防汛"
    stopped_clock.shift(timedelta(seconds=search_views.CHANGE_MARGIN + 1))
    assert "找到 <strong>2</strong> 条结果" in text(client, url)
    spent = caches["default"].get(page_cache.FREE_TEXT_KEY)
    commit(django_capture_on_commit_callbacks, publish, draft)
    for _ in range(3):  # within the margin: rendered afresh each time, the page replaced
        fresh = text(client, url)
        assert "找到 <strong>3</strong> 条结果" in fresh  # the kept sample counted afresh too
    assert caches["default"].get(page_cache.FREE_TEXT_KEY) == spent


def test_a_search_page_is_served_while_another_request_renders_it_after_a_publication(
    client, columns, stopped_clock, another_request_renders, django_capture_on_commit_callbacks
):
    commit(
        django_capture_on_commit_callbacks,
        lambda: published(title="关于防汛工作的通知", node=columns["a"]),
    )
    draft = DocumentFactory(title="关于防汛物资的通知", node=columns["b"])
    url = reverse("search") + "?q=防汛"
    stopped_clock.shift(timedelta(seconds=search_views.CHANGE_MARGIN + 1))
    text(client, url)
    commit(django_capture_on_commit_callbacks, publish, draft)
    kept = client.get(url)
    assert f"/documents/{draft.pk}/" not in kept.content.decode()
    assert "max-age=0" in kept["Cache-Control"]


def test_a_withdrawal_of_a_document_a_search_page_only_counts_refreshes_its_count(
    client, columns, stopped_clock, django_capture_on_commit_callbacks, monkeypatch
):
    documents = commit(
        django_capture_on_commit_callbacks,
        lambda: [published(title=f"关于防汛{n}的通知", node=columns["a"]) for n in "甲乙丙"],
    )
    monkeypatch.setattr(search_views, "PAGE_SIZE", 2)
    url = reverse("search") + "?q=防汛"
    stopped_clock.shift(timedelta(seconds=search_views.CHANGE_MARGIN + 1))
    first = text(client, url)
    assert "找到 <strong>3</strong> 条结果" in first
    unlisted = next(d for d in documents if f"/documents/{d.pk}/" not in first)
    commit(django_capture_on_commit_callbacks, withdraw, unlisted, SYSTEM, "测试撤回")
    assert "找到 <strong>2</strong> 条结果" in text(client, url)


def test_a_search_page_kept_by_an_earlier_release_is_rendered_afresh(client, columns):
    """An entry without the moment its request began (an earlier release's) cannot be checked
    against the documents saved since: it is not served."""
    published(title="关于防汛工作的通知", node=columns["a"])
    url = reverse("search") + "?q=防汛"
    key = client.get(url).wsgi_request._public_page["key"]
    content, headers, signature, (when, shown, _began) = caches["default"].get(key)
    caches["default"].set(key, (b"old entry", headers, signature, (when, shown)))
    assert "old entry" not in text(client, url)


@pytest.mark.parametrize(
    "moment, life, kept_for",
    [
        # A local 23:59:30: kept 30 seconds, to midnight.
        (datetime(2031, 5, 6, 15, 59, 30, tzinfo=UTC), 3600, 30),
        # PORTAL_PAGE_SECONDS.
        (datetime(2031, 5, 6, 1, 2, 3, tzinfo=UTC), 120, 120),
    ],
    ids=["midnight", "page-seconds"],
)
def test_no_page_is_kept_past_its_life_or_midnight(
    client, columns, settings, moment, life, kept_for
):
    settings.PORTAL_PAGE_SECONDS = life
    document = published(title=OTHER, node=columns["b"])
    url = document.get_absolute_url()
    with time_machine.travel(moment, tick=False) as clock:
        page_cache.forget_local_copy()
        assert OTHER in text(client, url)
        Document.objects.filter(pk=document.pk).update(title="只有重新生成的页面才有的标题")
        clock.shift(timedelta(seconds=kept_for - 2))
        assert OTHER in text(client, url)
        clock.shift(timedelta(seconds=3))
        assert "只有重新生成的页面才有的标题" in text(client, url)


def test_a_search_page_is_forgotten_by_a_withdrawal_of_a_document_it_lists_only(
    client, columns, stopped_clock, django_capture_on_commit_callbacks
):
    """Search pages are not forgotten by every withdrawal, only by that of a document they list
    (and the withdrawn document is not served from any of them)."""
    flood, other = commit(
        django_capture_on_commit_callbacks,
        lambda: (
            published(title="关于防汛工作的通知", node=columns["a"]),
            published(title="关于森林防火的通知", node=columns["b"]),
        ),
    )
    # A draft made first: a new agency changes every page.
    also_flood = DocumentFactory(title="关于防汛演练的通知", node=columns["a"])
    flood_url, fire_url = reverse("search") + "?q=防汛", reverse("search") + "?q=森林防火"
    # Past the margin for documents saved just before a page's request began.
    stopped_clock.shift(timedelta(seconds=search_views.CHANGE_MARGIN + 1))
    assert f"/documents/{flood.pk}/" in text(client, flood_url)
    assert f"/documents/{other.pk}/" in text(client, fire_url)
    commit(django_capture_on_commit_callbacks, withdraw, other, SYSTEM, "测试撤回")
    # The page listing the withdrawn document is rendered afresh...
    assert f"/documents/{other.pk}/" not in text(client, fire_url)
    # ...the other stays kept: a body written since without a save time is not in it.
    Document.objects.filter(pk=flood.pk).update(body=MARKED_BODY)
    assert MARKER not in text(client, flood_url)
    commit(django_capture_on_commit_callbacks, publish, also_flood)
    fresh = text(client, flood_url)
    assert f"/documents/{also_flood.pk}/" in fresh and MARKER in fresh


# -- the generations live in the database ------------------------------------------------------


def cache_snapshot():
    return {
        alias: (dict(caches[alias]._cache), dict(caches[alias]._expire_info))
        for alias in ("default", "shared")
    }


def restore(snapshot):
    for alias, (entries, expiry) in snapshot.items():
        caches[alias]._cache.update(entries)
        caches[alias]._expire_info.update(expiry)


def test_a_cache_restored_from_before_a_scoped_withdrawal_never_brings_its_pages_back(
    client, columns, stopped_clock, another_request_renders, django_capture_on_commit_callbacks
):
    document = published(title=NEW, node=columns["a1"])
    draft = DocumentFactory(title=OTHER, node=columns["a1"])
    urls = [document.get_absolute_url(), columns["a"].get_absolute_url(), reverse("home")]
    for url in urls:
        assert NEW in text(client, url)
    snapshot = cache_snapshot()  # Redis's snapshot, taken now
    commit(django_capture_on_commit_callbacks, publish, draft)
    commit(django_capture_on_commit_callbacks, withdraw, document, SYSTEM, "政策调整")
    restore(snapshot)  # Redis restarted from it
    page_cache.forget_local_copy()  # and so did the app servers
    for url in urls:
        assert NEW not in text(client, url), url


def test_a_generation_whose_token_comes_up_again_keys_its_pages_apart(
    client, columns, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(page_cache.secrets, "token_hex", lambda n: "0" * 2 * n)
    document = published(title=NEW, node=columns["a"])
    url = columns["a"].get_absolute_url()
    commit(django_capture_on_commit_callbacks, publish, DocumentFactory(node=columns["a"]))
    assert NEW in text(client, url)
    commit(django_capture_on_commit_callbacks, withdraw, document, SYSTEM, "政策调整")
    assert NEW not in text(client, url)


def test_a_scoped_change_written_by_another_process_is_seen_within_a_second(
    client, columns, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(page_cache, "LOCAL_COPY_SECONDS", 1)
    document = published(title=NEW, node=columns["a"])
    url = document.get_absolute_url()
    with time_machine.travel(MOMENT, tick=False):
        assert NEW in text(client, url)
    # Another app server edits it: its rows reach this process's database only.
    type(document).objects.filter(pk=document.pk).update(title=OTHER)
    ScopeChange.objects.create(scope=f"doc:{document.pk}", token="elsewhere", changed_at=MOMENT)
    with time_machine.travel(MOMENT + timedelta(seconds=0.5), tick=False):
        with django_assert_max_num_queries(0):
            assert NEW in text(client, url)  # this process's copy, still
    with time_machine.travel(MOMENT + timedelta(seconds=1), tick=False):
        assert OTHER in text(client, url)


def test_superseded_rows_are_pruned_once_every_process_has_read_them(
    columns, stopped_clock, django_capture_on_commit_callbacks
):
    for _ in range(3):
        stopped_clock.shift(timedelta(seconds=page_cache.LOG_OVERLAP_SECONDS + 1))
        commit(django_capture_on_commit_callbacks, publish, DocumentFactory(node=columns["a"]))
    # The newest row of each scope is left; the ones it superseded are gone.
    assert ScopeChange.objects.filter(scope="home").count() == 1
    assert ScopeChange.objects.filter(scope=f"node:{columns['a'].pk}").count() == 1


def test_a_long_log_is_folded_into_a_new_public_version(
    client, columns, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(page_cache, "SCOPE_LOG_LIMIT", 5)
    document = published(title=NEW, node=columns["a"])
    before = PublicState.objects.order_by("-pk").first().pk
    commit(django_capture_on_commit_callbacks, withdraw, document, SYSTEM, "政策调整")
    assert PublicState.objects.order_by("-pk").first().pk > before
    assert not ScopeChange.objects.exists()
    page_cache.forget_local_copy()
    assert NEW not in text(client, columns["a"].get_absolute_url())


def test_a_replica_must_have_replayed_the_newest_scoped_change(
    client, columns, monkeypatch, django_capture_on_commit_callbacks
):
    positions = iter(["0/3000060", "0/4000000"])
    monkeypatch.setattr(replicas, "primary_wal_position", lambda: next(positions))
    draft = DocumentFactory(title=NEW, node=columns["a"])
    commit(django_capture_on_commit_callbacks, page_cache.bump_public_version)
    commit(django_capture_on_commit_callbacks, publish, draft)
    assert page_cache.public_state().wal_position == "0/3000060"
    assert page_cache.newest_wal_position() == "0/4000000"
    asked = []
    monkeypatch.setattr(replicas, "has_replayed", lambda alias, p: asked.append(p) or False)
    assert replicas.is_caught_up("replica1") is False
    assert asked == ["0/4000000"]


def test_a_first_publication_is_soft_and_any_later_change_of_a_public_document_hard(
    columns, django_capture_on_commit_callbacks
):
    draft = DocumentFactory(title=NEW, node=columns["a1"])
    commit(django_capture_on_commit_callbacks, publish, draft)
    rows = ScopeChange.objects.filter(scope=f"doc:{draft.pk}")
    assert list(rows.values_list("hard", flat=True)) == [False]
    # An approved revision saves the document as read again: what was public may be gone.
    document = Document.objects.get(pk=draft.pk)
    document.title = "更正后的标题"
    commit(django_capture_on_commit_callbacks, document.save)
    assert rows.order_by("-pk").first().hard
    scopes = set(ScopeChange.objects.filter(hard=True).values_list("scope", flat=True))
    assert {f"node:{columns[name].pk}" for name in ("a1", "a", "root")} <= scopes
    assert {"home", "feeds", "sitemaps", "tree", "search", "any"} <= scopes
    assert f"node:{columns['b'].pk}" not in scopes


def test_a_document_moved_to_another_column_refreshes_the_one_it_left(
    client, columns, django_capture_on_commit_callbacks
):

    document = commit(
        django_capture_on_commit_callbacks, lambda: published(title=NEW, node=columns["a1"])
    )
    url = columns["a1"].get_absolute_url()
    assert NEW in text(client, url)
    moved = Document.objects.get(pk=document.pk)
    moved.node = columns["b"]
    commit(django_capture_on_commit_callbacks, moved.save)
    assert NEW not in text(client, url)  # rendered afresh, not the page kept


def test_a_page_showing_a_document_withdrawn_while_it_rendered_is_not_kept(
    rf, columns, django_capture_on_commit_callbacks
):
    """The request may have chosen a replica that had not replayed the withdrawal: what it read
    may still list the document, so its page is not kept under the withdrawal's generation."""
    document = published(title="关于防汛工作的通知", node=columns["a"])
    kept = published(title="关于森林防火的通知", node=columns["b"])
    page_cache.page_state([])  # this process has read the log
    request = rf.get("/search/")
    request._public_page = {"cacheable": True}
    token = page_cache._hard_seq_at_start.set(page_cache._log.hard_seq)
    try:
        commit(django_capture_on_commit_callbacks, withdraw, document, SYSTEM, "政策调整")
        page_cache.shows(request, [f"doc:{kept.pk}"])
        assert request._public_page.get("cacheable_shown", True)
        page_cache.shows(request, [f"doc:{document.pk}"])
        assert request._public_page["cacheable_shown"] is False
        assert page_cache.learnt_during_request(page_cache.SEARCH)
    finally:
        page_cache._hard_seq_at_start.reset(token)
    assert not page_cache.learnt_during_request(page_cache.SEARCH)  # no request


def test_the_changes_since_a_moment_count_only_the_scopes_asked_for(
    columns, stopped_clock, django_capture_on_commit_callbacks
):
    """A search page checks the documents changed since it was rendered, up to a limit that
    counts documents, not the columns, feeds and home page each publication changes as well."""
    before = timezone.now().timestamp()
    document = commit(
        django_capture_on_commit_callbacks, lambda: published(title=NEW, node=columns["a1"])
    )
    assert page_cache.scopes_changed_since(before, 1, prefix="doc:") == {f"doc:{document.pk}"}
    assert page_cache.scopes_changed_since(before, 1) is None  # its columns, home, feeds...
    later = before + search_views.CHANGE_MARGIN + page_cache.LOG_OVERLAP_SECONDS + 1
    assert page_cache.scopes_changed_since(later, 1, prefix="doc:") == set()


def test_a_document_changes_its_own_page_of_the_documents_sitemap(
    client, columns, monkeypatch, django_assert_max_num_queries
):
    """Pages of the documents' sitemap are fixed ranges of keys: a publication or withdrawal
    forgets the page holding it, and one moving the lowest key forgets them all."""
    monkeypatch.setattr("disclosure.documents.sitemaps.DocumentSitemap.limit", 2)
    first = published(node=columns["a1"])
    agency = first.agency
    documents = [first] + [published(node=columns["a1"], agency=agency) for _ in range(3)]
    draft = DocumentFactory(node=columns["a1"], agency=agency)
    # Keys first .. first+3 on pages 1 and 2, the draft's (first+4) on page 3 once published.
    pages = {n: reverse("sitemap-section", args=["documents"]) + f"?p={n}" for n in (1, 2)}
    for url in pages.values():
        assert client.get(url).status_code == 200
    publish(draft)
    for url in pages.values():
        with django_assert_max_num_queries(0):
            assert client.get(url).status_code == 200
    page_three = reverse("sitemap-section", args=["documents"]) + "?p=3"
    assert draft.get_absolute_url() in client.get(page_three).content.decode()
    withdraw(documents[2], SYSTEM, "错误")  # page 2
    assert documents[2].get_absolute_url() not in client.get(pages[2]).content.decode()
    with django_assert_max_num_queries(0):
        assert client.get(pages[1]).status_code == 200
    withdraw(first, SYSTEM, "错误")  # the lowest key: every page moves
    moved = client.get(pages[1]).content.decode()
    assert first.get_absolute_url() not in moved
    assert documents[1].get_absolute_url() in moved and documents[2].get_absolute_url() not in moved
