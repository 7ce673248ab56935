"""The admin's column list costs a page of columns, not the whole catalogue."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.admin import CatalogNodeAdmin
from catalog.models import CatalogNode
from catalog.tree import check_catalog_tree
from tests.catalog.scale import add_leaves, cost_of_get

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:catalog_catalognode_changelist"
# At most this many columns on a page of the list.
PAGE = 100


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456789")
    client.force_login(user)
    return client


@pytest.fixture
def groups(db):
    root = CatalogNode.objects.create(name="政务公开")
    groups = [CatalogNode.objects.create(name=f"分组{n}", parent=root) for n in range(3)]
    for number, group in enumerate(groups):
        add_leaves(group, 9, f"事项{number}-")
    return groups


def grow(groups):
    for number, group in enumerate(groups):
        add_leaves(group, 90, f"更多事项{number}-")
    assert check_catalog_tree() == []


@pytest.mark.parametrize("params", [{}, {"q": "事项"}, {"is_visible__exact": "1"}])
def test_the_column_list_costs_a_page_at_ten_times_the_columns(staff_client, groups, params):
    url = reverse(CHANGELIST)
    small = cost_of_get(staff_client, url, **params)
    grow(groups)
    assert CatalogNode.objects.count() >= 300
    large = cost_of_get(staff_client, url, **params)

    assert len(large.queries) == len(small.queries)
    assert large.parameters == small.parameters
    assert large.longest_in_list <= PAGE
    # The rows of one page, and a few of counts and choices besides.
    assert large.rows <= PAGE + 20
    assert large.response.content.decode().count('class="tree-node') == min(
        PAGE, CatalogNodeAdmin.list_per_page
    )
