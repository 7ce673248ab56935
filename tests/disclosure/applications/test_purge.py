"""purge_application_personal_data: identity files and full ID numbers go some years after closing."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from disclosure.applications import actions as application_actions
from disclosure.applications.models import Application
from portal.models import AuditEvent
from tests.disclosure.applications.staff import png_bytes
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def closed(on, **kwargs):
    application = ApplicationFactory(
        status=Application.Status.CLOSED, result=Application.Result.DISCLOSED, closed_on=on,
        **kwargs,
    )  # fmt: skip
    application.identity_file.save("id.png", ContentFile(png_bytes()), save=False)
    application.identity_file_name = "身份证.png"
    application.save()
    return application


@pytest.fixture
def applications(file_roots, settings):
    settings.APPLICATION_PERSONAL_DATA_YEARS = 3
    return {
        "old": closed(date(2020, 5, 1)),
        "business": closed(
            date(2021, 1, 4),
            applicant_type=Application.ApplicantType.BUSINESS,
            id_type="",
            id_number="",
            credit_code="91500224MA5U000001",
        ),  # fmt: skip
        "recent": closed(date(2025, 6, 1)),
        "open": ApplicationFactory(),
    }


def run(*args):
    import io

    out = io.StringIO()
    call_command("purge_application_personal_data", *args, stdout=out)
    return out.getvalue()


def test_dry_run_counts_and_changes_nothing(applications):
    output = run("--dry-run")
    assert "2 件" in output and "2 个" in output
    old = Application.objects.get(pk=applications["old"].pk)
    assert old.identity_file and old.identity_removed_on is None
    assert not AuditEvent.objects.filter(action=application_actions.PERSONAL_DATA).exists()


def test_old_applications_lose_files_and_full_numbers_once(
    applications, django_capture_on_commit_callbacks
):
    old = applications["old"]
    path = old.identity_file.path
    full = old.id_number
    with django_capture_on_commit_callbacks(execute=True):
        output = run()
    assert "已清除" in output and "2 件" in output
    old.refresh_from_db()
    assert old.identity_file.name == "" and old.identity_file_name == ""
    assert old.id_number == full[:4] + "*" * 10 + full[-4:]
    assert old.identity_removed_on is not None
    import os

    assert not os.path.exists(path)
    business = Application.objects.get(pk=applications["business"].pk)
    assert business.credit_code == "9150**********0001"
    recent = Application.objects.get(pk=applications["recent"].pk)
    assert (
        recent.identity_file and recent.identity_removed_on is None and "*" not in recent.id_number
    )
    assert Application.objects.get(pk=applications["open"].pk).identity_removed_on is None
    event = AuditEvent.objects.get(action=application_actions.PERSONAL_DATA)
    assert event.details["applications"] == 2 and event.details["files"] == 2

    # Idempotent: a second run finds nothing left and changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 件" in run()
    old.refresh_from_db()
    assert old.id_number == full[:4] + "*" * 10 + full[-4:]


def test_years_can_be_given(applications):
    run("--years", "1")
    assert Application.objects.filter(identity_removed_on__isnull=False).count() == 3
