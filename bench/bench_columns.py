"""A city's catalogue: 20,000 columns. The pages whose work could grow with the number of
columns (the largest column's listing, a leaf column's listing, the tree, sitemap-catalog.xml,
the admin's column list), each measured first at the small catalogue (one 2,000-item directory,
about 2,300 columns) and then at 20,000 columns holding the same documents: the small figure is
the baseline of the large one, and robots.txt, measured in the same run, is named beside it.

BENCH_COLUMNS (default 20000) sets the large catalogue; BENCH_COLUMN_DOCUMENTS (default 20000)
the documents generated when the database holds fewer. It adds columns to the database it is
given: bench/run runs it last.
"""

import os
import tempfile
import time
from pathlib import Path

from bench_catalog import write_directory
from common import QueryCounter, largest_top_column, median_seconds, report  # noqa: I001 - sets up Django first
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from catalog.importer import import_directory, parse_directory, read_table
from catalog.models import CatalogNode
from disclosure.documents.models import Document

COLUMNS = int(os.environ.get("BENCH_COLUMNS", "20000"))
DOCUMENTS = int(os.environ.get("BENCH_COLUMN_DOCUMENTS", "20000"))
DIRECTORY = "政务公开/基层政务公开标准目录"
ITEMS = 2000


def import_directories(until):
    """Imports 2,000-item directories, one 领域 each, until the catalogue holds ``until``
    columns; returns how many were imported."""
    imported = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "directory.csv"
        write_directory(path)
        items = parse_directory(read_table(path))
        while CatalogNode.objects.count() < until:
            domain = "城乡规划" if imported == 0 else f"领域{imported:02d}"
            import_directory(items, f"{DIRECTORY}/{domain}")
            imported += 1
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # As autovacuum would after a bulk load: the rows each insert moved, reclaimed, fresh
        # statistics, and the visibility map that index-only scans rely on; and statistics of
        # every table (an empty one, never analysed, is planned as if it held a thousand rows).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalog_catalognode")
            cursor.execute("ANALYZE")
    return imported


def prepare():
    """The demo catalogue, one directory and the documents (what is missing of them)."""
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    if not CatalogNode.objects.filter(name="一级事项000").exists():
        import_directories(CatalogNode.objects.count() + ITEMS)
    existing = Document.objects.count()
    if existing < DOCUMENTS:
        started = time.perf_counter()
        call_command(
            "generate_demo", documents=DOCUMENTS - existing, seed=2, stdout=open(os.devnull, "w")
        )  # noqa: SIM115
        print(
            f"generate_demo --documents {DOCUMENTS - existing}: {time.perf_counter() - started:.1f} s"
        )


def pages():
    """(name, url, signed in) of each page measured; the columns are chosen at the small
    catalogue and kept for the large one."""
    top, top_count = largest_top_column()
    leaf = (
        CatalogNode.objects.visible()
        .filter(name__startswith="二级事项", documents__isnull=False)
        .order_by("pk")
        .first()
    )
    return [
        (f"listing of {top.name} ({top_count} docs)", top.get_absolute_url(), False),
        (f"listing of a leaf ({leaf.name})", leaf.get_absolute_url(), False),
        ("tree page", reverse("catalog:tree"), False),
        ("sitemap-catalog.xml", reverse("sitemap-section", args=["catalog"]), False),
        ("admin column list", reverse("admin:catalog_catalognode_changelist"), True),
    ]


def measure(measured, anonymous, staff):
    """{name: (median seconds, queries)} of each page."""
    figures = {}
    for name, url, signed_in in measured:
        client = staff if signed_in else anonymous
        with QueryCounter() as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        repeat = 3 if signed_in else 7
        figures[name] = (
            median_seconds(lambda c=client, u=url: c.get(u), repeat=repeat),
            queries.count,
        )
    return figures


def main():
    # Pages as rendered: bench_cache.py measures them from the page cache.
    settings.PUBLIC_PAGE_CACHE = False
    prepare()
    anonymous, staff = Client(), Client()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    staff.force_login(user)
    measured = pages()
    small_columns = CatalogNode.objects.count()
    small = measure(measured, anonymous, staff)

    started = time.perf_counter()
    imported = import_directories(COLUMNS)
    print(f"{imported} more directories imported: {time.perf_counter() - started:.1f} s")
    large_columns = CatalogNode.objects.count()
    large = measure(measured, anonymous, staff)
    robots = median_seconds(lambda: anonymous.get(reverse("robots")), repeat=50)

    print(
        f"{Document.objects.public().count()} public documents; {small_columns} columns, then "
        f"{large_columns}; robots.txt {robots * 1000:.1f} ms"
    )
    for name, _url, _signed_in in measured:
        (large_seconds, large_queries), (small_seconds, small_queries) = large[name], small[name]
        report(
            f"{name}, {large_columns} columns",
            large_seconds,
            f"same at {small_columns} columns",
            small_seconds,
            f"({large_queries} queries, {small_queries} before; "
            f"{large_seconds / robots:.0f}x robots.txt)",
        )


if __name__ == "__main__":
    main()
