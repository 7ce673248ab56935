"""What waits for the proposal staff on the admin index (``portal.registry.todo_panel``): open
proposals past their deadline and those due within DUE_SOON_DAYS."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.proposals.models import Proposal

DUE_SOON_DAYS = 15


def todo(user):
    if not user.has_perm("disclosure.change_proposal"):
        return []
    today = timezone.localdate()
    open_ones = Proposal.objects.for_staff(user).open().prefetch_related("replies")
    overdue = soon = 0
    for proposal in open_ones:
        if proposal.overdue_on(today):
            overdue += 1
        elif (proposal.deadline - today).days <= DUE_SOON_DAYS:
            soon += 1
    url = reverse("admin:disclosure_proposal_dashboard")
    return [
        {"label": _("逾期未答复"), "count": overdue, "url": url},
        {"label": _("%(n)s天内到期") % {"n": DUE_SOON_DAYS}, "count": soon, "url": url},
    ]
