"""CSV export of the catalogue listing: rows per second beside PostgreSQL's own COPY of the
same columns, and the export process's peak memory at 10,000 and 100,000 rows."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT  # noqa: I001 - sets up Django first
from django.db import connection
from django.utils import timezone

from disclosure.models import Document

PEAK_SCRIPT = """
import resource, sys, time
sys.path.insert(0, {root!r})
import os; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
import django; django.setup()
from django.core.management import call_command
started = time.perf_counter()
call_command("export_catalog", *sys.argv[1:], stdout=open(os.devnull, "w"))
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

COPY_SQL = """
COPY (
  SELECT row_number() OVER (ORDER BY d.published_at, d.id),
         d.index_number_text,
         d.title, d.doc_number, a.name, t.name, g.name, d.written_on, (d.published_at AT TIME ZONE 'Asia/Shanghai')::date,
         d.validity, d.disclosure_mode, n.name, d.summary, 'http://127.0.0.1:8000/documents/' || d.id || '/'
  FROM disclosure_document d
  JOIN catalog_agency a ON a.id = d.agency_id
  LEFT JOIN disclosure_topic t ON t.id = d.topic_id
  LEFT JOIN disclosure_genre g ON g.id = d.genre_id
  JOIN catalog_catalognode n ON n.id = d.node_id
  WHERE d.status = 'published' AND d.disclosure_mode = 'active' AND d.published_at <= now() {extra}
  ORDER BY d.published_at, d.id
) TO STDOUT WITH CSV HEADER
"""


def run_export(args):
    output = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT.format(root=str(ROOT)), *args],
        check=True, capture_output=True, text=True, env=os.environ,
    ).stdout.split()  # fmt: skip
    return float(output[0]), int(output[1]) / 1024  # seconds, MiB


def run_copy(extra, path):
    with connection.cursor() as cursor, open(path, "w", encoding="utf-8") as handle:
        started = time.perf_counter()
        cursor.cursor.copy_expert(COPY_SQL.format(extra=extra), handle)
        return time.perf_counter() - started


def main():
    if connection.vendor != "postgresql":
        print("bench_exports: needs PostgreSQL (BENCH_DB=postgres)")
        return
    public = Document.objects.public().order_by("-published_at", "-pk")
    total = public.count()
    tenth = public.values_list("published_at", flat=True)[9_999]
    since = timezone.localtime(tenth).date()
    small = public.filter(published_at__date__gte=since).count()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "listing.csv"
        for rows, args, extra in [
            (
                small,
                ["--from", since.isoformat()],
                f"AND (d.published_at AT TIME ZONE 'Asia/Shanghai')::date >= '{since}'",
            ),
            (total, [], ""),
        ]:
            seconds, peak = run_export(["-o", str(out), *args])
            copy_seconds = run_copy(extra, Path(tmp) / "copy.csv")
            print(
                f"CSV export, {rows:>6} rows: {rows / seconds:9.0f} rows/s ({seconds:.2f} s, peak RSS {peak:.0f} MiB)   "
                f"PostgreSQL COPY: {rows / copy_seconds:9.0f} rows/s ({copy_seconds:.2f} s)   "
                f"ratio {seconds / copy_seconds:5.1f}x"
            )


if __name__ == "__main__":
    main()
