"""Helpers shared by the benchmark scripts: Django set-up, timing and the report line."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()


def median_seconds(fn, repeat=7, warmup=1):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def report(name, seconds, baseline_name, baseline_seconds, extra=""):
    ratio = seconds / baseline_seconds if baseline_seconds else float("inf")
    print(
        f"{name:<44} {seconds * 1000:9.1f} ms   {baseline_name:<30} "
        f"{baseline_seconds * 1000:8.1f} ms   ratio {ratio:6.1f}x {extra}"
    )


class QueryCounter:
    """Counts the queries run on the default connection inside a ``with`` block."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def minimal_view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def _urlpatterns():
    from django.urls import path

    return [path("__minimal__/", minimal_view)]


class _MinimalUrls:
    urlpatterns = _urlpatterns()


def minimal_view_seconds(client, repeat=50):
    """The baseline of the page figures: a minimal Django view, through the same client."""
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF=_MinimalUrls):
        return median_seconds(lambda: client.get("/__minimal__/"), repeat=repeat)


def largest_top_column():
    """The visible top-level column holding the most public documents, and that number."""
    from catalog.models import CatalogNode
    from disclosure.documents.models import public_counts_by_node

    top_level = list(CatalogNode.objects.visible().filter(level=1))
    counts = public_counts_by_node(top_level)
    top = max(top_level, key=lambda node: counts[node.pk])
    return top, counts[top.pk]
