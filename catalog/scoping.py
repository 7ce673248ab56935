"""Which agencies a staff member works for: the one rule behind every model's ``for_staff()``.

A staff member belongs to agencies (Agency.members) and works for them and all their
sub-agencies. Superusers and holders of catalog.view_all_agencies (the 审计 role) see all.
``SYSTEM`` is the portal itself acting (management commands, reports it makes): it sees all.
A ``Scope`` may stand for the viewer of a report over chosen agencies (the self-inspection of
one agency): it sees those agencies.
A missing user (None) is an error, never taken to mean "nobody" or "the system".

Each model staff see has a queryset method built on ``agency_scope(user).q(...)``:
``Agency``, ``CatalogNode``, ``Document``, ``Proposal``, ``ProposalReply`` and
``CoHandlingOpinion`` ``.objects.for_staff(user)``.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from portal.actors import SYSTEM


@dataclass(frozen=True)
class Scope:
    """The agencies someone works for: ``agencies`` is a frozenset of ids, or None for all."""

    agencies: frozenset | None

    @property
    def is_all(self):
        return self.agencies is None

    def covers(self, agency_id):
        """Whether the agency ``agency_id`` is in the scope."""
        return self.agencies is None or agency_id in self.agencies

    def q(self, *lookups, shared=None):
        """A filter for rows one of whose ``lookups`` (paths to an agency) is in the scope;
        ``shared``: a lookup whose emptiness also lets a row in (columns that belong to no
        agency are open to all). An empty Q when the scope is all."""
        if self.agencies is None:
            return Q()
        condition = Q(pk__in=[])
        for lookup in lookups:
            condition |= Q(**{f"{lookup}__in": self.agencies})
        if shared:
            condition |= Q(**{f"{shared}__isnull": True})
        return condition


EVERY_AGENCY = Scope(None)
NO_AGENCY = Scope(frozenset())

# Why someone may not act on an agency's object (``refusal``).
LACKS_PERMISSION = "permission"
OTHER_AGENCY = "agency"


def refusal(user, permissions, agency_id, *, scope=None):
    """Why ``user`` may not do what needs ``permissions`` (all of these "app.codename") to an
    object of the agency ``agency_id``: ``LACKS_PERMISSION``, ``OTHER_AGENCY``, or None when they
    may. ``scope`` is how far their agencies reach: ``agency_scope`` (the default) or
    ``membership_scope`` (personal data, which the auditors' view of all agencies does not
    open). The portal itself (SYSTEM) may do anything. The one guard behind every service's
    check of who acts on what."""
    if user is None:
        raise TypeError("a check of who acts needs a user, or SYSTEM for the portal itself")
    if user is SYSTEM:
        return None
    if not all(user.has_perm(permission) for permission in permissions):
        return LACKS_PERMISSION
    if not (scope or agency_scope)(user).covers(agency_id):
        return OTHER_AGENCY
    return None


def may_act(user, permissions, agency_id, *, scope=None):
    """Whether ``user`` may do what needs ``permissions`` to an object of ``agency_id``."""
    return refusal(user, permissions, agency_id, scope=scope) is None


def agency_scope(user):
    """The Scope of ``user`` (a user; anonymous and inactive ones work for no agency), SYSTEM,
    or a Scope (a report's chosen agencies), which is itself."""
    if user is SYSTEM:
        return EVERY_AGENCY
    if isinstance(user, Scope):
        return user
    if user is None:
        raise TypeError("agency_scope() needs a user, or SYSTEM for the portal itself")
    if not (user.is_authenticated and user.is_active):
        return NO_AGENCY
    if user.is_superuser or user.has_perm("catalog.view_all_agencies"):
        return EVERY_AGENCY
    return membership_scope(user)


def reporting_scope(user):
    """``agency_scope(user)`` and the agencies whose 政府信息公开工作 an agency in it does
    (``Agency.disclosure_office``): the staff of 区政府办公室 compile the district government's
    annual report and guide. The scope of the annual reports and the guides."""
    scope = agency_scope(user)
    if scope.is_all or not scope.agencies:
        return scope
    from catalog.models import Agency

    served = Agency.objects.filter(disclosure_office__in=scope.agencies).values_list(
        "pk", flat=True
    )
    return Scope(scope.agencies | frozenset(served))


def membership_scope(user):
    """The agencies ``user`` is a member of and their sub-agencies, whatever their permissions
    (superusers aside, who work for all): the scope of personal data such as applications
    (依申请公开), which the auditors' view of every agency does not open."""
    if user is SYSTEM or user.is_superuser:
        return EVERY_AGENCY
    if not (user.is_authenticated and user.is_active):
        return NO_AGENCY
    cached = getattr(user, "_membership_scope_cache", None)
    if cached is not None:
        return cached
    from catalog.models import Agency

    own = set(user.agencies.values_list("pk", flat=True))
    scope = set()
    if own:
        children = defaultdict(list)
        for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
            children[parent_id].append(pk)
        stack = list(own)
        while stack:
            pk = stack.pop()
            if pk not in scope:
                scope.add(pk)
                stack.extend(children[pk])
    user._membership_scope_cache = Scope(frozenset(scope))
    return user._membership_scope_cache
