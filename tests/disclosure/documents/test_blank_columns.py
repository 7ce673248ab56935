"""Blank columns (空白栏目, a 单项否决 item of the site inspection) stay off public pages: a
column with no public document beneath it is not on the tree, the column lists, the sitemap or
the home page, and its own pages are not found, unless it is a page, the home of a part's own
page, or kept shown by staff with a reason."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode, ColumnKind
from disclosure.documents.services import withdraw
from portal.actors import SYSTEM
from tests.factories import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def columns(db):
    root = CatalogNode.objects.create(name="政务公开")
    legal = CatalogNode.objects.create(name="法定主动公开内容", parent=root)
    full = CatalogNode.objects.create(name="有文件的栏目", parent=legal)
    blank = CatalogNode.objects.create(name="空白的栏目", parent=legal)
    blank_group = CatalogNode.objects.create(name="空白的分组", parent=root)
    CatalogNode.objects.create(name="空白分组的下级", parent=blank_group)
    published(title="一份公开文件", node=full)
    return {"root": root, "legal": legal, "full": full, "blank": blank, "group": blank_group}


def public_pages(columns):
    return {
        "tree": reverse("catalog:tree"),
        "column": columns["legal"].get_absolute_url(),
        "root": columns["root"].get_absolute_url(),
        "home": reverse("home"),
        "sitemap": reverse("sitemap-section", args=["catalog"]),
    }


def test_a_blank_column_is_on_no_public_page(client, columns):
    for name, url in public_pages(columns).items():
        html = client.get(url).content.decode()
        assert columns["full"].get_absolute_url() in html or name in ("root", "home"), name
        assert "空白的栏目" not in html, name
        assert "空白的分组" not in html and "空白分组的下级" not in html, name
        assert columns["blank"].get_absolute_url() not in html, name
    assert client.get(columns["blank"].get_absolute_url()).status_code == 404
    assert client.get(columns["group"].get_absolute_url()).status_code == 404
    assert client.get(reverse("catalog:subtree", args=[columns["group"].pk])).status_code == 404
    feed = reverse("disclosure:node-feed-rss", args=[columns["blank"].pk])
    assert client.get(feed).status_code == 404
    full_feed = reverse("disclosure:node-feed-rss", args=[columns["full"].pk])
    assert client.get(full_feed).status_code == 200


def test_a_column_shows_once_a_document_is_published_in_it_and_goes_when_withdrawn(client, columns):
    tree = reverse("catalog:tree")
    assert "空白的栏目" not in client.get(tree).content.decode()  # cached while blank
    document = published(title="新发布的文件", node=columns["blank"])
    assert "空白的栏目" in client.get(tree).content.decode()
    assert client.get(columns["blank"].get_absolute_url()).status_code == 200
    withdraw(document, SYSTEM, reason="发布有误")
    assert "空白的栏目" not in client.get(tree).content.decode()
    assert client.get(columns["blank"].get_absolute_url()).status_code == 404


def test_a_column_kept_shown_by_staff_with_a_reason_is_shown_empty(client, columns):
    columns["blank"].shown_when_empty = True
    columns["blank"].shown_when_empty_reason = "新设栏目，本月内发布第一份文件"
    columns["blank"].save()
    for name, url in public_pages(columns).items():
        if name != "home":  # the home page lists the first level only
            html = client.get(url).content.decode()
            assert columns["blank"].get_absolute_url() in html or name == "root", name
    response = client.get(columns["blank"].get_absolute_url())
    assert response.status_code == 200 and "本栏目暂无公开信息" in response.content.decode()


def test_a_page_column_is_shown_without_documents_and_so_are_the_columns_above(client, columns):
    page = CatalogNode.objects.create(
        name="机构职能",
        parent=columns["group"],
        kind=ColumnKind.PAGE,
        description="负责全区政务公开工作。",
    )
    tree = client.get(reverse("catalog:tree")).content.decode()
    assert "空白的分组" in tree and "机构职能" in tree
    assert "空白分组的下级" not in tree
    assert client.get(columns["group"].get_absolute_url()).status_code == 200
    # A page is its text, not an empty list.
    html = client.get(page.get_absolute_url()).content.decode()
    assert "负责全区政务公开工作。" in html and "本栏目暂无公开信息" not in html


@pytest.mark.parametrize("slug", ["gkzn", "gknb", "ysqgk", "rddbjy", "zxwyta"])
def test_the_homes_of_special_pages_are_never_hidden(client, columns, slug):
    home = CatalogNode.objects.create(name=f"专门页面{slug}", parent=columns["root"], slug=slug)
    assert f"专门页面{slug}" in client.get(reverse("catalog:tree")).content.decode()
    assert client.get(home.get_absolute_url()).status_code == 200
    sitemap = client.get(reverse("sitemap-section", args=["catalog"])).content.decode()
    assert home.get_absolute_url() in sitemap


def test_a_column_whose_only_document_is_scheduled_is_not_on_the_tree(client, columns):
    published(node=columns["blank"], published_at=timezone.now() + timedelta(days=2))
    assert "空白的栏目" not in client.get(reverse("catalog:tree")).content.decode()
    assert client.get(columns["blank"].get_absolute_url()).status_code == 404


def test_a_column_listing_a_public_document_filed_elsewhere_is_shown(client, columns):
    document = published(title="两处列出", node=columns["full"])
    document.extra_nodes.add(columns["blank"])
    assert "空白的栏目" in client.get(reverse("catalog:tree")).content.decode()
    assert "空白的栏目" in client.get(columns["legal"].get_absolute_url()).content.decode()
    assert client.get(columns["blank"].get_absolute_url()).status_code == 200


def test_an_imported_directory_of_empty_columns_is_not_published(client, columns):
    from catalog.importer import DirectoryItem, import_directory

    items = [DirectoryItem(row_number=2 + n, names=["城乡建设", f"事项{n}"]) for n in range(6)]
    import_directory(items, "政务公开/基层政务公开标准目录")
    tree = client.get(reverse("catalog:tree")).content.decode()
    assert "基层政务公开标准目录" not in tree and "城乡建设" not in tree and "事项0" not in tree
