"""Documents at scale: 100,000 generated documents; the public pages beside a minimal view:
listings at their first, 200th and last page, a small column, the tree, the sitemap."""

import math
import os
import time

from common import QueryCounter, largest_top_column, median_seconds, minimal_view_seconds, report  # noqa: I001 - sets up Django first
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.documents.models import Document, public_counts_by_node
from disclosure.documents.sitemaps import DocumentSitemap

DOCUMENTS = int(os.environ.get("BENCH_DOCUMENTS", "100000"))


def main():
    # Pages as rendered: bench_cache.py measures them from the page cache.
    settings.PUBLIC_PAGE_CACHE = False
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    existing = Document.objects.count()
    if existing < DOCUMENTS:
        started = time.perf_counter()
        call_command(
            "generate_demo", documents=DOCUMENTS - existing, seed=1, stdout=open(os.devnull, "w")
        )  # noqa: SIM115
        print(
            f"generate_demo --documents {DOCUMENTS - existing}: {time.perf_counter() - started:.1f} s"
        )

    client = Client()
    baseline = minimal_view_seconds(client)

    # The top-level column holding the most documents: its page 200 must exist.
    top, top_count = largest_top_column()
    last_page = math.ceil(top_count / 20)
    # A small column: the visible one whose count is nearest 500 (the 509).
    visible = list(CatalogNode.objects.visible())
    all_counts = public_counts_by_node(visible)
    small = min(visible, key=lambda node: abs(all_counts[node.pk] - 500))
    document = (
        Document.objects.public().filter(node__slug="rddbjy").first()
        or Document.objects.public().first()
    )
    sitemap_pages = DocumentSitemap().paginator.num_pages
    pages = [
        ("document page", document.get_absolute_url(), {}),
        (f"listing of {top.name} ({top_count} docs), page 1", top.get_absolute_url(), {}),
        (f"listing of {top.name}, page 200", top.get_absolute_url(), {"page": 200}),
        (
            f"listing of {top.name}, last page ({last_page})",
            top.get_absolute_url(),
            {"page": last_page},
        ),
        (
            f"listing of {small.name} ({all_counts[small.pk]} docs), page 1",
            small.get_absolute_url(),
            {},
        ),
        (
            f"listing of {small.name}, last page",
            small.get_absolute_url(),
            {"page": math.ceil(all_counts[small.pk] / 20)},
        ),
        ("tree page", reverse("catalog:tree"), {}),
        ("home page", reverse("home"), {}),
        ("sitemap.xml (index)", reverse("sitemap"), {}),
        (
            f"sitemap documents page {sitemap_pages} (last)",
            reverse("sitemap-section", args=["documents"]),
            {"p": sitemap_pages},
        ),
    ]
    print(f"{Document.objects.public().count()} public documents of {Document.objects.count()}")
    for name, url, params in pages:
        with QueryCounter() as queries:
            response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        seconds = median_seconds(lambda url=url, params=params: client.get(url, params), repeat=11)
        report(name, seconds, "minimal Django view", baseline, f"({queries.count} queries)")


if __name__ == "__main__":
    main()
