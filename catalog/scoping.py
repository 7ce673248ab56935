"""Which agencies (and so which documents and nodes) a staff member may work with.

A staff member belongs to agencies (Agency.members) and works for them and all their
sub-agencies. Superusers and holders of catalog.view_all_agencies (the 审计 role) see all.
"""

from collections import defaultdict

from django.db.models import Q

from .models import Agency


class _Sentinel:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


ALL = _Sentinel("ALL")  # the scope of someone who sees every agency
# The portal itself acting, not a person: management commands, reports the system makes. Its
# scope is every agency. A missing user (None) is an error, never taken to mean the system.
SYSTEM = _Sentinel("SYSTEM")


def agency_scope(user):
    """ALL, or the set of agency ids ``user`` works for, sub-agencies included.

    ``user`` is a user (an anonymous or inactive one works for no agency) or SYSTEM."""
    if user is SYSTEM:
        return ALL
    if user is None:
        raise TypeError("agency_scope() needs a user, or SYSTEM for the portal itself")
    if not (user.is_authenticated and user.is_active):
        return set()
    if user.is_superuser or user.has_perm("catalog.view_all_agencies"):
        return ALL
    cached = getattr(user, "_agency_scope_cache", None)
    if cached is not None:
        return cached
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
    user._agency_scope_cache = scope
    return scope


def scoped_agencies(queryset, user):
    scope = agency_scope(user)
    return queryset if scope is ALL else queryset.filter(pk__in=scope)


def scoped_documents(queryset, user):
    scope = agency_scope(user)
    return queryset if scope is ALL else queryset.filter(agency_id__in=scope)


def open_nodes(queryset, user):
    """Nodes a staff member may file documents under: shared nodes and their agencies' nodes."""
    scope = agency_scope(user)
    if scope is ALL:
        return queryset
    return queryset.filter(Q(agency__isnull=True) | Q(agency_id__in=scope))


def may_access_document(user, document):
    scope = agency_scope(user)
    return scope is ALL or document.agency_id in scope


def scoped_proposals(queryset, user):
    """Proposals whose lead or co-handling unit the user works for."""
    scope = agency_scope(user)
    if scope is ALL:
        return queryset
    return queryset.filter(Q(lead_unit__in=scope) | Q(co_units__in=scope)).distinct()


def led_proposals(queryset, user):
    """Proposals whose lead unit (主办单位) the user works for: the ones whose reply they write."""
    scope = agency_scope(user)
    return queryset if scope is ALL else queryset.filter(lead_unit__in=scope)


def co_handled_proposals(queryset, user):
    """Proposals on which a unit the user works for is a co-handling unit (协办单位)."""
    scope = agency_scope(user)
    return (
        queryset.filter(co_units__isnull=False).distinct()
        if scope is ALL
        else queryset.filter(co_units__in=scope).distinct()
    )


def may_lead(user, proposal):
    """Whether ``user`` works for ``proposal``'s lead unit and so may write its reply."""
    scope = agency_scope(user)
    return scope is ALL or proposal.lead_unit_id in scope


def visible_opinions(queryset, user):
    """Co-handling opinions (协办意见) of the user's units, and those given to proposals they lead."""
    scope = agency_scope(user)
    if scope is ALL:
        return queryset
    return queryset.filter(Q(unit__in=scope) | Q(proposal__lead_unit__in=scope))
