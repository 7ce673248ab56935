"""Only the lead unit (主办单位) writes a proposal's reply; co-handling units give opinions it reads."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.models import CoHandlingOpinion, Document, ProposalReply
from disclosure.proposals.services import ReplyError, save_reply
from portal.models import AuditEvent
from portal.roles import PROPOSALS, sync_roles
from tests.factories import (
    AgencyFactory,
    CongressSessionFactory,
    ProposalFactory,
    ProposalReplyFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REPLY_FORM = {
    "round": 1, "issuing_office": "区住房城乡建委", "body": "<p>现函复如下。</p>",
    "signing_office": "区住房城乡建委", "letter_date": "2022-06-06", "disclosure": "full",
}  # fmt: skip


@pytest.fixture(autouse=True)
def file_roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def world(db):
    sync_roles()
    root = CatalogNode.objects.create(name="政务公开")
    CatalogNode.objects.create(name="人大代表建议办理", slug="rddbjy", parent=root)
    lead, co, other_co = (AgencyFactory(name=n) for n in ("区住房城乡建委", "区财政局", "区交通局"))
    session = CongressSessionFactory(body="congress", level="区", term=18, session=1, year=2022)
    proposal = ProposalFactory(
        session=session, number=94, title="关于加快老旧小区改造的建议", lead_delegate="范川",
        assigned_on=date(2022, 3, 10), lead_unit=lead, co_units=[co, other_co],
    )  # fmt: skip
    return {"lead": lead, "co": co, "other_co": other_co, "proposal": proposal,
            "lead_user": staff_of(lead), "co_user": staff_of(co), "other_co_user": staff_of(other_co)}  # fmt: skip


def staff_of(agency):
    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name=PROPOSALS))
    user.agencies.add(agency)
    return user


def lead_reply(world):
    return ProposalReplyFactory(
        proposal=world["proposal"],
        user=world["lead_user"],
        **{**REPLY_FORM, "letter_date": date(2022, 6, 6)},
    )


def test_a_co_handling_unit_cannot_add_a_reply_to_a_proposal_another_unit_leads(client, world):
    proposal = world["proposal"]
    client.force_login(world["co_user"])
    response = client.post(
        reverse("admin:disclosure_proposalreply_add"), {**REPLY_FORM, "proposal": proposal.pk}
    )
    assert response.status_code == 200
    assert not ProposalReply.objects.exists() and not Document.objects.exists()
    with pytest.raises(ReplyError, match="只有主办单位可以撰写答复"):
        save_reply(ProposalReply(proposal=proposal, **REPLY_FORM), world["co_user"])
    data = {
        "step": "confirm", "body_kind": "congress", "level": "区", "term": 18, "session": 1,
        "number": 94, "delegates": "范川", "proposal_title": "x", "issuing_office": "区财政局",
        "body": "<p>x</p>", "signing_office": "区财政局", "letter_date": "2022-06-06",
        "lead_unit": world["co"].pk,
    }  # fmt: skip
    response = client.post(reverse("admin:disclosure_proposalreply_import"), data)
    assert "只有主办单位可以撰写答复" in response.content.decode()
    assert not ProposalReply.objects.exists() and not Document.objects.exists()


def test_a_co_handling_unit_cannot_rewrite_the_lead_units_reply_or_its_document(client, world):
    reply = lead_reply(world)
    document = reply.document
    assert document.agency == world["lead"]
    client.force_login(world["co_user"])
    change = reverse("admin:disclosure_proposalreply_change", args=[reply.pk])
    assert client.get(change).status_code == 200  # read-only: co-handling units may read it
    response = client.post(
        change, {**REPLY_FORM, "proposal": reply.proposal_id, "body": "<p>协办单位改写</p>"}
    )
    assert response.status_code == 403
    reply.body = "<p>协办单位改写</p>"
    with pytest.raises(ReplyError):
        save_reply(reply, world["co_user"])
    document.refresh_from_db()
    assert "协办单位改写" not in document.body
    assert "协办单位改写" not in ProposalReply.objects.get(pk=reply.pk).body
    response = client.post(
        reverse("admin:disclosure_document_change", args=[document.pk]), {"title": "改写"}
    )
    assert response.status_code == 404  # outside the co-handling unit's documents
    document.refresh_from_db()
    assert document.title != "改写"


def test_a_co_handling_unit_cannot_take_over_the_proposal(client, world):
    proposal = world["proposal"]
    client.force_login(world["co_user"])
    change = reverse("admin:disclosure_proposal_change", args=[proposal.pk])
    assert client.get(change).status_code == 200
    response = client.post(change, {"lead_unit": world["co"].pk, "title": proposal.title})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.lead_unit == world["lead"]


def test_a_co_handling_unit_gives_an_opinion_that_the_lead_unit_sees(client, world, settings):
    proposal = world["proposal"]
    reply = lead_reply(world)
    client.force_login(world["co_user"])
    response = client.post(
        reverse("admin:disclosure_cohandlingopinion_add"),
        {
            "proposal": proposal.pk, "unit": world["co"].pk, "given_on": "2022-04-01",
            "text": "建议统筹安排改造资金，财政局将予以支持。",
            "attachment": SimpleUploadedFile("资金安排.pdf", PDF, content_type="application/pdf"),
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    opinion = CoHandlingOpinion.objects.get()
    assert opinion.author == world["co_user"] and opinion.attachment_name == "资金安排.pdf"
    event = AuditEvent.objects.get(action=AuditEvent.Action.CO_OPINION)
    assert event.actor == world["co_user"] and event.object_id == str(opinion.pk)
    assert event.details["change"] == "added" and event.details["unit"] == "区财政局"
    # Stored where no URL reaches it.
    stored = settings.PRIVATE_MEDIA_ROOT / opinion.attachment.name
    assert stored.read_bytes() == PDF and not any(settings.MEDIA_ROOT.rglob("*.pdf"))
    with pytest.raises(ValueError):
        _ = opinion.attachment.url

    client.force_login(world["lead_user"])
    for page in (
        reverse("admin:disclosure_proposalreply_change", args=[reply.pk]),
        reverse("admin:disclosure_proposal_change", args=[proposal.pk]),
    ):
        html = client.get(page).content.decode()
        assert "建议统筹安排改造资金" in html and "资金安排.pdf" in html
    download = reverse("admin:disclosure_cohandlingopinion_attachment", args=[opinion.pk])
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    # The lead unit reads the opinion but does not rewrite it.
    change = reverse("admin:disclosure_cohandlingopinion_change", args=[opinion.pk])
    response = client.post(change, {"proposal": proposal.pk, "unit": world["co"].pk,
                                    "given_on": "2022-04-01", "text": "改写"})  # fmt: skip
    assert response.status_code == 403
    client.logout()
    assert client.get(download).status_code == 302
    client.force_login(world["other_co_user"])
    assert client.get(download).status_code == 404


def test_a_unit_writes_only_its_own_opinions_on_proposals_it_co_handles(client, world):
    proposal = world["proposal"]
    theirs = CoHandlingOpinion.objects.create(
        proposal=proposal, unit=world["other_co"], text="交通局意见", given_on=date(2022, 4, 2)
    )
    unrelated = ProposalFactory(
        session=proposal.session, number=95, title="别的建议", lead_delegate="张三",
        assigned_on=date(2022, 3, 10), lead_unit=world["lead"],
    )  # fmt: skip
    client.force_login(world["co_user"])
    add = reverse("admin:disclosure_cohandlingopinion_add")
    for data in (
        {"proposal": proposal.pk, "unit": world["other_co"].pk},
        {"proposal": unrelated.pk, "unit": world["co"].pk},
    ):
        response = client.post(add, {**data, "given_on": "2022-04-01", "text": "冒名意见"})
        assert response.status_code == 200
    assert not CoHandlingOpinion.objects.filter(text="冒名意见").exists()
    listing = client.get(reverse("admin:disclosure_cohandlingopinion_changelist")).content.decode()
    assert "交通局意见" not in listing
    change = reverse("admin:disclosure_cohandlingopinion_change", args=[theirs.pk])
    assert client.get(change).status_code == 302  # not found for this user
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CO_OPINION).exists()


def test_an_opinion_attachment_is_checked_by_content(client, world):
    client.force_login(world["co_user"])
    response = client.post(
        reverse("admin:disclosure_cohandlingopinion_add"),
        {
            "proposal": world["proposal"].pk, "unit": world["co"].pk, "given_on": "2022-04-01",
            "text": "意见", "attachment": SimpleUploadedFile("意见.pdf", b"<html><script>x</script>"),
        },
    )  # fmt: skip
    assert response.status_code == 200 and "内容与扩展名不符" in response.content.decode()
    assert not CoHandlingOpinion.objects.exists()
