"""The one guard of who acts on an agency's object (``catalog.scoping.refusal``)."""

import pytest

from catalog.scoping import (
    LACKS_PERMISSION,
    OTHER_AGENCY,
    may_act,
    membership_scope,
    refusal,
)
from disclosure.applications.roles import REQUESTS
from portal.actors import SYSTEM
from portal.roles import AUDITOR, EDITOR
from tests.factories import AgencyFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

CHANGE = ["disclosure.change_document"]
HANDLE = ["applications.view_application", "applications.change_application"]


@pytest.fixture
def district():
    office = AgencyFactory(name="区政府办公室")
    town = AgencyFactory(name="巴川街道", parent=office)
    other = AgencyFactory(name="区交通局")
    return office, town, other


def test_staff_act_on_their_agencies_and_those_beneath_them(district):
    office, town, other = district
    editor = StaffUserFactory(role=EDITOR, agencies=[office])
    assert refusal(editor, CHANGE, office.pk) is None
    assert refusal(editor, CHANGE, town.pk) is None
    assert refusal(editor, CHANGE, other.pk) == OTHER_AGENCY
    assert refusal(editor, ["disclosure.publish_document"], office.pk) == LACKS_PERMISSION
    assert may_act(editor, CHANGE, town.pk) is True
    assert may_act(editor, CHANGE, other.pk) is False


def test_personal_data_is_not_opened_by_the_auditors_view_of_every_agency(district):
    office, _town, other = district
    auditor = StaffUserFactory(role=[AUDITOR, REQUESTS], agencies=[office])
    assert refusal(auditor, ["disclosure.view_document"], other.pk) is None
    assert refusal(auditor, HANDLE, other.pk, scope=membership_scope) == OTHER_AGENCY
    assert refusal(auditor, HANDLE, office.pk, scope=membership_scope) is None


def test_the_portal_itself_may_act_and_nobody_is_not_a_user(district):
    office, _town, _other = district
    assert refusal(SYSTEM, HANDLE, office.pk, scope=membership_scope) is None
    with pytest.raises(TypeError, match="needs a user"):
        refusal(None, CHANGE, office.pk)


def test_a_scope_stands_for_a_report_over_chosen_agencies(district):
    from catalog.models import Agency
    from catalog.scoping import Scope, agency_scope

    office, town, other = district
    chosen = Scope(frozenset({town.pk}))
    assert agency_scope(chosen) is chosen
    assert list(Agency.objects.for_staff(chosen)) == [town]
