"""How long an applicant's proof of identity is kept: removed some years after the application
closed (settings.APPLICATION_PERSONAL_DATA_YEARS), the ID number and credit code masked in place.

The application, its letters and its result stay: the annual report and any review need them.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from disclosure.applications import actions as application_actions
from disclosure.applications.clock import today
from disclosure.applications.models import Application, mask_id
from disclosure.applications.uploads import KEPT_IDENTITY
from portal import audit
from portal.actors import SYSTEM


@dataclass(frozen=True)
class Purge:
    applications: int  # applications whose personal data was (or would be) removed
    files: int  # identity files among them
    before: date  # closed before this day


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def due_for_purge(years, on=None):
    before = years_before(on or today(), years)
    queryset = Application.objects.filter(
        status=Application.Status.CLOSED, closed_on__lt=before, identity_removed_on=None
    )
    return queryset, before


def purge_personal_data(years, *, on=None, dry_run=False, actor=SYSTEM):
    """Remove identity files and mask ID numbers of applications closed more than ``years``
    years ago; one audit event with the count. Applications already purged are left alone."""
    on = on or today()
    queryset, before = due_for_purge(years, on)
    if dry_run:
        return Purge(queryset.count(), queryset.exclude(identity_file="").count(), before)
    files = []
    with transaction.atomic():
        applications = list(queryset.select_for_update())
        for application in applications:
            for stored in (application.identity_file, application.supplement_file):
                if stored:
                    files.append((stored.storage, stored.name))
            application.id_number = mask_id(application.id_number)
            application.credit_code = mask_id(application.credit_code)
            application.identity_file = application.supplement_file = ""
            application.identity_file_name = application.supplement_file_name = ""
            application.identity_file_type = application.supplement_file_type = ""
            application.identity_removed_on = on
            application.save(
                update_fields=[
                    "id_number", "credit_code", "identity_file", "identity_file_name",
                    "identity_file_type", "supplement_file", "supplement_file_name",
                    "supplement_file_type", "identity_removed_on",
                ]
            )  # fmt: skip
        audit.record(
            application_actions.PERSONAL_DATA,
            actor=actor,
            actor_name="manage.py" if actor is SYSTEM else None,
            details={
                "what": "purge",
                "years": years,
                "closed_before": before,
                "applications": len(applications),
                "files": len(files),
            },
        )

        def delete_files():
            # After the commit: a rolled-back purge must not have lost the files.
            for storage, name in files:
                storage.delete(name)

        transaction.on_commit(delete_files)
    KEPT_IDENTITY.forget_old()  # proofs kept for forms never sent again
    return Purge(len(applications), len(files), before)
