import json
import math
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.admin import CatalogNodeAdmin
from catalog.models import CatalogNode

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(
        "boss", "boss@example.com", "correct-horse-battery"
    )
    client.force_login(user)
    return client


def test_node_changelist_query_count_does_not_grow_with_the_tree(
    admin_client, big_tree, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:catalog_catalognode_changelist"))
    assert response.status_code == 200
    # A page of columns: the list is paged, not the whole catalogue at once.
    assert response.content.decode().count('class="tree-node') == CatalogNodeAdmin.list_per_page
    assert response.context["cl"].paginator.num_pages == math.ceil(
        big_tree / CatalogNodeAdmin.list_per_page
    )


def test_a_page_of_the_column_list_is_in_tree_order_indented_and_says_where_it_starts(
    admin_client, big_tree
):
    url = reverse("admin:catalog_catalognode_changelist")
    first = admin_client.get(url).content.decode()
    assert "本页接续" not in first  # it begins at the top of the tree
    response = admin_client.get(url, {"p": 2})
    html = response.content.decode()
    rows = response.context["cl"].result_list
    expected = list(CatalogNode.objects.order_by("tree_id", "lft")[100:200])
    assert [row.pk for row in rows] == [node.pk for node in expected]
    parent = CatalogNode.objects.get(pk=expected[0].parent_id)
    assert f"本页接续“{parent.path_label()}”的下级栏目" in html
    assert f'data-level="{expected[0].level}"' in html
    assert f"text-indent:{expected[0].level * CatalogNodeAdmin.mptt_level_indent}px" in html
    # The script is told of the children on this page only.
    context = json.loads(re.search(r'data-context="([^"]+)"', html).group(1).replace("&quot;", '"'))
    listed = {pk for children in context["treeStructure"].values() for pk in children}
    assert listed <= {row.pk for row in rows}


def test_the_column_list_is_searched_and_filtered_across_the_catalogue(admin_client, big_tree):
    url = reverse("admin:catalog_catalognode_changelist")
    found = admin_client.get(url, {"q": "二级事项249-07"})
    assert [row.name for row in found.context["cl"].result_list] == ["二级事项249-07"]
    CatalogNode.objects.filter(name="二级事项249-07").update(is_visible=False)
    hidden = admin_client.get(url, {"is_visible__exact": "0"})
    assert [row.name for row in hidden.context["cl"].result_list] == ["二级事项249-07"]


def test_node_can_be_added_with_channels_in_the_admin(admin_client):
    root = CatalogNode.objects.create(name="政务公开")
    response = admin_client.post(
        reverse("admin:catalog_catalognode_add"),
        {
            "name": "财政信息",
            "parent": root.pk,
            "is_visible": "on",
            "channel_choices": ["政府网站", "公开查阅点"],
            "channel_other": "社区公告栏、村务公开栏",
            "audience": "public",
            "mode": "active",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    node = CatalogNode.objects.get(name="财政信息")
    assert node.parent == root
    assert node.channels == ["政府网站", "公开查阅点", "社区公告栏", "村务公开栏"]


def test_agency_admin_rejects_a_bad_credit_code_with_a_chinese_message(admin_client):
    response = admin_client.post(
        reverse("admin:catalog_agency_add"),
        {"name": "某局", "credit_code": "115002240093343309", "level": "district"},
    )
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()


def test_a_cataloguer_can_file_columns_only_under_open_nodes_and_their_agencies(client):
    from portal.roles import CATALOGUER
    from tests.factories import AgencyFactory, StaffUserFactory

    own, other = AgencyFactory(), AgencyFactory()
    root = CatalogNode.objects.create(name="政务公开")
    foreign = CatalogNode.objects.create(name="教委专栏", parent=root, agency=other)
    user = StaffUserFactory(role=CATALOGUER, agencies=[own])
    client.force_login(user)
    url = reverse("admin:catalog_catalognode_add")
    form = client.get(url).context["adminform"].form
    assert foreign not in form.fields["parent"].queryset and root in form.fields["parent"].queryset
    assert set(form.fields["agency"].queryset) == {own}
    for data in ({"parent": foreign.pk}, {"parent": root.pk, "agency": other.pk}):
        response = client.post(url, {"name": "新栏目", "is_visible": "on", **data})
        assert response.status_code == 200
    assert not CatalogNode.objects.filter(name="新栏目").exists()
    assert (
        client.get(reverse("admin:catalog_catalognode_change", args=[foreign.pk])).status_code
        == 302
    )
