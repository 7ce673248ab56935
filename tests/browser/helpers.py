"""What the browser tests share: the browser itself, and a demo site to point it at."""

import io
import os
import shutil
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def skip_without_chromium():
    """Skips the calling test module where chromium is missing (CI installs it, and fails)."""
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip(
            "chromium is not installed (apt-get install chromium); CI installs it",
            allow_module_level=True,
        )


@contextmanager
def chromium():
    """Start the browser once the test's data is written.

    Playwright's sync API runs in a greenlet of this thread: database work from inside it would
    open a connection of its own that outlives the test. So the test writes first, and only the
    live server's thread touches the database while the browser runs.
    """
    from playwright.sync_api import sync_playwright

    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def restore_migration_data():
    """The rows the migrations write (topics, genres and their flags, reply classifications,
    roles), which a transactional test's flush removes. Each step is idempotent."""
    from importlib import import_module

    from django.apps import apps

    from portal.roles import sync_roles

    for module, function in [
        ("disclosure.migrations.0002_topics_and_genres", "load"),
        ("disclosure.migrations.0006_reply_classifications", "load"),
        ("disclosure.migrations.0013_genre_rule_flags", "set_flags"),
        ("disclosure.migrations.0026_well_known_slugs", "name_well_known_rows"),
    ]:
        getattr(import_module(module), function)(apps, None)
    sync_roles()


def demo_site(documents=40):
    """The demo site (seed_demo: the seed reply, its catalogue, proposals) with ``documents``
    generated documents and one withdrawn one. Returns the public URLs of each page kind."""
    from django.db.models import Count

    from catalog.models import CatalogNode
    from disclosure.documents.models import Document
    from disclosure.documents.services import withdraw
    from disclosure.proposals.models import CongressSession
    from disclosure.reports.models import DisclosureGuide
    from portal.actors import SYSTEM

    restore_migration_data()
    # seed_demo refuses to run outside DEBUG (it makes logins with a known password).
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    call_command("generate_demo", documents=documents, seed=1, stdout=io.StringIO())
    public = Document.objects.public()
    seed = public.get(title__contains="第94号建议的复函")
    withdrawn = withdraw(public.exclude(pk=seed.pk).newest_first().last(), SYSTEM, "政策调整")
    column = CatalogNode.objects.get(pk=seed.node_id)
    session = CongressSession.objects.order_by("pk").first()
    # The column holding the most generated documents, and a document in its middle.
    busy = (
        public.filter(is_demo=True).values("node").annotate(n=Count("pk")).order_by("-n", "node")
    )[0]["node"]
    busy_documents = list(public.filter(node_id=busy).newest_first())
    guide = DisclosureGuide.objects.order_by("pk").first()
    return {
        "home": "/",
        "tree": "/catalog/",
        "column": column.get_absolute_url(),
        "document": seed.get_absolute_url(),
        "withdrawn": withdrawn.get_absolute_url(),
        "search": "/search/?q=铜梁",
        "search_empty": "/search/?q=没有这样的词语",
        "search_form": "/search/",
        "proposals": "/documents/proposals/",
        "statistics": f"/documents/proposals/sessions/{session.pk}/statistics/",
        "seed_title": seed.title,
        "busy_column": CatalogNode.objects.get(pk=busy).get_absolute_url(),
        "busy_document": busy_documents[len(busy_documents) // 2].get_absolute_url(),
        "guide": guide.get_absolute_url(),
    }
