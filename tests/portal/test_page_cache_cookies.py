"""A session cookie is no way past the page cache: only a signed-in session is served uncached; a
cookie naming no session, or a session nobody signed in to, is served and kept like any visitor's,
and writes no session row."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from tests.factories import published

pytestmark = pytest.mark.django_db

TITLE = "关于开展城乡环境整治的通知"
UNSEEN = "只有重新渲染才看得到的新标题"
# What bench/load used to send to get past the cache.
MADE_UP = "load-test-uncached"


@pytest.fixture
def document():
    root = CatalogNode.objects.create(name="政务公开")
    column = CatalogNode.objects.create(name="通知公告", parent=root)
    return published(title=TITLE, node=column)


def with_cookie(value):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = value
    return client


def retitle_unseen(document):
    # A write that sends no signal: a page from the cache keeps the old title.
    Document.objects.filter(pk=document.pk).update(title=UNSEEN)


def test_a_made_up_session_cookie_is_served_from_the_cache_with_one_read(
    document, django_assert_max_num_queries
):
    url = document.get_absolute_url()
    Client().get(url)
    retitle_unseen(document)
    with django_assert_max_num_queries(1):  # the session, by its key
        response = with_cookie(MADE_UP).get(url)
    assert response.status_code == 200
    assert TITLE in response.content.decode()
    # The answer may delete the cookie: no shared cache keeps it.
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert Session.objects.count() == 0


def test_a_page_rendered_for_a_made_up_session_cookie_is_kept_for_everyone(
    document, django_assert_max_num_queries
):
    url = document.get_absolute_url()
    assert TITLE in with_cookie(MADE_UP).get(url).content.decode()
    retitle_unseen(document)
    with django_assert_max_num_queries(0):
        response = Client().get(url)
    assert TITLE in response.content.decode()
    assert "public" in response["Cache-Control"]


def test_an_expired_or_signed_out_session_is_served_from_the_cache(
    document, admin_client, admin_user
):
    url = document.get_absolute_url()
    key = admin_client.cookies[settings.SESSION_COOKIE_NAME].value
    admin_client.logout()
    Client().get(url)
    retitle_unseen(document)
    assert TITLE in with_cookie(key).get(url).content.decode()


def test_a_session_nobody_signed_in_to_is_served_from_the_cache(document):
    # As an applicant's, holding a receipt.
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["receipt"] = {"number": "2026-0001"}
    store.create()
    url = document.get_absolute_url()
    Client().get(url)
    retitle_unseen(document)
    assert TITLE in with_cookie(store.session_key).get(url).content.decode()
    assert Session.objects.filter(session_key=store.session_key).exists()


def test_a_signed_in_session_is_served_a_fresh_page(document, admin_client):
    url = document.get_absolute_url()
    Client().get(url)
    retitle_unseen(document)
    response = admin_client.get(url)
    assert UNSEEN in response.content.decode()
    assert "no-store" in response["Cache-Control"]
