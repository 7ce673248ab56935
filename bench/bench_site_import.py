"""Site import: documents per second migrating N documents from a zip (import_documents, as the
import_site command runs it), beside a plain bulk_create of the same rows in the same run.

Usage: python bench/bench_site_import.py [--documents N] (default 100000, or BENCH_DOCUMENTS).
"""

import argparse
import os
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path

from common import QueryCounter, report  # noqa: I001 - sets up Django first
from django.db import transaction
from django.utils import timezone

from catalog.credit_code import check_character
from catalog.models import Agency, CatalogNode
from disclosure.documents.models import Document, Genre, Topic
from disclosure.site_import.package import open_package
from disclosure.site_import.services import import_documents
from portal.actors import SYSTEM

HEADER = "标题,索引号,发布机构,栏目,主题分类,体裁分类,文号,成文日期,发布日期,有效性,正文文件\n"
BODY = "<p>各镇人民政府、街道办事处，区政府各部门：</p><p>现将有关事项通知如下。</p>" * 4


def site():
    base = "11500224MB9" + "876543"
    agency, _ = Agency.objects.get_or_create(
        name="基准测试区人民政府", defaults={"credit_code": base + check_character(base)}
    )
    root, _ = CatalogNode.objects.get_or_create(name="基准迁移", parent=None)
    node, _ = CatalogNode.objects.get_or_create(name="通知公告", parent=root)
    return agency, node


def number(agency, n):
    return f"{agency.credit_code}/{2015 + n % 10}-{n // 10 + 1:05d}"


def write_package(path, agency, count):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        lines = [HEADER]
        for n in range(count):
            year = 2015 + n % 10
            lines.append(
                f"关于第{n}项工作的通知,{number(agency, n)},{agency.name},基准迁移 > 通知公告,"
                f"综合政务 / 其他,通知,铜府发〔{year}〕{n}号,{year}-03-01,{year}-03-05 09:30,"
                f"有效,{n}.html\n"
            )
            archive.writestr(f"bodies/{n}.html", BODY)
        archive.writestr("metadata.csv", "".join(lines).encode("utf-8"))


def plain_insert(agency, node, count):
    """The baseline: the same rows, written with bulk_create, no reading, checks or upkeep."""
    topic = Topic.objects.get(name="其他", parent__name="综合政务")
    genre = Genre.objects.get(name="通知")
    with transaction.atomic():
        started = time.perf_counter()
        Document.objects.bulk_create(
            [
                Document(
                    title=f"关于第{n}项工作的通知",
                    body=BODY,
                    agency=agency,
                    node=node,
                    topic=topic,
                    genre=genre,
                    doc_number=f"铜府发〔{2015 + n % 10}〕{n}号",
                    published_at=timezone.make_aware(datetime(2015 + n % 10, 3, 5, 9, 30)),
                    status=Document.Status.PUBLISHED,
                    index_number_text=number(agency, n),
                    index_code=agency.credit_code,
                    index_year=2015 + n % 10,
                    index_serial=n // 10 + 1,
                )
                for n in range(count)
            ],
            batch_size=1000,
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--documents", type=int, default=int(os.environ.get("BENCH_DOCUMENTS", 100_000))
    )
    count = parser.parse_args().documents
    agency, node = site()
    Document.objects.filter(agency=agency).delete()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "old-site.zip"
        write_package(path, agency, count)
        baseline = plain_insert(agency, node, count)
        package = open_package(path)
        with QueryCounter() as queries:
            started = time.perf_counter()
            result = import_documents(package, SYSTEM, source={"file": path.name})
            seconds = time.perf_counter() - started
        package.close()
    assert result.created == count, result
    report(
        f"site import, {count} documents",
        seconds,
        f"bulk_create of {count} rows",
        baseline,
        f"({count / seconds:,.0f} vs {count / baseline:,.0f} documents/s, "
        f"{queries.count / count:.1f} queries per document)",
    )


if __name__ == "__main__":
    main()
