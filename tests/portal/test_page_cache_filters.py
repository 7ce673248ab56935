"""A listing's filters are kept in the page cache only when they found something: every
combination of years, topics, genres, agencies, validity and page size is a page that exists, and
together they are more than any cache holds."""

import pytest
from django.core.cache import caches

from catalog.models import CatalogNode
from tests.factories import published

pytestmark = pytest.mark.django_db


def stored_pages():
    return [key for key in caches["default"]._cache if ":page:" in key]


def test_filter_combinations_that_find_nothing_are_served_but_not_kept(client):
    root = CatalogNode.objects.create(name="政务公开")
    column = CatalogNode.objects.create(name="通知公告", parent=root)
    document = published(title="关于开展城乡环境整治的通知", node=column)
    url = column.get_absolute_url()
    other_year = str(document.published_at.year - 3)
    for query in (
        {"year": other_year},
        {"year": other_year, "per_page": "50"},
        {"year": other_year, "validity": ""},
        {"year": other_year, "topic": str(document.topic_id)},
    ):
        response = client.get(url, query)
        assert response.status_code == 200, query
    assert stored_pages() == []


def test_a_filter_form_sent_empty_is_one_entry_with_the_bare_listing(client):
    root = CatalogNode.objects.create(name="政务公开")
    column = CatalogNode.objects.create(name="通知公告", parent=root)
    published(title="关于开展城乡环境整治的通知", node=column)
    url = column.get_absolute_url()
    for query in ({}, {"year": ""}, {"year": "", "topic": "", "validity": ""}):
        assert client.get(url, query).status_code == 200
    assert len(stored_pages()) == 1
    cached = client.get(url, {"topic": "", "year": ""})
    assert cached.status_code == 200 and "关于开展城乡环境整治的通知" in cached.content.decode()


def test_a_listing_asked_with_its_default_page_size_is_not_a_page_of_its_own(client):
    root = CatalogNode.objects.create(name="政务公开")
    column = CatalogNode.objects.create(name="通知公告", parent=root)
    published(title="关于开展城乡环境整治的通知", node=column)
    url = column.get_absolute_url()
    assert client.get(url, {"per_page": "20"}).status_code == 200
    assert stored_pages() == []
    assert client.get(url).status_code == 200
    assert len(stored_pages()) == 1
