"""Catalogue: importing a 2,000-item standard directory, the tree page and the admin changelist."""

import csv
import tempfile
import time
from pathlib import Path

from common import QueryCounter, median_seconds, report  # noqa: I001 - sets up Django first
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import path, reverse

from catalog.importer import import_directory, parse_directory, read_table
from catalog.models import CatalogNode
from catalog.tree import check_catalog_tree

HEADER = [
    "序号",
    "一级事项",
    "二级事项",
    "公开内容（要素）",
    "公开依据",
    "公开时限",
    "公开主体",
    "公开渠道和载体",
    "公开对象",
    "公开方式",
    "公开层级",
]


def write_directory(path, firsts=263, total=2000):
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for n in range(total):
            writer.writerow(
                [
                    n + 1,
                    f"一级事项{n % firsts:03d}",
                    f"二级事项{n:04d}",
                    "审批结果",
                    "《中华人民共和国政府信息公开条例》",
                    "自信息形成或者变更之日起20个工作日内",
                    "区政府办公室",
                    "政府网站、公开查阅点",
                    "全社会",
                    "主动",
                    "县级",
                ]
            )


def minimal_view(request):
    return HttpResponse("ok")


urlpatterns = [path("__minimal__/", minimal_view)]


def main():
    # Pages as rendered: bench_cache.py measures them from the page cache.
    settings.PUBLIC_PAGE_CACHE = False
    CatalogNode.objects.all().delete()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "directory.csv"
        write_directory(directory)

        runs = []
        for attempt in range(3):
            with transaction.atomic():
                started = time.perf_counter()
                items = parse_directory(read_table(directory))
                import_directory(items, "政务公开/基层政务公开标准目录/城乡规划")
                runs.append(time.perf_counter() - started)
                # Keep the last import only, so every run starts from the same empty tree.
                transaction.set_rollback(attempt < 2)
        import_seconds = sorted(runs)[1]

    # Baseline: the same 2,000 rows inserted with no parsing, no checks and no tree upkeep.
    def plain_insert():
        with transaction.atomic():
            CatalogNode.objects.bulk_create(
                [
                    CatalogNode(
                        name=f"基线{n}", tree_id=9999, lft=2 * n + 1, rght=2 * n + 2, level=0
                    )
                    for n in range(2000)
                ],
                batch_size=500,
            )
            transaction.set_rollback(True)

    report(
        "import_catalog, 2,000-item directory",
        import_seconds,
        "bulk_create of 2,000 rows",
        median_seconds(plain_insert, repeat=3),
    )
    assert check_catalog_tree() == []
    nodes = CatalogNode.objects.count()

    client = Client()
    tree_url = reverse("catalog:tree")
    with QueryCounter() as tree_queries:
        assert client.get(tree_url).status_code == 200
    tree_seconds = median_seconds(lambda: client.get(tree_url), repeat=5)

    with override_settings(ROOT_URLCONF=__name__):
        minimal_seconds = median_seconds(lambda: client.get("/__minimal__/"), repeat=20)
    report(
        f"tree page, {nodes} nodes",
        tree_seconds,
        "minimal Django view",
        minimal_seconds,
        f"({tree_queries.count} queries)",
    )

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client.force_login(user)
    changelist = reverse("admin:catalog_catalognode_changelist")
    with QueryCounter() as admin_queries:
        assert client.get(changelist).status_code == 200
    admin_seconds = median_seconds(lambda: client.get(changelist), repeat=3)
    with override_settings(ROOT_URLCONF=__name__):
        minimal_seconds = median_seconds(lambda: client.get("/__minimal__/"), repeat=20)
    report(
        f"admin node changelist, {nodes} nodes",
        admin_seconds,
        "minimal Django view",
        minimal_seconds,
        f"({admin_queries.count} queries)",
    )


if __name__ == "__main__":
    main()
