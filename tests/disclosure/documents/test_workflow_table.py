"""The workflow table in disclosure.documents.services: which role may do what in which state.

The expected sets are written out by hand: they are the rules staff work by, and a change to
the table that changes them must change this file too.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from disclosure.documents import services
from disclosure.documents.models import Document, DocumentRevision
from disclosure.proposals.roles import PROPOSALS
from portal.actors import SYSTEM
from portal.models import AuditEvent
from portal.roles import AUDITOR, EDITOR, REVIEWER
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
Status = Document.Status

# role → state → the buttons on the change form (available_transitions), in their order.
BUTTONS = {
    EDITOR: {"draft": ["submit"], "submitted": [], "published": [], "withdrawn": []},
    REVIEWER: {
        "draft": [],
        "submitted": ["publish", "return"],
        "published": ["withdraw"],
        "withdrawn": [],
    },
    AUDITOR: {"draft": [], "submitted": [], "published": [], "withdrawn": []},
    PROPOSALS: {"draft": ["submit"], "submitted": [], "published": [], "withdrawn": []},
    "superuser": {
        "draft": ["submit"],
        "submitted": ["publish", "return"],
        "published": ["withdraw"],
        "withdrawn": [],
    },
}

# role → state → whether the change form saves (may_edit); a published one as a revision.
EDITABLE = {
    EDITOR: {"draft": True, "submitted": False, "published": True, "withdrawn": False},
    REVIEWER: {"draft": True, "submitted": False, "published": True, "withdrawn": False},
    AUDITOR: {"draft": False, "submitted": False, "published": False, "withdrawn": False},
    PROPOSALS: {"draft": True, "submitted": False, "published": True, "withdrawn": False},
    "superuser": {"draft": True, "submitted": True, "published": True, "withdrawn": False},
}


@pytest.fixture
def agency(db):
    return AgencyFactory(name="区政府办公室")


def user_in(role, agency):
    if role == "superuser":
        return get_user_model().objects.create_superuser("boss", "boss@example.com", "x")
    return StaffUserFactory(role=role, agencies=[agency])


def document_in(state, agency):
    document = DocumentFactory(agency=agency)
    if state == "submitted":
        document.status = Status.SUBMITTED
        document.save()
    if state in ("published", "withdrawn"):
        document = services.publish(document)
    if state == "withdrawn":
        document = services.withdraw(document, SYSTEM, "政策调整")
    assert document.status == state
    return document


@pytest.mark.parametrize("role", list(BUTTONS))
def test_each_role_has_exactly_its_buttons_in_each_state(agency, role):
    user = user_in(role, agency)
    for state, expected in BUTTONS[role].items():
        document = document_in(state, agency)
        keys = [t.key for t in services.available_transitions(document, user)]
        assert keys == expected, (role, state)


@pytest.mark.parametrize("role", list(EDITABLE))
def test_each_role_may_edit_exactly_in_its_states(agency, role):
    user = user_in(role, agency)
    for state, expected in EDITABLE[role].items():
        assert services.may_edit(document_in(state, agency), user) is expected, (role, state)


def test_only_a_published_document_is_edited_through_a_revision(agency):
    by_revision = {
        state: services.edits_by_revision(document_in(state, agency))
        for state in ["draft", "submitted", "published", "withdrawn"]
    }
    assert by_revision == {
        "draft": False,
        "submitted": False,
        "published": True,
        "withdrawn": False,
    }


@pytest.mark.parametrize("role", [EDITOR, REVIEWER])
def test_another_agencys_document_offers_nothing(agency, role):
    user = user_in(role, AgencyFactory(name="区教委"))
    for state in ["draft", "submitted", "published"]:
        document = document_in(state, agency)
        assert services.available_transitions(document, user) == []
        assert not services.may_edit(document, user)


def test_a_revision_is_decided_by_reviewers_while_it_is_pending(agency):
    document = document_in("published", agency)
    reviewer, editor = user_in(REVIEWER, agency), user_in(EDITOR, agency)
    revision = services.propose_revision(document, reviewer, {"title": "更正后的标题"})
    assert services.may_decide(revision, reviewer) and not services.may_decide(revision, editor)
    services.reject_revision(revision, user_in("superuser", agency), "不需要更正")
    revision.refresh_from_db()
    assert revision.status == DocumentRevision.Status.REJECTED
    assert not services.may_decide(revision, reviewer)


def test_only_drafts_and_submissions_may_be_deleted(agency):
    editor = user_in(EDITOR, agency)
    delete = services.TRANSITIONS["delete"]
    allowed = {
        state: services.may_run(delete, document_in(state, agency), editor)
        for state in ["draft", "submitted", "published", "withdrawn"]
    }
    assert allowed == {"draft": True, "submitted": True, "published": False, "withdrawn": False}


def test_the_services_refuse_what_the_table_does_not_offer(agency):
    editor, reviewer = user_in(EDITOR, agency), user_in(REVIEWER, agency)
    auditor = user_in(AUDITOR, agency)
    published = document_in("published", agency)
    with pytest.raises(services.WorkflowError, match="您没有修改的权限"):
        services.propose_revision(published, auditor, {"title": "审计改的标题"})
    with pytest.raises(services.WorkflowError, match="不能删除"):
        services.delete_document(published, editor)
    with pytest.raises(services.WorkflowError, match="您没有审核发布的权限"):
        services.publish(document_in("submitted", agency), editor)
    # The system may publish a draft directly (demo data, an old site's documents); staff may not.
    with pytest.raises(services.WorkflowError, match="不能发布"):
        services.publish(document_in("draft", agency), reviewer)
    assert services.publish(document_in("draft", agency)).status == Status.PUBLISHED


def test_a_publish_runs_from_its_table_entry_to_the_audit_event(agency):
    publish = services.TRANSITIONS["publish"]
    assert publish.function is services.publish
    assert (publish.sources, publish.target) == ({Status.SUBMITTED}, Status.PUBLISHED)
    editor, reviewer = user_in(EDITOR, agency), user_in(REVIEWER, agency)
    document = services.TRANSITIONS["submit"].run(document_in("draft", agency), editor)
    document = publish.run(document, reviewer, at=None)
    assert document.status == Status.PUBLISHED
    assert AuditEvent.objects.filter(action="publish", actor=reviewer).exists()


def test_every_transition_names_a_function_of_the_services_module():
    for key, transition in services.TRANSITIONS.items():
        assert transition.key == key
        assert getattr(services, transition.function.__name__) is transition.function


def test_the_admin_names_no_workflow_state():
    """The admin asks the table; a state check copied into it again fails here."""
    source = (Path(settings.BASE_DIR) / "disclosure" / "admin.py").read_text(encoding="utf-8")
    assert not re.search(r"\bStatus\b", source)
    states = [value for value, _label in Status.choices]
    # "pending" stays allowed: it is also the value of the admin's "has pending revisions" filter.
    states += [DocumentRevision.Status.APPROVED, DocumentRevision.Status.REJECTED]
    for value in states:
        assert f'"{value}"' not in source and f"'{value}'" not in source, value
    assert "getattr(services" not in source
