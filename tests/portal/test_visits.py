"""Visit statistics: views and visitors per day, per kind of page, per column and document,
counted on cached pages too, with no address or identifier kept anywhere."""

import io
import logging
import os
from datetime import date, timedelta

import pytest
import redis
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from catalog.models import CatalogNode
from config.settings import redis_caches
from disclosure.documents.services import withdraw
from disclosure.documents.visits import most_read
from portal import redis_cache, visits
from portal.actors import SYSTEM
from portal.models import SiteSettings, VisitDay
from portal.roles import AUDITOR, EDITOR
from tests.factories import StaffUserFactory, published
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db

WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
# A database of the shared Redis for this file and test process (test_redis_cache: 7-14).
REDIS_URL = f"redis://127.0.0.1:6379/{1 + WORKER % 6}"
CLOSED_URL = "redis://127.0.0.1:6390/7"
ADDRESS = "198.51.100.23"
OTHER_ADDRESS = "203.0.113.77"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
# A day after the documents are published (now).
DAY = date.today() + timedelta(days=3)


@pytest.fixture(autouse=True)
def _no_redis_failure_remembered():
    redis_cache.forget_failures()
    yield
    redis_cache.forget_failures()


@pytest.fixture
def column():
    root = CatalogNode.objects.create(name="政务公开")
    return CatalogNode.objects.create(name="通知公告", parent=root)


@pytest.fixture
def document(column):
    return published(title="关于开展城乡环境整治的通知", node=column)


def visitor(address=ADDRESS, agent=BROWSER):
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def figures(day, key):
    row = VisitDay.objects.filter(date=day, key=key).first()
    return (row.views, row.visitors, row.bot_views) if row else (0, 0, 0)


@pytest.fixture
def redis_db(settings):
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    connection.flushdb()
    settings.CACHES = redis_caches(REDIS_URL)
    yield connection
    connection.flushdb()


def test_cached_hits_are_counted_once_per_visitor_a_day(document):
    with on_day(DAY):
        for _ in range(3):
            assert visitor().get(document.get_absolute_url()).status_code == 200
        visitor(OTHER_ADDRESS).get(document.get_absolute_url())
        visits.flush_local()
    document_key = visits.row_key("document", document_id=document.pk)
    assert figures(DAY, document_key) == (4, 2, 0)
    assert figures(DAY, "document") == (4, 2, 0)
    assert figures(DAY, "site") == (4, 2, 0)
    row = VisitDay.objects.get(date=DAY, key=document_key)
    assert (row.kind, row.document_id, row.node_id) == ("document", document.pk, None)


def test_a_cached_hit_costs_no_query_with_counting(document, django_assert_num_queries):
    url = document.get_absolute_url()
    visitor().get(url)
    with django_assert_num_queries(0):
        assert visitor().get(url).status_code == 200
    assert sum(visits.local_counts().views.values()) == 6  # site, kind, document, twice


def test_the_same_visitor_counts_again_the_next_day_under_a_new_salt(document):
    with on_day(DAY):
        visitor().get(document.get_absolute_url())
        first_salt = visits.local_counts().salt(DAY)
    with on_day(DAY + timedelta(days=1)):
        visitor().get(document.get_absolute_url())
        visits.flush_local()
        # The day before is over: its salt and hashes are gone from the process.
        assert DAY not in visits.local_counts().salts
        assert all(day != DAY for day, _key in visits.local_counts().visitors)
    assert figures(DAY, "site") == (1, 1, 0)
    assert figures(DAY + timedelta(days=1), "site") == (1, 1, 0)
    assert first_salt != visits.local_counts().salt(DAY + timedelta(days=1))


def test_kinds_columns_and_search_are_told_apart(column, document):
    with on_day(DAY):
        visitor().get(reverse("home"))
        visitor().get(column.get_absolute_url())
        visitor().get(reverse("search"), {"q": "整治"})
        visitor().get(reverse("disclosure:proposals"))
        visits.flush_local()
    assert figures(DAY, "home") == (1, 1, 0)
    assert figures(DAY, visits.row_key("column", node_id=column.pk)) == (1, 1, 0)
    assert figures(DAY, "column") == (1, 1, 0)
    assert figures(DAY, "search") == (1, 1, 0)
    assert figures(DAY, "other") == (1, 1, 0)
    assert figures(DAY, "site") == (4, 1, 0)


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0)",
        "curl/8.4.0",
        "python-requests/2.31",
        "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36",
        "",
    ],
)
def test_programs_are_counted_apart_never_as_visitors(document, agent):
    with on_day(DAY):
        visitor(agent=agent).get(document.get_absolute_url())
        visits.flush_local()
    assert figures(DAY, "site") == (0, 0, 1)


def test_signed_in_staff_errors_and_missing_pages_are_not_counted(client, document):
    staff = StaffUserFactory(role=EDITOR)
    with on_day(DAY):
        client.force_login(staff)
        assert client.get(document.get_absolute_url()).status_code == 200
        visitor().get(reverse("disclosure:document", args=[document.pk + 100]))
        visitor().post(reverse("home"))
        withdraw(document, SYSTEM, reason="到期")
        visitor().get(document.get_absolute_url())
        visits.flush_local()
    assert not VisitDay.objects.exists()


def test_nothing_of_the_visitor_is_stored_or_logged(document, caplog):
    caplog.set_level(logging.DEBUG)
    with on_day(DAY):
        visitor().get(document.get_absolute_url())
        salt = visits.local_counts().salt(DAY)
        visits.flush_local()
    stored = [str(value) for row in VisitDay.objects.values() for value in row.values()]
    hashed = visits.visitor_hash(salt, visitor().get("/").wsgi_request).hex()
    for secret in (ADDRESS, BROWSER, salt, hashed, hashed[:16]):
        assert not any(secret in value for value in stored)
        assert secret not in caplog.text


def test_counts_wait_in_redis_with_no_address_and_roll_up_idempotently(redis_db, document):
    with on_day(DAY):
        for address in (ADDRESS, ADDRESS, OTHER_ADDRESS):
            assert visitor(address).get(document.get_absolute_url()).status_code == 200
        visitor(agent="curl/8.4.0").get(document.get_absolute_url())
        assert visits.rollup() == (0, 3)  # sent to Redis, then read back
        first = list(VisitDay.objects.order_by("key").values())
        assert visits.rollup() == (0, 3)
        assert list(VisitDay.objects.order_by("key").values()) == first
    assert figures(DAY, visits.row_key("document", document_id=document.pk)) == (3, 2, 1)
    assert figures(DAY, "site") == (3, 2, 1)
    salt_key = visits.redis_key(DAY, "salt").encode()
    salt = redis_db.get(salt_key)
    assert 0 < redis_db.ttl(salt_key) <= 86400
    for key in redis_db.keys("*"):
        values = [key]
        kind = redis_db.type(key)
        if kind == b"hash":
            values += [item for pair in redis_db.hgetall(key).items() for item in pair]
        elif kind == b"string":
            values.append(redis_db.get(key))
        for value in values:
            assert ADDRESS.encode() not in value and b"Mozilla" not in value
            if key != salt_key:
                assert salt not in value


def test_a_redis_cache_hit_costs_no_query(redis_db, document, django_assert_num_queries):
    url = document.get_absolute_url()
    visitor().get(url)
    with django_assert_num_queries(0):
        assert visitor().get(url).status_code == 200


def test_counts_reach_redis_in_one_push_when_the_time_comes(
    redis_db, document, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(visits, "REDIS_PUSH_SECONDS", 0)
    visitor().get(document.get_absolute_url())  # fills the cache
    visits.local_counts().next_push = 0  # the time has come
    with django_assert_num_queries(0):
        visitor(OTHER_ADDRESS).get(document.get_absolute_url())
    day = visits.today()
    assert redis_db.hget(visits.redis_key(day, "views"), "site") == b"2"
    assert redis_db.pfcount(visits.redis_key(day, "u:site")) == 2
    assert not visits.local_counts().views
    assert not VisitDay.objects.exists()


def test_pages_answer_while_redis_is_down(settings, document):
    settings.CACHES = redis_caches(CLOSED_URL)
    for url in (reverse("home"), document.get_absolute_url()):
        assert visitor().get(url).status_code == 200
    assert visits.rollup() == (0, None)
    assert not VisitDay.objects.exists()


def test_rollup_visits_writes_what_waits_and_again_changes_nothing(document):
    with on_day(DAY):
        visitor().get(document.get_absolute_url())
        visitor(OTHER_ADDRESS).get(document.get_absolute_url())
        out = io.StringIO()
        call_command("rollup_visits", stdout=out)
        assert "已写入 3 条每日统计" in out.getvalue()
        first = list(VisitDay.objects.order_by("key").values())
        call_command("rollup_visits", stdout=io.StringIO())
    assert list(VisitDay.objects.order_by("key").values()) == first
    assert figures(DAY, "site") == (2, 2, 0)


def test_a_database_that_fails_the_flush_fails_no_page(document, monkeypatch):
    def fails(*args, **kwargs):
        raise DatabaseError("the database is away")

    monkeypatch.setattr(VisitDay, "for_key", fails)
    visits.local_counts().next_flush = 0
    assert visitor().get(document.get_absolute_url()).status_code == 200
    assert not visits.local_counts().views  # taken, and dropped


def test_the_statistics_page_is_for_staff_allowed_to_see_it(client, column, document):
    with on_day(DAY):
        visitor().get(document.get_absolute_url())
        visitor().get(column.get_absolute_url())
        visits.flush_local()
    url = reverse("admin:portal_visitday_changelist")
    client.force_login(StaffUserFactory(role=EDITOR))
    assert client.get(url).status_code == 403
    client.force_login(StaffUserFactory(role=AUDITOR))
    page = client.get(url, {"year": DAY.year, "month": DAY.month}).content.decode()
    assert "访问统计" in page
    assert document.title in page and column.name in page
    assert DAY.isoformat() in page


def test_most_read_lists_public_documents_only(column, document):
    other = published(title="关于调整公交线路的通告", node=column)
    with on_day(DAY):
        for _ in range(3):
            visitor().get(other.get_absolute_url())
        visitor().get(document.get_absolute_url())
        visits.flush_local()
    today = DAY + timedelta(days=1)
    assert [(doc.pk, views) for doc, views in most_read(today=today)] == [
        (other.pk, 3),
        (document.pk, 1),
    ]
    withdraw(other, SYSTEM, reason="到期")
    assert [doc.pk for doc, _views in most_read(today=today)] == [document.pk]


def test_the_home_page_lists_the_most_read_only_when_switched_on(document):
    with on_day(DAY):
        visitor().get(document.get_absolute_url())
        visits.flush_local()
    with on_day(DAY + timedelta(days=1)):
        assert "阅读排行" not in visitor().get(reverse("home")).content.decode()
        settings_row = SiteSettings.load()
        settings_row.show_most_read = True
        settings_row.save()
        home = visitor().get(reverse("home")).content.decode()
    assert "阅读排行" in home and document.title in home


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("198.51.100.23", "198.51.100.23", True),
        ("198.51.100.23", "198.51.100.24", False),
        ("2001:db8:1:2::10", "2001:db8:1:2:ffff::1", True),  # one /64, one subscriber
        ("2001:db8:1:2::10", "2001:db8:1:3::10", False),
    ],
)
def test_a_visitor_is_a_client_as_the_limits_count_it(first, second, same):
    one = visitor(first).get("/").wsgi_request
    other = visitor(second).get("/").wsgi_request
    assert (visits.visitor_hash("salt", one) == visits.visitor_hash("salt", other)) is same
