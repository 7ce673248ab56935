"""In the admin a reply is written only by the lead unit, and only while its document is a draft."""

import pytest
from django.urls import reverse

from disclosure.documents.models import Document
from disclosure.documents.services import publish
from disclosure.proposals.models import ProposalReply
from tests.factories import AgencyFactory, ProposalFactory, ProposalReplyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, session, reply_nodes):
    from disclosure.proposals.roles import PROPOSALS
    from tests.factories import StaffUserFactory

    unit = AgencyFactory(name="区政府办公室")
    client.force_login(StaffUserFactory(role=PROPOSALS, agencies=[unit]))
    return unit


REPLY_FORM = {
    "round": 1, "issuing_office": "办公室", "body": "<p>答复</p>", "signing_office": "办公室",
    "letter_date": "2022-06-06", "disclosure": "full",
}  # fmt: skip


def test_a_reply_whose_document_left_draft_cannot_be_changed_here(client, session, clerk):
    proposal = ProposalFactory(session=session, lead_unit=clerk)
    reply = ProposalReplyFactory(
        proposal=proposal, disclosure="none", non_disclosure_reason="涉及第三方"
    )
    publish(reply.document)
    response = client.post(
        reverse("admin:disclosure_proposalreply_change", args=[reply.pk]),
        {**REPLY_FORM, "proposal": proposal.pk, "body": "<p>未经审核的全文</p>"},
    )
    assert response.status_code == 200 and "不能在这里修改" in response.content.decode()
    reply.document.refresh_from_db()
    assert reply.document.disclosure_mode == Document.DisclosureMode.EXEMPT
    assert not Document.objects.public().filter(pk=reply.document.pk).exists()


def test_a_reply_cannot_be_filed_for_another_units_proposal(client, session, clerk):
    other = ProposalFactory(session=session, number=2)
    response = client.post(
        reverse("admin:disclosure_proposalreply_add"), {**REPLY_FORM, "proposal": other.pk}
    )
    assert response.status_code == 200 and not ProposalReply.objects.exists()
    data = {
        "step": "confirm", "body_kind": "congress", "level": "区", "term": 18, "session": 1, "number": 2,
        "delegates": "范川", "proposal_title": "x", "issuing_office": "办公室", "body": "<p>x</p>",
        "signing_office": "办公室", "letter_date": "2022-06-06", "lead_unit": clerk.pk,
    }  # fmt: skip
    response = client.post(reverse("admin:disclosure_proposalreply_import"), data)
    assert "由其他单位办理" in response.content.decode() and not ProposalReply.objects.exists()
