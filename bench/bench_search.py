"""Search at scale: 20 fixed queries over the generated documents, median and 95th percentile,
beside a primary-key lookup of a document in the same run; and the size of the index."""

import statistics
import time

from common import report  # noqa: I001 - sets up Django first
from django.db import connection

from disclosure.models import Document
from disclosure.search.backends import DatabaseSearchBackend, SearchRequest

QUERIES = [
    # common words
    "政务公开", "工作", "通知", "安全生产", "乡村振兴",
    # rarer words and phrases
    "退役军人", "集体林权", "消费品以旧换新", "水污染防治", "森林防火",
    # a 文号, typed three ways
    "铜府办发〔2024〕3号", "铜府办发[2024]3号", "铜府办发20243号",
    # 4-character phrases taken from the middle of sentences
    "组织领导", "资金投入", "分级负责",
    # two-word queries
    "防汛 抗旱", "养老 服务", "城市更新 通知", "营商环境 意见",
]  # fmt: skip


def timed(fn, repeat=5):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def main():
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
        totals[query] = backend.search(request).total
    pk = Document.objects.public().order_by("pk").values_list("pk", flat=True)[5000]
    lookups = timed(lambda: Document.objects.select_related("agency").get(pk=pk), repeat=200)
    median, p95 = statistics.median(samples), statistics.quantiles(samples, n=20)[18]
    base = statistics.median(lookups)
    print(
        f"search: {len(QUERIES)} queries x 5 runs over {Document.objects.public().count()} public documents"
    )
    report("search, median", median, "primary-key lookup, median", base)
    report("search, 95th percentile", p95, "primary-key lookup, median", base)
    print("matches per query:", ", ".join(f"{q}={n}" for q, n in totals.items()))
    slowest = sorted(QUERIES, key=lambda q: -medians[q])[:4]
    print(
        "slowest queries (median):", ", ".join(f"{q} {medians[q] * 1000:.0f} ms" for q in slowest)
    )
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
