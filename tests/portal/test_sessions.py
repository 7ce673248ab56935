"""Sessions in the database: a cookie naming no session writes no row, on any page; a real session
still slides its expiry with each request."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode
from tests.factories import AgencyFactory, published

pytestmark = pytest.mark.django_db

MADE_UP = "load-test-uncached"


@pytest.fixture
def pages():
    root = CatalogNode.objects.create(name="政务公开")
    column = CatalogNode.objects.create(name="通知公告", parent=root)
    document = published(title="关于开展城乡环境整治的通知", node=column)
    agency = AgencyFactory()
    return [
        reverse("home"),
        document.get_absolute_url(),
        column.get_absolute_url(),
        reverse("search") + "?q=%E5%9F%8E%E4%B9%A1",
        reverse("applications:guide"),
        reverse("applications:apply", args=[agency.pk]),
        reverse("applications:status"),
        reverse("admin:login"),
        "/robots.txt",
        "/no-such-page/",
    ]


def test_a_made_up_session_cookie_writes_no_session_row_on_any_page(pages):
    for url in pages:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = MADE_UP
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert Session.objects.count() == 0, url
        # The browser is told to drop it, or left alone; never given a new session.
        cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
        assert cookie is None or cookie.value == "", url


def test_a_visit_without_a_cookie_writes_no_session_row(pages):
    for url in pages:
        Client().get(url)
    assert Session.objects.count() == 0


def test_a_signed_in_session_slides_its_expiry_on_a_page_that_never_reads_it(admin_client):
    key = admin_client.cookies[settings.SESSION_COOKIE_NAME].value
    soon = timezone.now() + timedelta(minutes=1)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert admin_client.get("/robots.txt").status_code == 200
    assert Session.objects.get(session_key=key).expire_date > soon + timedelta(minutes=20)
