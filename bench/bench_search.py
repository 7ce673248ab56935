"""Search at scale: 25 fixed queries over the generated documents, median and 95th percentile,
beside a primary-key lookup of a document in the same run; the search page as a visitor gets
it; the admin's document list and its search beside a minimal view; and the size of the index."""

import statistics
import time

from common import QueryCounter, report  # noqa: I001 - sets up Django first
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import path, reverse

from disclosure.documents.models import Document
from disclosure.documents.search.backends import DatabaseSearchBackend, SearchRequest

QUERIES = [
    # common words (工作 and 通知 are in nearly every document)
    "政务公开", "工作", "通知", "安全生产", "乡村振兴", "意见", "发展",
    # rarer words and phrases
    "退役军人", "集体林权", "消费品以旧换新", "水污染防治", "森林防火",
    # a 文号, typed five ways
    "铜府办发〔2024〕3号", "铜府办发[2024]3号", "铜府办发20243号", "铜府办发（2024）3号",
    "铜府办发2024 3号",
    # 4-character phrases taken from the middle of sentences
    "组织领导", "资金投入", "分级负责",
    # two-word queries
    "防汛 抗旱", "养老 服务", "城市更新 通知", "营商环境 意见", "工作 通知",
]  # fmt: skip


def minimal_view(request):
    return HttpResponse("ok")


urlpatterns = [path("__minimal__/", minimal_view)]


def timed(fn, repeat=5):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def main():
    # Pages as rendered: bench_cache.py measures them from the page cache.
    settings.PUBLIC_PAGE_CACHE = False
    backend = DatabaseSearchBackend()
    backend.search(SearchRequest(query="预热"))
    samples = []
    totals = {}
    medians = {}
    for query in QUERIES:
        request = SearchRequest(query=query)
        per_query = timed(lambda request=request: backend.search(request))
        samples.extend(per_query)
        medians[query] = statistics.median(per_query)
        result = backend.search(request)
        totals[query] = f"{'' if getattr(result, 'exact', True) else '~'}{result.total}"
    pk = Document.objects.public().order_by("pk").values_list("pk", flat=True)[5000]
    lookups = timed(lambda: Document.objects.select_related("agency").get(pk=pk), repeat=200)
    median, p95 = statistics.median(samples), statistics.quantiles(samples, n=20)[18]
    base = statistics.median(lookups)
    print(
        f"search: {len(QUERIES)} queries x 5 runs over {Document.objects.public().count()} public documents"
    )
    report("search, median", median, "primary-key lookup, median", base)
    report("search, 95th percentile", p95, "primary-key lookup, median", base)
    print("matches per query (~ estimated):", ", ".join(f"{q}={n}" for q, n in totals.items()))
    slowest = sorted(QUERIES, key=lambda q: -medians[q])[:4]
    print(
        "slowest queries (median):", ", ".join(f"{q} {medians[q] * 1000:.0f} ms" for q in slowest)
    )

    client = Client()
    with override_settings(ROOT_URLCONF=__name__):
        minimal = statistics.median(timed(lambda: client.get("/__minimal__/"), repeat=50))
    pages = [
        ("search page, rare word 退役军人", reverse("search"), {"q": "退役军人"}),
        ("search page, common word 通知", reverse("search"), {"q": "通知"}),
        ("search page, 文号 铜府办发20243号", reverse("search"), {"q": "铜府办发20243号"}),
    ]
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    admin = Client()
    admin.force_login(user)
    changelist = reverse("admin:disclosure_document_changelist")
    admin_pages = [
        ("admin document list", changelist, {}),
        ("admin document search 乡村振兴", changelist, {"q": "乡村振兴"}),
        ("admin document search 铜府办发〔2024〕3号", changelist, {"q": "铜府办发〔2024〕3号"}),
    ]
    for visitor, rows in ((client, pages), (admin, admin_pages)):
        for name, url, params in rows:
            with QueryCounter() as queries:
                response = visitor.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            seconds = statistics.median(
                timed(lambda v=visitor, u=url, p=params: v.get(u, p), repeat=5)
            )
            report(name, seconds, "minimal Django view", minimal, f"({queries.count} queries)")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_size_pretty(pg_relation_size('document_search_gin')), "
                "pg_size_pretty(pg_total_relation_size('disclosure_document'))"
            )
            gin, table = cursor.fetchone()
        print(f"GIN index: {gin}; documents table with its indexes and TOAST: {table}")


if __name__ == "__main__":
    main()
