import pytest

from catalog.importer import DirectoryItem, import_directory
from catalog.models import CatalogNode


def build_directory(first_count, second_per_first, under="政务公开/基层政务公开标准目录/测试领域"):
    items = []
    row = 2
    for f in range(first_count):
        for s in range(second_per_first):
            items.append(
                DirectoryItem(
                    row_number=row,
                    names=[f"一级事项{f:03d}", f"二级事项{f:03d}-{s:02d}"],
                    content="审批结果",
                    time_limit_text="自信息形成或者变更之日起20个工作日内",
                    audience=CatalogNode.Audience.PUBLIC,
                    mode=CatalogNode.Mode.ACTIVE,
                    level_county=True,
                )
            )
            row += 1
    return import_directory(items, under)


@pytest.fixture
def big_tree(db):
    """About 2,100 nodes: 250 first-level items with 8 second-level items each."""
    build_directory(250, 8)
    return CatalogNode.objects.count()
