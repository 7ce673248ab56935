"""The catalogue's public pages cost what they show, not what the catalogue holds: each is asked
for at N columns and again at 10×N, and sends the same queries with the same parameters, reads
no more rows and reverses no more URLs."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode
from catalog.tree import check_catalog_tree
from disclosure.documents.models import Document, public_counts_by_node
from disclosure.documents.models.counts import rebuild_public_counts
from tests.catalog.scale import add_leaves, cost_of_get
from tests.disclosure.conftest import local
from tests.factories import published

pytestmark = pytest.mark.django_db

GROUPS = 3
# Leaves per group: 9 makes a catalogue of 32 columns, 99 one of 302.
SMALL, LARGE = 9, 99
# The default page of a listing: no query sends a longer list of values.
PAGE_SIZE = 20


class Catalogue(dict):
    """政务公开 > 大栏目 > 分组0…2 > leaves, a hidden group beneath 大栏目, and 别处栏目. Each
    leaf added holds one public document of 2019, as each column of a city's catalogue holds
    some (and so has a kept count)."""

    def grow(self, leaves):
        for number, group in enumerate(self["groups"]):
            have = CatalogNode.objects.filter(parent=group).count()
            add_leaves(group, leaves - have, f"事项{number}-{have}-")
            added = CatalogNode.objects.filter(parent=group).order_by("lft")[have:]
            file_old_documents(added)
        assert check_catalog_tree() == []


def file_old_documents(columns):
    """One public document of 2019 in each of ``columns``, inserted in bulk and counted."""
    model = Document.objects.public().first()
    Document.objects.bulk_create(
        Document(
            title=f"旧文件{column.pk}",
            agency_id=model.agency_id,
            topic_id=model.topic_id,
            genre_id=model.genre_id,
            node=column,
            status=Document.Status.PUBLISHED,
            disclosure_mode=Document.DisclosureMode.ACTIVE,
            published_at=local(2019, 6, 1),
            index_number_text=f"TEST/2019-{column.pk:06d}",
        )
        for column in columns
    )
    rebuild_public_counts()


@pytest.fixture
def catalogue(db, settings):
    settings.PUBLIC_PAGE_CACHE = False  # every request is rendered
    root = CatalogNode.objects.create(name="政务公开")
    big = CatalogNode.objects.create(name="大栏目", parent=root)
    groups = [CatalogNode.objects.create(name=f"分组{n}", parent=big) for n in range(GROUPS)]
    hidden = CatalogNode.objects.create(name="内部分组", parent=big, is_visible=False)
    elsewhere = CatalogNode.objects.create(name="别处栏目", parent=root)
    catalogue = Catalogue(root=root, big=big, groups=groups, hidden=hidden, elsewhere=elsewhere)
    for group in groups:
        add_leaves(group, 1, f"{group.name}首项")
    catalogue["leaf"] = CatalogNode.objects.get(parent=groups[0])
    other_leaf = CatalogNode.objects.get(parent=groups[1])
    for day in range(1, 4):
        published(title=f"叶子文件{day}", node=catalogue["leaf"], published_at=local(2024, 3, day))
    for day in range(1, 25):
        published(title=f"分组文件{day}", node=other_leaf, published_at=local(2023, 5, day))
    published(title="内部文件", node=hidden, published_at=local(2024, 1, 1))
    also = published(title="两处列出", node=elsewhere, published_at=local(2024, 2, 1))
    also.extra_nodes.add(other_leaf)
    catalogue.grow(SMALL)
    return catalogue


def the_big_listing(catalogue):
    return catalogue["big"].get_absolute_url(), {}


def a_filtered_listing(catalogue):
    return catalogue["big"].get_absolute_url(), {"year": 2024}


def a_second_page(catalogue):
    return catalogue["big"].get_absolute_url(), {"page": 2}


def a_leaf_listing(catalogue):
    return catalogue["leaf"].get_absolute_url(), {}


def the_tree(catalogue):
    return reverse("catalog:tree"), {}


@pytest.mark.parametrize(
    "page", [the_big_listing, a_filtered_listing, a_second_page, a_leaf_listing, the_tree]
)
def test_a_catalogue_page_costs_the_same_at_ten_times_the_columns(client, catalogue, page):
    url, params = page(catalogue)
    small = cost_of_get(client, url, **params)
    catalogue.grow(LARGE)
    assert CatalogNode.objects.count() >= 10 * 30
    large = cost_of_get(client, url, **params)

    assert len(large.queries) == len(small.queries)
    assert large.parameters == small.parameters
    assert large.longest_in_list <= PAGE_SIZE
    assert large.rows <= small.rows
    assert large.reversed_urls <= small.reversed_urls


def test_the_listings_still_count_and_list_the_whole_subtree_at_scale(client, catalogue):
    catalogue.grow(LARGE)
    html = client.get(catalogue["big"].get_absolute_url()).content.decode()
    # 3 + 24 + 1 (listed under a leaf too) + 1 in the hidden group + one in each later leaf.
    assert f"共 {29 + GROUPS * (LARGE - 1)} 条" in html
    assert html.count('class="col-title"') == PAGE_SIZE
    for group in catalogue["groups"]:
        assert group.name in html  # the sub-columns shown
    filtered = client.get(catalogue["big"].get_absolute_url(), {"year": 2024}).content.decode()
    assert "共 5 条" in filtered
    leaf = client.get(catalogue["leaf"].get_absolute_url()).content.decode()
    assert "共 3 条" in leaf


def test_the_catalogue_sitemap_costs_the_same_at_ten_times_the_columns(client, catalogue):
    url = reverse("sitemap-section", args=["catalog"])
    small = cost_of_get(client, url)
    catalogue.grow(LARGE)
    large = cost_of_get(client, url)

    assert len(large.queries) == len(small.queries)
    assert large.parameters == small.parameters
    assert large.longest_in_list <= PAGE_SIZE
    # One URL pattern for the page, not a reverse() per column.
    assert large.reversed_urls == small.reversed_urls
    listed = large.response.content.decode().count("<url>")
    # Every visible column but the one holding no document (分组2首项, a blank column).
    assert listed == CatalogNode.objects.visible().count() - 1
    assert large.rows <= listed + len(large.queries)


def test_every_tree_page_counts_what_the_listings_count(client, catalogue):
    catalogue.grow(LARGE)
    soon = timezone.now() + timedelta(days=3)
    published(title="定时发布", node=catalogue["leaf"], published_at=soon)  # not public yet
    pages = [reverse("catalog:tree")]
    pages += [reverse("catalog:subtree", args=[group.pk]) for group in catalogue["groups"]]
    for url in pages:
        html = client.get(url).content.decode()
        shown = {
            int(pk): int(count)
            for pk, count in re.findall(
                r'<li><a href="/catalog/(\d+)/">[^<]+</a> <span class="count">\((\d+)\)</span>',
                html,
            )
        }
        assert shown, url
        assert shown == public_counts_by_node(CatalogNode.objects.filter(pk__in=shown)), url
    tree = client.get(reverse("catalog:tree")).content.decode()
    assert "事项0-" not in tree  # the leaves are on the pages of their groups
    assert tree.count('class="more"') == GROUPS
