"""The public page cache: each page kind rendered (cache off) and served from the cache, beside
a minimal view. Uses the cache the environment configures (REDIS_URL or the local memory cache);
the public version is in the database, read at most once a second per process."""

import os
import time

from common import QueryCounter, largest_top_column, median_seconds, minimal_view_seconds, report  # noqa: I001 - sets up Django first
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from disclosure.documents.models import Document
from disclosure.documents.sitemaps import DocumentSitemap
from disclosure.proposals.models import CongressSession
from portal import page_cache

DOCUMENTS = int(os.environ.get("BENCH_DOCUMENTS", "100000"))


def main():
    if Document.objects.count() < DOCUMENTS:
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        existing = Document.objects.count()
        started = time.perf_counter()
        call_command(
            "generate_demo", documents=DOCUMENTS - existing, seed=1, stdout=open(os.devnull, "w")
        )  # noqa: SIM115
        print(f"generate_demo: {time.perf_counter() - started:.1f} s")

    client = Client()
    baseline = minimal_view_seconds(client)

    top, top_count = largest_top_column()
    document = Document.objects.public().first()
    last_page = -(-top_count // 20)
    session = CongressSession.objects.order_by("pk").first()
    pages = [
        ("home page", reverse("home"), {}),
        ("document page", document.get_absolute_url(), {}),
        (f"listing ({top_count} docs), page 1", top.get_absolute_url(), {}),
        ("listing, page 200", top.get_absolute_url(), {"page": 200}),
        ("listing, last page", top.get_absolute_url(), {"page": last_page}),
        ("tree page", reverse("catalog:tree"), {}),
        ("proposals", reverse("disclosure:proposals"), {}),
        ("proposal statistics", reverse("disclosure:proposal-statistics", args=[session.pk]), {}),
        ("feed (RSS)", reverse("disclosure:feed-rss"), {}),
        ("feed (Atom)", reverse("disclosure:feed-atom"), {}),
        ("column feed (RSS)", reverse("disclosure:node-feed-rss", args=[top.pk]), {}),
        ("sitemap index", reverse("sitemap"), {}),
        (
            "sitemap documents, last page",
            reverse("sitemap-section", args=["documents"]),
            {"p": DocumentSitemap().paginator.num_pages},
        ),
    ]
    print(
        f"{Document.objects.public().count()} public documents; cache "
        f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, public version in the "
        f"database (kept {page_cache.LOCAL_COPY_SECONDS:g} s per process)"
    )
    page_cache.bump_public_version()
    for name, url, params in pages:
        with override_settings(PUBLIC_PAGE_CACHE=False):
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            uncached = median_seconds(lambda u=url, p=params: client.get(u, p), repeat=5)
        report(f"{name}, uncached", uncached, "minimal Django view", baseline)
        client.get(url, params)  # fills the cache
        with QueryCounter() as queries:
            response = client.get(url, params)
        assert response.status_code == 200 and "ETag" in response, url
        cached = median_seconds(lambda u=url, p=params: client.get(u, p), repeat=21)
        report(
            f"{name}, cached", cached, "minimal Django view", baseline, f"({queries.count} queries)"
        )


if __name__ == "__main__":
    main()
