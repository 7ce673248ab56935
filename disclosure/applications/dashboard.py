"""What waits for 依申请办理 staff: the counts of overdue, nearly due and unconfirmed
applications, each with a link to the list filtered by it (the admin index and the dashboard)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from disclosure.applications.clock import flags
from disclosure.applications.models import Application

DEADLINES = {
    "overdue": gettext_lazy("已超期"),
    "nearly_due": gettext_lazy("5个工作日内到期"),
    "unconfirmed": gettext_lazy("待确认收到超过1个工作日"),
}


def dashboard(user):
    """The counts 依申请办理 staff see on the admin index, each with a link to the list, or
    None for a user who handles no applications."""
    if not (user.is_superuser or user.has_perm("applications.view_application")):
        return None
    found = flags(Application.objects.for_staff(user))
    changelist = reverse("admin:applications_application_changelist")
    return [
        {"key": key, "label": label, "count": len(getattr(found, key)),
         "url": f"{changelist}?deadline={key}"}
        for key, label in DEADLINES.items()
    ]  # fmt: skip
