import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from catalog.models import Agency
from config.management.commands.seed_demo import SEED_AGENCY
from disclosure.applications.roles import REQUESTS
from disclosure.proposals.roles import PROPOSALS
from portal.roles import AUDITOR, CATALOGUER, EDITOR, REVIEWER, ROLES
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

# The per-test settings of tests/conftest.py are not in force while the module is seeded: the
# seed's logins get the fast hasher and its cache entries a local cache all the same.
SEED_SETTINGS = {
    "DEBUG": True,  # seed_demo runs only with DEBUG
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "seed"},
    },
}
SUPERUSER = "superuser"
WHO = [SUPERUSER, EDITOR, REVIEWER, CATALOGUER, AUDITOR, PROPOSALS, REQUESTS]

# The status each admin page gives each role, written out from portal/roles.py: a role that
# loses or gains access to a page fails this table. "change" is the model's first row, in
# the seeded demo data. Roles belong to the district government, so scope hides nothing.
# Add pages of read-only models (logs, counters, the one site settings row) are 403 for all.
EXPECTED = {
    #                                        super 编辑 审核 目录 审计 提案 依申请
    "auth_group_changelist":                 (200, 403, 403, 403, 403, 403, 403),
    "auth_group_add":                        (200, 403, 403, 403, 403, 403, 403),
    "auth_group_change":                     (200, 403, 403, 403, 403, 403, 403),
    "auth_user_changelist":                  (200, 403, 403, 403, 403, 403, 403),
    "auth_user_add":                         (200, 403, 403, 403, 403, 403, 403),
    "auth_user_change":                      (200, 403, 403, 403, 403, 403, 403),
    "axes_accessattempt_changelist":         (200, 403, 403, 403, 403, 403, 403),
    "axes_accessattempt_add":                (403, 403, 403, 403, 403, 403, 403),
    "axes_accesslog_changelist":             (200, 403, 403, 403, 403, 403, 403),
    "axes_accesslog_add":                    (403, 403, 403, 403, 403, 403, 403),
    "axes_accessfailurelog_changelist":      (200, 403, 403, 403, 403, 403, 403),
    "axes_accessfailurelog_add":             (403, 403, 403, 403, 403, 403, 403),
    "portal_sitesettings_changelist":        (200, 403, 403, 403, 200, 403, 403),
    "portal_sitesettings_add":               (403, 403, 403, 403, 403, 403, 403),
    "portal_sitesettings_change":            (200, 403, 403, 403, 200, 403, 403),
    "portal_visitday_changelist":            (200, 403, 403, 403, 200, 403, 403),
    "portal_visitday_add":                   (403, 403, 403, 403, 403, 403, 403),
    "portal_auditevent_changelist":          (200, 403, 403, 403, 200, 403, 403),
    "portal_auditevent_add":                 (403, 403, 403, 403, 403, 403, 403),
    "portal_auditevent_change":              (200, 403, 403, 403, 200, 403, 403),
    "portal_loginfailurecounter_changelist": (200, 403, 403, 403, 403, 403, 403),
    "portal_loginfailurecounter_add":        (403, 403, 403, 403, 403, 403, 403),
    "portal_holidaynotice_changelist":       (200, 403, 403, 403, 403, 403, 403),
    "portal_holidaynotice_add":              (200, 403, 403, 403, 403, 403, 403),
    "portal_calendarday_changelist":         (200, 403, 403, 403, 403, 403, 403),
    "portal_calendarday_add":                (200, 403, 403, 403, 403, 403, 403),
    "catalog_agency_changelist":             (200, 200, 200, 200, 200, 200, 200),
    "catalog_agency_add":                    (200, 403, 403, 403, 403, 403, 403),
    "catalog_agency_change":                 (200, 200, 200, 200, 200, 200, 200),
    "catalog_catalognode_changelist":        (200, 200, 200, 200, 200, 200, 200),
    "catalog_catalognode_add":               (200, 403, 403, 200, 403, 403, 403),
    "catalog_catalognode_change":            (200, 200, 200, 200, 200, 200, 200),
    "disclosure_document_changelist":        (200, 200, 200, 403, 200, 200, 200),
    "disclosure_document_add":               (200, 200, 403, 403, 403, 200, 403),
    "disclosure_document_change":            (200, 200, 200, 403, 200, 200, 200),
    "disclosure_document_export":            (200, 200, 200, 403, 200, 200, 200),
    "disclosure_document_compliance":        (200, 200, 200, 403, 200, 200, 200),
    "disclosure_document_inspection":        (200, 200, 200, 403, 200, 200, 200),
    "disclosure_topic_changelist":           (200, 200, 200, 200, 200, 200, 200),
    "disclosure_topic_add":                  (200, 403, 403, 403, 403, 403, 403),
    "disclosure_topic_change":               (200, 200, 200, 200, 200, 200, 200),
    "disclosure_genre_changelist":           (200, 200, 200, 200, 200, 200, 200),
    "disclosure_genre_add":                  (200, 403, 403, 403, 403, 403, 403),
    "disclosure_genre_change":               (200, 200, 200, 200, 200, 200, 200),
    "disclosure_wordrule_changelist":        (200, 200, 200, 403, 403, 403, 403),
    "disclosure_wordrule_add":               (200, 403, 200, 403, 403, 403, 403),
    "disclosure_wordrule_change":            (200, 200, 200, 403, 403, 403, 403),
    "disclosure_indexcounter_changelist":    (200, 403, 403, 403, 200, 403, 403),
    "disclosure_indexcounter_add":           (403, 403, 403, 403, 403, 403, 403),
    "disclosure_indexcounter_change":        (200, 403, 403, 403, 200, 403, 403),
    "disclosure_linkcheck_changelist":       (200, 200, 200, 403, 200, 403, 403),
    "disclosure_linkcheck_add":              (403, 403, 403, 403, 403, 403, 403),
    "disclosure_congresssession_changelist": (200, 403, 403, 403, 200, 200, 403),
    "disclosure_congresssession_add":        (200, 403, 403, 403, 403, 403, 403),
    "disclosure_congresssession_change":     (200, 403, 403, 403, 200, 200, 403),
    "disclosure_replyclassification_changelist": (200, 403, 403, 403, 403, 200, 403),
    "disclosure_replyclassification_add":    (200, 403, 403, 403, 403, 403, 403),
    "disclosure_replyclassification_change": (200, 403, 403, 403, 403, 200, 403),
    "disclosure_proposal_changelist":        (200, 403, 403, 403, 200, 200, 403),
    "disclosure_proposal_add":               (200, 403, 403, 403, 403, 200, 403),
    "disclosure_proposal_change":            (200, 403, 403, 403, 200, 200, 403),
    "disclosure_proposal_dashboard":         (200, 403, 403, 403, 200, 200, 403),
    "disclosure_proposalreply_changelist":   (200, 403, 403, 403, 200, 200, 403),
    "disclosure_proposalreply_add":          (200, 403, 403, 403, 403, 200, 403),
    "disclosure_proposalreply_change":       (200, 403, 403, 403, 200, 200, 403),
    "disclosure_proposalreply_import":       (200, 403, 403, 403, 403, 200, 403),
    "disclosure_cohandlingopinion_changelist": (200, 403, 403, 403, 200, 200, 403),
    "disclosure_cohandlingopinion_add":      (200, 403, 403, 403, 403, 200, 403),
    "disclosure_annualreport_changelist":    (200, 200, 200, 403, 200, 403, 403),
    "disclosure_annualreport_add":           (200, 200, 200, 403, 403, 403, 403),
    "disclosure_annualreport_change":        (200, 200, 200, 403, 200, 403, 403),
    "disclosure_annualreport_district":      (200, 200, 200, 403, 200, 403, 403),
    "disclosure_annualreport_printed":       (200, 200, 200, 403, 403, 403, 403),
    "disclosure_websiteannualreport_changelist": (200, 200, 200, 403, 200, 403, 403),
    "disclosure_websiteannualreport_add":        (200, 200, 200, 403, 403, 403, 403),
    "disclosure_websiteannualreport_change":     (200, 200, 200, 403, 200, 403, 403),
    "disclosure_disclosureguide_changelist": (200, 200, 200, 403, 200, 403, 403),
    "disclosure_disclosureguide_add":        (200, 200, 200, 403, 403, 403, 403),
    "disclosure_disclosureguide_change":     (200, 200, 200, 403, 200, 403, 403),
    "applications_application_changelist":     (200, 403, 403, 403, 403, 403, 200),
    "applications_application_add":            (200, 403, 403, 403, 403, 403, 200),
    "applications_application_change":         (200, 404, 404, 404, 404, 404, 200),
    "applications_application_dashboard":      (200, 403, 403, 403, 403, 403, 200),
    "index":                                 (200, 200, 200, 200, 200, 200, 200),
}  # fmt: skip


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """The demo site, seeded once for the module inside a transaction that is rolled back at
    its end. The tests only read it; each test's own rows (its user, the login log) roll back
    to it, and the modules after this one find the database as it was."""
    quiet = io.StringIO()
    with django_db_blocker.unblock(), override_settings(**SEED_SETTINGS):
        with transaction.atomic():
            call_command("seed_demo", stdout=quiet)
            call_command("generate_demo", documents=30, stdout=quiet)
            yield
            transaction.set_rollback(True)


@pytest.fixture
def demo(seeded_demo, settings):
    settings.DEBUG = True


def login_as(client, who):
    users = get_user_model().objects
    if who == SUPERUSER:
        user = users.get(username="demo")
        assert user.is_superuser
    else:
        user = StaffUserFactory(role=who, agencies=[Agency.objects.get(credit_code=SEED_AGENCY[2])])
    client.force_login(user)


def admin_pages():
    """{page name: URL} for every registered model's list, add and first-row change page,
    and the custom pages in EXPECTED."""
    pages = {}
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        pages[f"{prefix}_changelist"] = reverse(f"admin:{prefix}_changelist")
        pages[f"{prefix}_add"] = reverse(f"admin:{prefix}_add")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages[f"{prefix}_change"] = reverse(f"admin:{prefix}_change", args=[first.pk])
    for name in EXPECTED:
        if name not in pages and not name.endswith(("_changelist", "_add", "_change")):
            pages[name] = reverse(f"admin:{name}")
    return pages


def test_every_role_and_every_page_is_in_the_table(demo):
    assert set(ROLES) == set(WHO) - {SUPERUSER}
    assert set(admin_pages()) == set(EXPECTED)


@pytest.mark.parametrize(
    "who",
    WHO,
    ids=["superuser", "editor", "reviewer", "cataloguer", "auditor", "proposals", "requests"],
)
def test_each_role_opens_exactly_the_admin_pages_it_may(client, demo, who):
    pages = admin_pages()  # before logging in, which itself adds a row to axes' access log
    login_as(client, who)
    column = WHO.index(who)
    wrong = {}
    for name, url in pages.items():
        status = client.get(url).status_code
        if status != EXPECTED[name][column]:
            wrong[name] = (status, EXPECTED[name][column])
    assert wrong == {}, f"{who}: page -> (got, expected)"


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:disclosure_document_export",
        "admin:disclosure_document_compliance",
        "admin:disclosure_document_inspection",
        "admin:disclosure_proposal_dashboard",
        "admin:disclosure_proposalreply_import",
        "admin:applications_application_dashboard",
    ],  # fmt: skip
)
def test_custom_admin_pages_open(client, demo, name):
    login_as(client, SUPERUSER)
    assert client.get(reverse(name)).status_code == 200
