from datetime import datetime

import pytest
from django.utils import timezone

from catalog.models import CatalogNode
from tests.factories import AgencyFactory, GenreFactory, TopicFactory


@pytest.fixture
def site_tree(db):
    """政务公开 > 法定主动公开内容 > 其他法定主动公开内容 > 人大代表建议办理 (+ a sibling)."""
    root = CatalogNode.objects.create(name="政务公开")
    legal = CatalogNode.objects.create(name="法定主动公开内容", parent=root)
    other = CatalogNode.objects.create(name="其他法定主动公开内容", parent=legal)
    replies = CatalogNode.objects.create(name="人大代表建议办理", slug="rddbjy", parent=other)
    policies = CatalogNode.objects.create(name="政策文件", parent=legal)
    return {"root": root, "legal": legal, "other": other, "replies": replies, "policies": policies}


@pytest.fixture
def seed_meta(db):
    return {
        "agency": AgencyFactory(name="铜梁区人民政府", credit_code="115002240093343308"),
        "topic": TopicFactory(name="其他"),
        "genre": GenreFactory(name="人大建议办理", requires_doc_number=False),
    }


def local(year, month, day, hour=9):
    return timezone.make_aware(datetime(year, month, day, hour))
