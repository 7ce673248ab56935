"""依申请公开 is an app of its own (label ``applications``); what was stored or bookmarked while it
was part of the disclosure app still leads to it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.applications.admin import history_rows
from portal import audit
from portal.admin import ObjectTypeFilter
from portal.models import AuditEvent, model_type_name
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_an_admin_address_from_before_the_move_redirects_to_the_same_page(client):
    response = client.get("/admin/disclosure/application/7/change/?_changelist_filters=x%3D1")
    assert response.status_code == 301
    assert (
        response["Location"]
        == "/admin/applications/application/7/change/?_changelist_filters=x%3D1"
    )
    assert reverse("admin:applications_application_change", args=[7]) == (
        "/admin/applications/application/7/change/"
    )


def test_events_stored_under_the_former_label_stay_in_the_history_and_the_filter(rf):
    application = ApplicationFactory()
    # An event written before the move names the model by its former label.
    AuditEvent.objects.create(
        occurred_at=timezone.now(),
        action="application",
        object_type="disclosure.Application",
        object_id=str(application.pk),
        object_repr=application.number,
        details={"step": "confirm"},
    )
    audit.record("application", obj=application, details={"step": "answer"})

    assert [row["label"] for row in history_rows(application)] == ["确认收到", "答复"]
    assert model_type_name("disclosure.Application") == "依申请公开申请"

    choices = ObjectTypeFilter(rf.get("/"), {}, AuditEvent, None).lookup_choices
    assert [label for label, name in choices if name == "依申请公开申请"] == [
        "applications.Application"
    ]
    chosen = ObjectTypeFilter(
        rf.get("/"), {"object_type": ["applications.Application"]}, AuditEvent, None
    ).queryset(None, AuditEvent.objects.all())
    assert sorted(chosen.values_list("object_type", flat=True)) == [
        "applications.Application",
        "disclosure.Application",
    ]
