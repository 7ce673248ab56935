import pytest
from django.core.cache import caches
from django.db import connection, connections


def pytest_collection_modifyitems(config, items):
    # PostgreSQL-only tests run in CI's PostgreSQL pass; on SQLite they are skipped. Standby tests
    # run where a replica is configured (CI's replica pass, which fails if the pair cannot start).
    on_postgres = connection.vendor == "postgresql"
    has_replica = "replica1" in connections
    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_replica = pytest.mark.skip(
        reason="needs a standby: bin/pg-replica-pair start, then DATABASE_REPLICA_URLS"
    )
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_postgres)
        elif "replica" in item.keywords and not has_replica:
            item.add_marker(skip_replica)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Each test process (pytest-xdist) has its own test database (the suffix pytest-django adds).
    # Request threads of the live server must not keep connections open past the test.
    from django.conf import settings

    for alias in settings.DATABASES:
        settings.DATABASES[alias]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Staff users are made in many tests; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _export_files_in_tmp(settings, tmp_path):
    # The public listing's files: one folder per test, never the project's var/.
    settings.EXPORT_ROOT = tmp_path / "exports"
    # Private files (identity proofs, information given to applicants): the test's own folder.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    # Tests use the local memory cache for both aliases (the "shared" one is the database's in
    # production without REDIS_URL).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "shared",
        },
    }
    for alias in ("default", "shared"):
        caches[alias].clear()
    yield
    for alias in ("default", "shared"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _public_version_copy(monkeypatch):
    # Each test starts without a copy of the public version (its rows are rolled back). Tests run
    # in one process, whose copy every bump updates: it is kept for the whole test, so that a
    # query budget never depends on how long a test takes (test_page_cache tests the expiry).
    from portal import page_cache

    page_cache.forget_local_copy()
    monkeypatch.setattr(page_cache, "LOCAL_COPY_SECONDS", 24 * 60 * 60)
    yield
    page_cache.forget_local_copy()


@pytest.fixture(autouse=True)
def _visit_counts(monkeypatch):
    # Each test starts with no visit counted; a process's periodic flush (a write every
    # FLUSH_SECONDS) never falls inside a test's query budget: tests flush when they mean to.
    from portal import visits

    monkeypatch.setattr(visits, "FLUSH_SECONDS", 24 * 60 * 60)
    monkeypatch.setattr(visits, "REDIS_PUSH_SECONDS", 24 * 60 * 60)
    visits.reset_local_counts()
    yield
    visits.reset_local_counts()


@pytest.fixture
def flood_caches():
    """What a flood of made-up page URLs does to the caches: thousands of entries, culled as
    they fill (a limit kept in a cache would be evicted with them)."""

    def flood(count=5000):
        body = "<html>" + "页" * 2000 + "</html>"
        for alias in ("default", "shared"):
            for n in range(count):
                caches[alias].set(f"page:/sitemap-documents.xml?fs={n}", body, 600)

    return flood


@pytest.fixture(autouse=True)
def _migration_rows_after_a_flush(request):
    """A transactional test starts from a flushed database, without the rows the migrations
    write (topics, genres and their slugs, reply classifications, roles): they are put back."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from tests.browser.helpers import restore_migration_data

    restore_migration_data()
