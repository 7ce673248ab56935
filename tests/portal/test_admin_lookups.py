"""Admin lists holding personal data answer only the filters they declare.

Django answers any lookup on a model's own fields from the query string, so a list that masks a
number (and audits showing it whole) would still answer ``?id_number__startswith=5002`` digit
by digit. These lists refuse every lookup they do not declare, as Django refuses its own (400).
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from catalog.models import Agency
from disclosure.applications.models import Application
from disclosure.proposals.models import CoHandlingOpinion, Proposal, ProposalReply
from portal.admin import DeclaredLookupsOnly
from portal.models import AuditEvent, LoginFailureCounter, SiteSettings
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

User = get_user_model()

# Every admin list of a model holding data about a person (applicants, staff, addresses).
PERSONAL = [
    Application, User, AuditEvent, LoginFailureCounter, AccessAttempt, AccessLog,
    AccessFailureLog, Proposal, ProposalReply, CoHandlingOpinion,
]  # fmt: skip
# Models with contact fields that are an office's public contact, not a person's.
PUBLIC_CONTACTS = {Agency, SiteSettings}
PERSONAL_FIELD_NAMES = {"phone", "contact_phone", "id_number", "username", "user_agent"}


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", PERSONAL, ids=lambda m: m.__name__)
def test_every_list_of_personal_data_answers_only_its_declared_filters(model):
    assert isinstance(admin.site.get_model_admin(model), DeclaredLookupsOnly)


def test_no_other_admin_list_holds_personal_fields():
    for model in admin.site._registry:
        personal = [
            field.name
            for field in model._meta.fields
            if isinstance(field, (models.EmailField, models.GenericIPAddressField))
            or field.name in PERSONAL_FIELD_NAMES
        ]
        if personal and model not in PUBLIC_CONTACTS:
            assert model in PERSONAL, f"{model.__name__} holds {personal}"


def test_an_id_number_cannot_be_read_digit_by_digit(admin_client):
    application = ApplicationFactory()
    url = changelist(Application)
    for digits in (application.id_number[:4], "9999"):
        response = admin_client.get(url, {"id_number__startswith": digits})
        assert response.status_code == 400
        assert application.number not in response.content.decode()
    assert application.number in admin_client.get(url).content.decode()


@pytest.mark.parametrize(
    "model, lookup",
    [
        (Application, "phone__endswith"),
        (Application, "lookup_digest__startswith"),
        (Application, "letters__body__contains"),
        (Application, "consultations__party__startswith"),
        (User, "email__startswith"),
        (User, "password__startswith"),
        (AuditEvent, "details__icontains"),
        (AuditEvent, "ip__startswith"),
        (LoginFailureCounter, "last_ip__startswith"),
        (AccessAttempt, "post_data__contains"),
        (AccessAttempt, "ip_address__startswith"),
        (AccessLog, "user_agent__startswith"),
        (AccessFailureLog, "username__startswith"),
        (Proposal, "text__contains"),
        (ProposalReply, "contact_phone__startswith"),
        (CoHandlingOpinion, "text__contains"),
    ],
    ids=lambda value: value if isinstance(value, str) else value.__name__,
)
def test_a_lookup_a_list_does_not_declare_is_refused(admin_client, model, lookup):
    response = admin_client.get(changelist(model), {lookup: "1"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "model, query",
    [
        (Application, {"status__exact": "submitted", "deadline": "overdue"}),
        (Application, {"received_on__gte": "2026-01-01", "result__exact": "granted"}),
        (Application, {"q": "2026-00001"}),
        (User, {"is_staff__exact": "1", "q": "clerk"}),
        (AuditEvent, {"action": "login_failed", "occurred_at__year": "2026"}),
        (AuditEvent, {"object_type": "applications.Application"}),
        (LoginFailureCounter, {"scope__exact": "address", "period_start__year": "2026"}),
        (AccessAttempt, {"locked_out": "yes", "path_info": "/admin/login/"}),
        (Proposal, {"status__exact": "open", "is_complex__exact": "1"}),
    ],
    ids=lambda value: value if isinstance(value, dict) else value.__name__,
)
def test_declared_filters_search_and_dates_still_answer(admin_client, model, query):
    ApplicationFactory()
    assert admin_client.get(changelist(model), query).status_code == 200


def test_a_list_refuses_for_staff_with_its_rights_too(client):
    from disclosure.applications.roles import REQUESTS
    from portal.roles import sync_roles
    from tests.disclosure.applications.staff import staff_with

    sync_roles()
    application = ApplicationFactory()
    clerk = staff_with(REQUESTS, application.agency, username="clerk-lookups")
    client.force_login(clerk)
    url = changelist(Application)
    assert application.number in client.get(url).content.decode()
    response = client.get(url, {"id_number__startswith": application.id_number[:6]})
    assert response.status_code == 400
