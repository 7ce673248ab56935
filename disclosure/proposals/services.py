"""Writes for proposals: saving a reply (and its document), co-handling opinions, feedback, import.

Each runs in one transaction. A reply's Document is created as a draft and then goes through
the same review workflow as any document (disclosure.documents.services). Only the lead unit (主办单位)
writes the reply; co-handling units (协办单位) record their opinion for the lead unit instead.
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext as _

from catalog.models import CatalogNode
from catalog.scoping import may_act
from disclosure.documents.models import Document, Genre, Topic
from disclosure.documents.models.documents import WellKnownRowMissing
from disclosure.documents.uploads import check_attachment
from disclosure.proposals import actions as proposal_actions
from disclosure.proposals.models import CoHandlingOpinion, CongressSession, Proposal, ProposalReply
from portal import audit
from portal.actors import SYSTEM

REPLY_NODES = {CongressSession.Body.CONGRESS: "rddbjy", CongressSession.Body.CPPCC: "zxwyta"}
REPLY_NODE_NAMES = {
    CongressSession.Body.CONGRESS: "人大代表建议办理",
    CongressSession.Body.CPPCC: "政协委员提案办理",
}
# The genres of replies, by slug (``Genre.objects.well_known``): staff may rename them.
REPLY_GENRES = {
    CongressSession.Body.CONGRESS: "congress-reply",
    CongressSession.Body.CPPCC: "cppcc-reply",
}


class ReplyError(Exception):
    """A reply or an opinion cannot be saved as asked; the message says why, in Chinese."""


def not_lead_message(proposal):
    return _(
        "这件建议（提案）由%(unit)s主办，只有主办单位可以撰写答复；协办单位请在“协办意见”中提出意见。"
    ) % {"unit": proposal.lead_unit}


def check_may_write_reply(reply, user):
    """Raise ReplyError unless ``user`` works for the lead unit of the reply's proposal (and, for
    a stored reply, of the proposal it was filed under). SYSTEM may write any reply."""
    if user is SYSTEM:
        return
    proposals = [reply.proposal]
    if reply.pk:
        stored = ProposalReply.objects.filter(pk=reply.pk).select_related("proposal").first()
        if stored is not None:
            proposals.append(stored.proposal)
    for proposal in proposals:
        if not proposal.is_led_by(user):
            raise ReplyError(not_lead_message(proposal))


def not_editable_message(document):
    return _("答复的公开文件已“%(status)s”，不能在这里修改。请审核人员先退回或撤回该文件。") % {
        "status": document.get_status_display()
    }


def letter_date_text(day):
    return f"{day.year}年{day.month}月{day.day}日"


def compose_letter_html(reply):
    """The letter in its usual layout: head centred, salutation, body, closing, signature right."""
    closing = reply.sign_off + reply.feedback_instruction
    parts = []
    if reply.issuing_office:
        parts.append(
            format_html(
                '<p style="text-align:center"><strong>{}</strong></p>', reply.issuing_office
            )
        )
    if reply.doc_number:
        parts.append(format_html('<p style="text-align:center">{}</p>', reply.doc_number))
    parts += [
        format_html('<p style="text-align:center"><strong>{}</strong></p>', reply.title),
        format_html("<p>{}</p>", reply.salutation),
        reply.body,  # sanitised when the reply was saved
    ]
    if closing:
        parts.append(format_html('<p style="text-indent:2em">{}</p>', closing))
    # A letter that names no signing office or date is shown without them, never with a guess.
    if reply.signing_office:
        parts.append(format_html('<p style="text-align:right">{}</p>', reply.signing_office))
    if reply.letter_date:
        parts.append(
            format_html('<p style="text-align:right">{}</p>', letter_date_text(reply.letter_date))
        )
    if reply.contact_line:
        parts.append(format_html("<p>{}</p>", reply.contact_line))
    return "".join(str(p) for p in parts)


def reply_node(body):
    node = CatalogNode.objects.filter(slug=REPLY_NODES[body]).first()
    if node is None:
        raise ReplyError(
            _("请先在目录中建立“%(name)s”栏目（栏目标识 %(slug)s）。")
            % {"name": REPLY_NODE_NAMES[body], "slug": REPLY_NODES[body]}
        )
    return node


def document_values(reply):
    proposal = reply.proposal
    session = proposal.session
    delegates = "、".join(proposal.delegates)
    values = {
        "title": f"{reply.issuing_office}{reply.title}",
        "summary": f"对{delegates}{session.member_word}《{proposal.title}》（第{proposal.number}号）的答复。",
        "agency": proposal.lead_unit,
        "node": reply_node(session.body),
        "genre": Genre.objects.well_known(REPLY_GENRES[session.body]),
        "written_on": reply.letter_date,
        "doc_number": reply.doc_number,
        "keywords": f"{session.item_word}办理 {proposal.category}".strip(),
    }
    if reply.disclosure == ProposalReply.Disclosure.FULL:
        values["body"] = compose_letter_html(reply)
        values["disclosure_mode"] = Document.DisclosureMode.ACTIVE
    elif reply.disclosure == ProposalReply.Disclosure.SUMMARY:
        values["body"] = str(
            format_html(
                "<p>{}</p><p>{}</p><p>（本答复摘要公开。）</p>",
                reply.salutation,
                reply.summary,
            )
        )
        values["disclosure_mode"] = Document.DisclosureMode.ACTIVE
    else:
        values["body"] = str(
            format_html("<p>本答复不予公开。理由：{}</p>", reply.non_disclosure_reason)
        )
        values["disclosure_mode"] = Document.DisclosureMode.EXEMPT
    return values


@transaction.atomic
def save_reply(reply, user=SYSTEM):
    """Save a reply, write its parts into its Document (a new draft the first time), and mark
    the proposal replied. Only while that document is a draft: after that it belongs to review.
    Only staff of the proposal's lead unit (or SYSTEM) write a reply."""
    check_may_write_reply(reply, user)
    if reply.disclosure == ProposalReply.Disclosure.SUMMARY and not reply.summary.strip():
        raise ReplyError(_("摘要公开的答复请填写答复摘要。"))
    if (
        reply.disclosure == ProposalReply.Disclosure.NONE
        and not reply.non_disclosure_reason.strip()
    ):
        raise ReplyError(_("不公开的答复请填写不公开理由。"))
    if reply.document_id and reply.document.status != Document.Status.DRAFT:
        # Its document is under review, online or withdrawn: changing the reply here would
        # change that text (or its disclosure) without review.
        raise ReplyError(not_editable_message(reply.document))
    reply.save()
    try:
        values = document_values(reply)
    except WellKnownRowMissing as missing:
        raise ReplyError(str(missing)) from None
    document = reply.document
    if document is None:
        document = Document(**values)
        if not document.topic_id:
            document.topic = Topic.objects.well_known("other")
        document.save()
        reply.document = document
        reply.save(update_fields=["document"])
    else:
        changed = [name for name, value in values.items() if getattr(document, name) != value]
        for name in changed:
            setattr(document, name, values[name])
        if changed:
            document.save()
    proposal = Proposal.objects.select_for_update().get(pk=reply.proposal_id)
    if proposal.is_open:
        proposal.status = Proposal.Status.REPLIED
        proposal.save(update_fields=["status"])
    return reply


def check_may_give_opinion(opinion, user):
    """Raise ReplyError unless ``opinion.unit`` co-handles the proposal and ``user`` works for it."""
    if not opinion.proposal.co_units.filter(pk=opinion.unit_id).exists():
        raise ReplyError(_("%(unit)s不是这件建议（提案）的协办单位。") % {"unit": opinion.unit})
    check_works_for_unit(opinion, user)


def check_works_for_unit(opinion, user):
    if not may_act(user, [], opinion.unit_id):
        raise ReplyError(_("您只能填写、修改本单位的协办意见。"))


@transaction.atomic
def save_opinion(opinion, user):
    """Save a co-handling unit's opinion (its attachment checked by content) and audit it."""
    check_may_give_opinion(opinion, user)
    if opinion.pk:
        stored = CoHandlingOpinion.objects.select_for_update().get(pk=opinion.pk)
        check_works_for_unit(stored, user)
    else:
        stored = None
    upload = opinion.attachment
    new_file = bool(upload) and not upload._committed
    details = {"change": "changed" if stored else "added", "proposal": str(opinion.proposal),
               "unit": str(opinion.unit)}  # fmt: skip
    if new_file:
        try:
            checked = check_attachment(upload.file, PurePath(upload.name).name)
        except ValidationError as exc:
            raise ReplyError(exc.messages[0]) from None
        opinion.attachment_name = checked.original_name
        details["attachment"] = {"name": checked.original_name, "sha256": checked.sha256}
    elif not upload:
        opinion.attachment_name = ""
    if user is not SYSTEM and stored is None:
        opinion.author = user
    opinion.save()
    if (
        stored is not None
        and stored.attachment
        and stored.attachment.name != opinion.attachment.name
    ):
        # The replaced file goes once the change is committed (the event records its digest).
        transaction.on_commit(
            lambda name=stored.attachment.name: stored.attachment.storage.delete(name)
        )
    audit.record(proposal_actions.CO_OPINION, actor=user, obj=opinion, details=details)
    return opinion


@transaction.atomic
def delete_opinion(opinion, user):
    check_works_for_unit(opinion, user)
    audit.record(
        proposal_actions.CO_OPINION,
        actor=user,
        obj=opinion,
        details={"change": "deleted", "proposal": str(opinion.proposal), "unit": str(opinion.unit),
                 "text": opinion.text},
    )  # fmt: skip
    if opinion.attachment:
        name, storage = opinion.attachment.name, opinion.attachment.storage
        transaction.on_commit(lambda: storage.delete(name))
    opinion.delete()


@transaction.atomic
def record_feedback(proposal, feedback, comment="", on=None):
    """The delegate's feedback. 不满意 reopens the proposal for a second reply."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.replies.exists():
        raise ReplyError(_("尚未答复，不能登记反馈。"))
    proposal.feedback, proposal.feedback_comment, proposal.feedback_on = feedback, comment, on
    dissatisfied = feedback == Proposal.Feedback.DISSATISFIED
    proposal.status = Proposal.Status.REOPENED if dissatisfied else Proposal.Status.FEEDBACK
    proposal.save()
    return proposal


def next_round(proposal):
    last = proposal.replies.order_by("-round").values_list("round", flat=True).first()
    return (last or 0) + 1


def sessions_named(body_kind, level, term, session):
    """The sessions a letter's words name; an empty ``level`` (a letter that leaves out 区/县)
    matches any level."""
    sessions = CongressSession.objects.filter(body=body_kind, term=term, session=session)
    return sessions.filter(level=level) if level else sessions


def proposals_named(body_kind, level, term, session, number):
    """The proposals a letter's session and number name (none when a part is missing)."""
    if not (body_kind and term and session and number):
        return Proposal.objects.none()
    sessions = sessions_named(body_kind, level, term, session)
    return Proposal.objects.filter(session__in=sessions, number=number)


def new_proposal(values):
    """The proposal a confirmed letter names, created (in its session, created when new)."""
    sessions = sessions_named(
        values["body_kind"], values["level"], values["term"], values["session"]
    )
    session = sessions.first() if sessions.count() == 1 else None
    if session is None:
        session = CongressSession.objects.create(
            body=values["body_kind"],
            level=values["level"],
            term=values["term"],
            session=values["session"],
            year=values["assigned_on"].year,
        )
    return Proposal.objects.create(
        session=session,
        number=values["number"],
        title=values["proposal_title"],
        lead_delegate=values["delegates"][0],
        co_signers="、".join(values["delegates"][1:]),
        assigned_on=values["assigned_on"],
        lead_unit=values["lead_unit"],
        status=Proposal.Status.IN_PROGRESS,
    )


@transaction.atomic
def import_letter(values, user=SYSTEM):
    """Record a parsed, staff-confirmed letter as a reply to ``values["proposal"]`` (the one
    staff chose or the form found), or to a new proposal its session and number name. The
    letter's 办理类别, when it states one, becomes the proposal's classification."""
    proposal = values.get("proposal") or new_proposal(values)
    if values.get("category"):
        proposal.classification = values["category"]
        proposal.save(update_fields=["classification"])
    reply = ProposalReply(
        proposal=proposal,
        round=next_round(proposal),
        doc_number=values["doc_number"],
        issuing_office=values["issuing_office"],
        body=values["body"],
        signer_title=values["signer_title"],
        signer=values["signer"],
        feedback_to=values["feedback_to"],
        signing_office=values["signing_office"],
        letter_date=values["letter_date"],
        contact_person=values["contact_person"],
        contact_phone=values["contact_phone"],
        postcode=values["postcode"],
    )
    return save_reply(reply, user)
