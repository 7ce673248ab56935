"""The visit statistics' cost on cached pages: the same cached document and column pages served
with the counting middleware and without it, in the same run, by many visitors (each its own
address and so its own hash). Uses the cache the environment configures (REDIS_URL: counts in
Redis; else counts in the process, flushed every minute)."""

import os
import statistics
import time

from common import QueryCounter, report  # noqa: I001 - sets up Django first
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from disclosure.documents.models import Document
from portal import page_cache, visits

REQUESTS = 400
ROUNDS = 7
COUNTING = "portal.visits.VisitCountingMiddleware"


AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0"
# A few hundred visitors, each with an address of its own.
ADDRESSES = [f"10.0.{n // 256}.{n % 256}" for n in range(REQUESTS)]


def client(middleware):
    """A test client whose handler runs ``middleware`` (a client loads it at its first request)."""
    with override_settings(MIDDLEWARE=middleware):
        made = Client(HTTP_USER_AGENT=AGENT)
        made.get("/robots.txt")
    return made


def serve(visitor, urls):
    started = time.perf_counter()
    for n, address in enumerate(ADDRESSES):
        response = visitor.get(urls[n % len(urls)], REMOTE_ADDR=address)
        assert response.status_code == 200
    return time.perf_counter() - started


def main():
    document = Document.objects.public().select_related("node").first()
    if document is None:
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        document = Document.objects.public().select_related("node").first()
    urls = [document.get_absolute_url(), document.node.get_absolute_url()]
    without = [name for name in settings.MIDDLEWARE if name != COUNTING]
    assert len(without) == len(settings.MIDDLEWARE) - 1, "the counting middleware is not set"
    page_cache.bump_public_version()
    counting, not_counting = client(settings.MIDDLEWARE), client(without)
    for url in urls:
        counting.get(url)  # fills the cache
    with QueryCounter() as queries:
        counting.get(urls[0], REMOTE_ADDR="10.1.0.1")
    on, off = [], []
    for _ in range(ROUNDS):  # interleaved, so that both see the same machine
        off.append(serve(not_counting, urls))
        on.append(serve(counting, urls))
    counted_off, counted_on = statistics.median(off), statistics.median(on)
    store = "Redis" if visits.redis_cache() else "the process"
    print(
        f"{REQUESTS} cached pages (a document, a column) by {REQUESTS} visitors, counts in "
        f"{store}; a hit with counting ran {queries.count} queries"
    )
    report("cached pages, counting on", counted_on, "counting off", counted_off)
    print(f"counting costs {(counted_on / counted_off - 1) * 100:+.1f} % (goal: at most +10 %)")
    visits.flush_local()


if __name__ == "__main__":
    main()
