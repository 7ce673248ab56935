import pytest
from django.contrib.auth import get_user_model

from catalog.models import CatalogNode
from tests.factories import CongressSessionFactory


@pytest.fixture
def reply_nodes(db):
    root = CatalogNode.objects.create(name="政务公开")
    return {
        "congress": CatalogNode.objects.create(name="人大代表建议办理", slug="rddbjy", parent=root),
        "cppcc": CatalogNode.objects.create(name="政协委员提案办理", slug="zxwyta", parent=root),
    }


@pytest.fixture
def session(db):
    return CongressSessionFactory(body="congress", level="区", term=18, session=1, year=2022)


@pytest.fixture
def boss(client, reply_nodes):
    user = get_user_model().objects.create_superuser(
        "boss", "b@example.com", "correct-horse-battery"
    )
    client.force_login(user)
    return user
