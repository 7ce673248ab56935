"""Audit of who belongs to which agency: membership decides what a staff member may see."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from catalog.models import Agency
from portal import audit
from portal.models import AuditEvent

User = get_user_model()


@receiver(m2m_changed, sender=Agency.members.through)
def record_membership_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    # Seen from the agency (agency.members.add) or from the user (user.agencies.add).
    if reverse:
        users, agencies = [instance], list(Agency.objects.filter(pk__in=pk_set or []))
    else:
        users, agencies = list(User.objects.filter(pk__in=pk_set or [])), [instance]
    for user in users:
        audit.record(
            AuditEvent.Action.ROLE_CHANGE,
            obj=user,
            details={"change": action[5:], "agencies": sorted(a.name for a in agencies)},
        )
