"""Search at scale: estimated counts beyond a limit, marked as such; exact pages; the admin's
document search through the search backend; query budgets."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disclosure.documents.search.backends import DatabaseSearchBackend, SearchRequest
from portal.roles import EDITOR
from tests.disclosure.conftest import local
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory, published

pytestmark = pytest.mark.django_db


def search(query, **kwargs):
    return DatabaseSearchBackend().search(SearchRequest(query=query, **kwargs))


@pytest.fixture
def flood_notices(site_tree):
    """Eight public documents about 防汛, newest last; titles name four of them."""
    return [
        published(
            title=f"防汛通知{i}" if i % 2 else f"安排{i}",
            body="<p>做好防汛工作。</p>",
            node=site_tree["policies"],
            published_at=local(2024, 1, i + 1),
        )
        for i in range(8)
    ]


def summary(html):
    return re.search(r'class="search-summary">(.*?)</p>', html, re.S).group(1)


def test_counts_beyond_the_limit_are_estimates_marked_as_such(client, settings, flood_notices):
    settings.DISCLOSURE_SEARCH_EXACT_LIMIT = 3
    result = search("防汛")
    assert not result.exact
    assert result.total >= 4
    html = client.get(reverse("search"), {"q": "防汛"}).content.decode()
    assert "约" in summary(html) and "估计值" in summary(html)
    assert re.search(r'class="count">\(约 \d+\)', html)


def test_the_page_is_exact_and_in_order_when_counts_are_estimated(settings, flood_notices):
    settings.DISCLOSURE_SEARCH_EXACT_LIMIT = 3
    titled = [d.pk for d in reversed(flood_notices) if d.title.startswith("防汛")]
    others = [d.pk for d in reversed(flood_notices) if not d.title.startswith("防汛")]
    assert search("防汛", limit=20).ids == titled + others
    assert (
        search("防汛", sort="date", offset=2, limit=3).ids
        == [d.pk for d in reversed(flood_notices)][2:5]
    )


def test_counts_up_to_the_limit_stay_exact(client, settings, flood_notices):
    settings.DISCLOSURE_SEARCH_EXACT_LIMIT = 8
    result = search("防汛")
    assert result.exact and result.total == 8
    assert sum(result.facets["year"].values()) == 8
    html = client.get(reverse("search"), {"q": "防汛"}).content.decode()
    assert "<strong>8</strong>" in summary(html) and "约" not in summary(html)


def test_a_filtered_search_counts_its_own_matches(settings, flood_notices, site_tree):
    settings.DISCLOSURE_SEARCH_EXACT_LIMIT = 3
    other = published(title="防汛预案", node=site_tree["replies"], published_at=local(2023, 1, 1))
    result = search("防汛", filters={"year": 2023})
    assert result.ids == [other.pk] and result.total == 1 and result.exact


def test_a_doc_number_without_brackets_finds_the_document_among_many(settings, site_tree):
    settings.DISCLOSURE_SEARCH_EXACT_LIMIT = 3
    for i in range(6):
        published(title=f"关于铜梁区办公的通知{i}", doc_number=f"铜府办发〔2023〕{i + 10}号")
    wanted = published(title="关于防汛的通知", doc_number="铜府办发〔2024〕3号")
    assert search("铜府办发20243号").ids[0] == wanted.pk


def test_search_page_query_budget(client, flood_notices, django_assert_max_num_queries):
    client.get(reverse("search"), {"q": "防汛"})
    # Columns, the sample with its facets, topic parents, the filtered count, the planner's row
    # count, the page (two queries by relevance), the documents, three name lists, the column's
    # subtree ids (listed so that small columns use the column index); on PostgreSQL also the
    # transaction's savepoint and its planner switches, and a count of the table while autovacuum
    # has not yet analysed it (the planner's row count is then 0).
    with django_assert_max_num_queries(18):
        client.get(reverse("search"), {"q": "防汛", "node": flood_notices[0].node_id})


@pytest.fixture
def editor(site_tree):
    own, other = AgencyFactory(name="区政府办公室"), AgencyFactory(name="区教委")
    user = StaffUserFactory(role=EDITOR, agencies=[own])
    return {"user": user, "own": own, "other": other}


def admin_search(client, query, **params):
    return client.get(
        reverse("admin:disclosure_document_changelist"), {"q": query, **params}
    ).content.decode()


def test_admin_search_finds_by_title_word_and_doc_number_within_the_agencies(client, editor):
    mine = DocumentFactory(
        agency=editor["own"], title="关于乡村振兴示范点建设的通知", doc_number="铜府办发〔2024〕3号"
    )
    DocumentFactory(agency=editor["own"], title="关于城市更新的意见")
    DocumentFactory(agency=editor["other"], title="区教委乡村振兴工作安排")
    client.force_login(editor["user"])
    html = admin_search(client, "乡村振兴")
    assert "乡村振兴示范点" in html and "区教委乡村振兴" not in html and "城市更新" not in html
    for typed in ("铜府办发〔2024〕3号", "铜府办发20243号", "铜府办发[2024]3号"):
        html = admin_search(client, typed)
        assert mine.title in html and "城市更新" not in html, typed


def test_admin_search_finds_words_of_the_body(client, editor):
    DocumentFactory(agency=editor["own"], title="通知", body="<p>推进集体林权制度改革</p>")
    client.force_login(editor["user"])
    assert "集体林权" not in admin_search(client, "防汛")
    assert "<th" in admin_search(client, "集体林权") and "1 条结果" in admin_search(
        client, "集体林权"
    )


def test_admin_list_marks_an_estimated_count(client, editor, settings):
    for i in range(5):
        DocumentFactory(agency=editor["own"], title=f"文件{i}")
    client.force_login(editor["user"])
    settings.DISCLOSURE_SEARCH_EXACT_LIMIT = 10
    html = client.get(reverse("admin:disclosure_document_changelist")).content.decode()
    assert "约" not in re.search(r'class="paginator">(.*?)</p>', html, re.S).group(1)
    settings.DISCLOSURE_SEARCH_EXACT_LIMIT = 3
    html = client.get(reverse("admin:disclosure_document_changelist")).content.decode()
    paginator = re.search(r'class="paginator">(.*?)</p>', html, re.S).group(1)
    if connection.vendor == "postgresql":
        assert "约" in paginator  # past the exact limit, PostgreSQL's estimate is shown as such
    else:
        assert "约" not in paginator and "5" in paginator  # SQLite has no estimate: counted


def test_admin_document_list_and_search_query_budget(client, editor, django_assert_max_num_queries):
    for i in range(30):
        DocumentFactory(agency=editor["own"], title=f"乡村振兴文件{i}")
    client.force_login(editor["user"])
    url = reverse("admin:disclosure_document_changelist")
    client.get(url)
    # 15 and 19: one read of the topic tree for the 主题分类 filter.
    with django_assert_max_num_queries(15):
        client.get(url)
    with django_assert_max_num_queries(19):
        client.get(url, {"q": "乡村振兴"})


def changelist_queries(client, query):
    """The SQL of the admin document list searched for ``query``."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        html = admin_search(client, query)
    return html, [q["sql"] for q in captured.captured_queries if "disclosure_document" in q["sql"]]


def test_admin_search_for_a_doc_number_is_an_exact_lookup_of_its_key(client, editor):
    wanted = DocumentFactory(
        agency=editor["own"], title="关于区政办发文件的通知", doc_number="区政办发〔2026〕12号"
    )
    DocumentFactory(
        agency=editor["own"], title="区政办发2026年工作要点", doc_number="区政办发〔2026〕1号"
    )
    client.force_login(editor["user"])
    html, queries = changelist_queries(client, "区政办发〔2026〕12号")
    assert wanted.title in html and "工作要点" not in html
    searched = [sql for sql in queries if "doc_number_key" in sql]
    assert searched and all("LIKE" not in sql and "@@" not in sql for sql in searched)


def test_admin_search_shaped_like_a_doc_number_that_no_document_carries_searches_the_text(
    client, editor
):
    DocumentFactory(
        agency=editor["own"], title="区政办发2026年工作要点", body="<p>区政办发2026年12号</p>"
    )
    client.force_login(editor["user"])
    html = admin_search(client, "区政办发〔2026〕99号")
    assert "工作要点" not in html
    assert "工作要点" in admin_search(client, "工作要点")


@pytest.mark.postgres
def test_admin_doc_number_lookup_uses_the_index_on_postgresql(editor):
    from django.db.models import Q

    from disclosure.documents.models import Document

    DocumentFactory(agency=editor["own"], doc_number="区政办发〔2026〕12号")
    documents = Document.objects.for_staff(editor["user"]).filter(
        Q(doc_number_key="区政办发202612号")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = documents.explain()
    assert "doc_number_key" in plan and "Seq Scan on disclosure_document" not in plan


def current_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_a_walk_past_its_budget_is_read_from_the_gin_index_instead(flood_notices, monkeypatch):
    """A walk of the date index that does not find a page within its budget (matches that all
    lie in one old year) is cancelled and the page read again, sorted from the index."""
    from django.db import transaction

    from disclosure.documents.models import Document
    from disclosure.documents.search import backends

    monkeypatch.setattr(backends, "WALK_BUDGET_MS", 50)
    # Slower than the budget on its first run alone: as a walk through most of a large table.
    slow = Document.objects.public().extra(where=["pg_sleep(0.2) IS NOT NULL"]).order_by("pk")
    with transaction.atomic():
        before = current_timeout()
        with CaptureQueriesContext(connection) as queries:
            ids = backends.Walk("default")(slow.values_list("pk", flat=True)[:3])
        assert ids == [d.pk for d in sorted(flood_notices, key=lambda d: d.pk)[:3]]
        # Cancelled, then run again.
        assert sum("pg_sleep" in q["sql"] for q in queries.captured_queries) == 2
        assert current_timeout() == before
        # A walk within its budget gives its rows and leaves the timeout as it was.
        quick = Document.objects.public().order_by("pk").values_list("pk", flat=True)[:2]
        assert backends.Walk("default")(quick) == ids[:2]
        assert current_timeout() == before


def test_a_query_sample_is_kept_until_a_withdrawal(settings, flood_notices):
    """Page 2 of a query reuses the first page's counts; a withdrawal (a hard change) drops them."""
    from disclosure.documents.services import withdraw
    from portal.actors import SYSTEM

    settings.DISCLOSURE_SEARCH_EXACT_LIMIT = 100
    assert search("防汛").total == 8
    DocumentFactory(title="防汛新通知", status="draft")  # a draft changes nothing
    withdraw(flood_notices[0], SYSTEM, "测试撤回")
    assert search("防汛", offset=0).total == 7
