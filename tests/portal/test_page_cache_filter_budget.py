"""Filters that find something are pages too: every combination a document matches (its year,
topic, genre, agency and validity, each given or left out, at each page size) is one, in its
column and every column above it. One party asking for them all must not fill the page cache
with them, as it may not with free text (``page_cache.FREE_TEXT_PAGES_PER_CLIENT``)."""

import itertools

import pytest
from django.core.cache import caches

from catalog.models import CatalogNode
from disclosure.documents.filters import DocumentFilterForm
from portal import page_cache
from tests.factories import published

pytestmark = pytest.mark.django_db


def stored_pages():
    return [key for key in caches["default"]._cache if ":page:" in key]


def test_one_party_keeps_no_more_filtered_listings_than_its_share(client):
    root = CatalogNode.objects.create(name="政务公开")
    column = CatalogNode.objects.create(name="通知公告", parent=root)
    document = published(title="关于开展城乡环境整治的通知", node=column)
    values = {
        "year": document.published_at.year,
        "topic": document.topic_id,
        "genre": document.genre_id,
        "agency": document.agency_id,
        "validity": document.validity,
    }
    values = {name: value for name, value in values.items() if value not in (None, "")}
    asked = 0
    for size in DocumentFilterForm.PAGE_SIZES:
        for count in range(1, len(values) + 1):
            for names in itertools.combinations(values, count):
                query = {name: values[name] for name in names} | {"per_page": size}
                response = client.get(column.get_absolute_url(), query, REMOTE_ADDR="192.0.2.7")
                assert response.status_code == 200
                assert "关于开展城乡环境整治的通知" in response.content.decode()
                asked += 1
    assert asked > page_cache.FREE_TEXT_PAGES_PER_CLIENT
    assert len(stored_pages()) <= page_cache.FREE_TEXT_PAGES_PER_CLIENT
