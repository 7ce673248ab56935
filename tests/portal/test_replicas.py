"""Reads from PostgreSQL streaming replicas (portal.replicas).

The tests marked ``replica`` run against a real standby: CI starts a throw-away pair with
bin/pg-replica-pair and runs ``pytest -m replica`` with DATABASE_URL at its primary and
DATABASE_REPLICA_URLS at its standby; elsewhere they are skipped.
"""

import os
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from disclosure.documents.models import Document
from disclosure.documents.services import publish, withdraw
from portal import replicas
from portal.actors import SYSTEM
from portal.replicas import PublicReadMiddleware, ReplicaRouter, public_replica
from tests.factories import DocumentFactory, published

ROOT = Path(__file__).resolve().parents[2]


# -- the router and the middleware, without a standby ------------------------------------------


@pytest.fixture
def caught_up(monkeypatch):
    """Replicas that have replayed the public version (what the tests below do not decide)."""
    monkeypatch.setattr(replicas, "is_caught_up", lambda alias: True)


def replica_seen_by(request, monkeypatch, aliases=("replica1", "replica2")):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: list(aliases))
    seen = []
    middleware = PublicReadMiddleware(lambda request: seen.append(public_replica.get()))
    middleware(request)
    return seen[0]


def anonymous(request):
    request.user = AnonymousUser()
    return request


def test_an_anonymous_public_get_or_head_reads_from_a_replica(monkeypatch, caught_up):
    factory = RequestFactory()
    assert replica_seen_by(anonymous(factory.get("/documents/1/")), monkeypatch) == "replica1"
    assert replica_seen_by(anonymous(factory.head("/catalog/")), monkeypatch) == "replica1"


def test_replicas_take_anonymous_requests_in_turn(monkeypatch, caught_up):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1", "replica2"])
    seen = []
    middleware = PublicReadMiddleware(lambda request: seen.append(public_replica.get()))
    for _ in range(3):
        middleware(anonymous(RequestFactory().get("/")))
    assert seen == ["replica1", "replica2", "replica1"]
    assert public_replica.get() is None


def test_staff_writes_and_the_admin_read_from_the_primary(monkeypatch, caught_up):
    factory = RequestFactory()
    staff = factory.get("/documents/1/")
    staff.user = get_user_model()(username="editor", is_staff=True)
    assert replica_seen_by(staff, monkeypatch) is None
    assert replica_seen_by(anonymous(factory.post("/documents/", {})), monkeypatch) is None
    assert replica_seen_by(anonymous(factory.get("/admin/login/")), monkeypatch) is None


def test_a_replica_behind_the_public_version_leaves_the_request_to_the_primary(monkeypatch):
    monkeypatch.setattr(replicas, "is_caught_up", lambda alias: alias != "replica1")
    request = anonymous(RequestFactory().get("/documents/1/"))
    assert replica_seen_by(request, monkeypatch) is None
    assert replica_seen_by(request, monkeypatch, aliases=["replica2"]) == "replica2"


def test_wal_positions_compare_as_numbers():
    assert replicas.lsn_number("0/3000060") == 0x3000060
    assert replicas.lsn_number("1/0") > replicas.lsn_number("0/FFFFFFFF")


def test_without_replicas_the_middleware_removes_itself(monkeypatch):
    from django.core.exceptions import MiddlewareNotUsed

    monkeypatch.setattr(replicas, "replica_aliases", lambda: [])
    with pytest.raises(MiddlewareNotUsed):
        PublicReadMiddleware(lambda request: None)


def test_the_router_reads_from_the_request_replica_and_writes_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(Document) == DEFAULT_DB_ALIAS
    token = public_replica.set("replica2")
    try:
        assert router.db_for_read(Document) == "replica2"
        # Shared state (sessions, the export lock and limits, login lockout) stays on the primary.
        from django.contrib.sessions.models import Session

        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Document) == DEFAULT_DB_ALIAS
    finally:
        public_replica.reset(token)
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "disclosure") is True
    assert router.allow_migrate("replica1", "disclosure") is False


@pytest.mark.django_db
def test_inside_a_transaction_reads_go_to_the_primary():
    # pytest-django runs this test inside a transaction.
    token = public_replica.set("replica1")
    try:
        assert connections[DEFAULT_DB_ALIAS].in_atomic_block
        assert ReplicaRouter().db_for_read(Document) == DEFAULT_DB_ALIAS
    finally:
        public_replica.reset(token)


def settings_of(**env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    full_env.update(DJANGO_DEBUG="1", **env)
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
        "[settings.DATABASES[a].get('TEST', {}).get('MIRROR') for a in sorted(settings.DATABASES)])"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**full_env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_replica_urls_add_mirrored_aliases_and_the_router():
    result = settings_of(
        DATABASE_URL="postgres://u@db:5432/portal",
        DATABASE_REPLICA_URLS="postgres://u@r1:5432/portal, postgres://u@r2:5432/portal",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default', 'replica1', 'replica2'] ['portal.replicas.ReplicaRouter'] "
        "[None, 'default', 'default']"
    )


def test_without_replica_urls_nothing_changes():
    result = settings_of(DATABASE_URL="postgres://u@db:5432/portal")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['default'] [] [None]"


def test_replica_urls_without_a_primary_url_fail_clearly():
    result = settings_of(DATABASE_REPLICA_URLS="postgres://u@r1:5432/portal")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS needs DATABASE_URL" in result.stderr


# -- against a real standby (bin/pg-replica-pair) ----------------------------------------------

REPLICA = "replica1"
standby = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


def wait_for_replay(timeout=10.0):
    """Wait until the standby has replayed everything the primary has written so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    replica = connections[REPLICA].settings_dict
    # The maintenance database: the test database itself may not have reached the standby yet.
    conn = psycopg2.connect(
        host=replica["HOST"], port=replica["PORT"], user=replica["USER"], dbname="postgres"
    )
    try:
        deadline = time.monotonic() + timeout
        with conn.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                if cursor.fetchone()[0]:
                    return
                if time.monotonic() > deadline:
                    raise AssertionError(f"the standby has not replayed {target} in {timeout} s")
                time.sleep(0.05)
    finally:
        conn.close()


@contextmanager
def queries_per_alias():
    """Count the queries run on the primary and on the replica while the block runs."""
    counts = {DEFAULT_DB_ALIAS: 0, REPLICA: 0}

    def counter(alias):
        def wrapper(execute, sql, params, many, context):
            counts[alias] += 1
            return execute(sql, params, many, context)

        return wrapper

    with ExitStack() as stack:
        for alias in counts:
            stack.enter_context(connections[alias].execute_wrapper(counter(alias)))
        yield counts


def in_recovery(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


@pytest.fixture
def pair():
    wait_for_replay()
    # The replica alias reaches a real standby of the primary, not the primary itself.
    assert in_recovery(REPLICA) is True
    assert in_recovery(DEFAULT_DB_ALIAS) is False


@pytest.mark.postgres
@pytest.mark.replica
@standby
def test_public_pages_read_from_the_standby(client, pair):
    document = published(title="关于防汛抗旱工作的通知")
    wait_for_replay()
    pages = [
        reverse("home"),
        document.get_absolute_url(),
        reverse("catalog:tree"),
        reverse("catalog:node", args=[document.node_id]),
        reverse("search") + "?q=防汛",
        reverse("disclosure:feed-rss"),
        reverse("sitemap"),
    ]
    for url in pages:
        with queries_per_alias() as counts:
            response = client.get(url)
        assert response.status_code == 200, url
        assert counts[REPLICA] > 0, url
        assert counts[DEFAULT_DB_ALIAS] == 0, url


@pytest.mark.postgres
@pytest.mark.replica
@standby
def test_staff_pages_read_from_the_primary_and_show_what_was_just_saved(client, pair):
    document = published(title="关于防汛抗旱工作的通知")
    admin = get_user_model().objects.create_superuser("chief", password="correct-horse-battery")
    client.force_login(admin)
    change_page = reverse("admin:disclosure_document_change", args=[document.pk])
    for url in [reverse("admin:disclosure_document_changelist"), document.get_absolute_url()]:
        with queries_per_alias() as counts:
            assert client.get(url).status_code == 200, url
        assert counts[REPLICA] == 0, url
        assert counts[DEFAULT_DB_ALIAS] > 0, url

    # Saved on the primary and read back at once, without waiting for the standby.
    Document.objects.filter(pk=document.pk).update(title="关于防汛抗旱工作的补充通知")
    with queries_per_alias() as counts:
        response = client.get(change_page)
    assert "关于防汛抗旱工作的补充通知" in response.content.decode()
    assert counts[REPLICA] == 0


@pytest.mark.postgres
@pytest.mark.replica
@standby
def test_a_document_published_on_the_primary_appears_once_the_standby_replays_it(client, pair):
    document = DocumentFactory(title="关于城乡规划公示的通知")
    wait_for_replay()
    assert client.get(document.get_absolute_url()).status_code == 404

    publish(document)
    wait_for_replay()
    with queries_per_alias() as counts:
        response = client.get(document.get_absolute_url())
        listing = client.get(reverse("catalog:node", args=[document.node_id]))
    assert response.status_code == 200
    assert "关于城乡规划公示的通知" in response.content.decode()
    assert "关于城乡规划公示的通知" in listing.content.decode()
    assert counts[REPLICA] > 0
    assert counts[DEFAULT_DB_ALIAS] == 0


@contextmanager
def replay_paused():
    """Pause the standby's replay for the block (as a long query or a slow disk would)."""
    replica = connections[REPLICA].settings_dict
    conn = psycopg2.connect(
        host=replica["HOST"], port=replica["PORT"], user=replica["USER"], dbname="postgres"
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        conn.close()


@pytest.mark.postgres
@pytest.mark.replica
@standby
def test_a_withdrawal_the_standby_has_not_replayed_is_never_kept_nor_served(
    client, pair, monkeypatch
):
    document = published(title="关于已撤回事项的通知")
    wait_for_replay()
    url = document.get_absolute_url()
    assert client.get(url).status_code == 200
    with replay_paused():
        withdraw(document, SYSTEM, "政策调整")
        # The standby stays behind for a minute, longer than any fixed guess of its lag.
        later = timezone.now() + timedelta(minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        with queries_per_alias() as counts:
            response = client.get(url)
        assert response.status_code == 410  # read from the primary, which has the withdrawal
        assert counts[DEFAULT_DB_ALIAS] > 0
        listing = client.get(reverse("catalog:node", args=[document.node_id]))
        assert "关于已撤回事项的通知" not in listing.content.decode()
    wait_for_replay()
    assert client.get(url).status_code == 410
    assert (
        "关于已撤回事项的通知"
        not in client.get(reverse("catalog:node", args=[document.node_id])).content.decode()
    )
