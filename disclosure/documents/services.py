"""Writes that touch several models: the publishing workflow, index numbers, attachments.

Every transition is here, used by admin actions, admin buttons and management commands alike.
Each runs in one transaction, checks the state, the user's permission and agency against its
entry in ``TRANSITIONS`` (the workflow table at the end of this module), records an audit event,
and raises WorkflowError (with a Chinese message) having changed nothing.

草稿 → 待审核 (submit) → 已发布 (publish) or → 草稿 with a comment (return_to_draft);
已发布 → 已撤回 (withdraw). An edit of a published document is a pending revision
(propose_revision) until another reviewer approves (approve_revision) or rejects it; its
attachment changes wait with it. ``user=SYSTEM`` is the portal itself (management commands); a missing user is an error.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.credit_code import is_valid_credit_code
from catalog.models import Agency
from catalog.scoping import LACKS_PERMISSION, OTHER_AGENCY, may_act, refusal
from disclosure.documents import actions as document_actions
from disclosure.documents import links, wording
from disclosure.documents.index_numbers import IndexNumber, format_index_number, read_index_number
from disclosure.documents.models import (
    CLOCK_SKEW,
    Attachment,
    Document,
    DocumentRevision,
    IndexCounter,
    content_values,
    document_content,
)
from disclosure.documents.models.counts import counted_node, move_count
from disclosure.documents.uploads import check_attachment
from portal import audit
from portal.actors import SYSTEM
from portal.models import AuditEvent
from portal.workflow import Step

Status = Document.Status


class WorkflowError(Exception):
    """A transition is not allowed; the message says why, in Chinese."""


def _locked_counter(code, year):
    # When two publishers create the row at once, get_or_create catches the loser's
    # IntegrityError and reads the winner's row again, with select_for_update waiting for it.
    return IndexCounter.objects.select_for_update().get_or_create(credit_code=code, year=year)[0]


@transaction.atomic
def assign_index_number(document):
    """Give ``document`` the next free number of its agency and publication year (unsaved), in
    the agency's scheme (``Agency.index_scheme``).

    Serials held by legacy numbers (set_legacy_index_number) are skipped, not counted, and so
    is a serial whose number another document already shows as text (a kept number written
    the same way before the agency chose this scheme).
    """
    agency = document.agency
    code, scheme = agency.numbering_code, agency.index_scheme
    if not code:
        raise WorkflowError(
            _("发布机构“%(agency)s”的索引号按组织机构代码编制，但尚未填写组织机构代码。")
            % {"agency": agency.name}
        )
    year = timezone.localtime(document.published_at).year
    counter = _locked_counter(code, year)
    held = set(
        Document.objects.filter(
            index_code=code, index_year=year, index_serial__gt=counter.last_serial
        ).values_list("index_serial", flat=True)
    )
    prefix = format_index_number(code, year, 1, scheme)[: -len("00001")]
    shown = set(
        Document.objects.filter(index_number_text__startswith=prefix).values_list(
            "index_number_text", flat=True
        )
    )
    serial = counter.last_serial + 1
    while serial in held or format_index_number(code, year, serial, scheme) in shown:
        serial += 1
    counter.last_serial = serial
    counter.save(update_fields=["last_serial"])
    document.index_code, document.index_year, document.index_serial = code, year, serial
    document.index_number_text = format_index_number(code, year, serial, scheme)


class IndexNumberTaken(ValidationError):
    """The index number is held by another document."""

    def __init__(self, text):
        super().__init__(
            _("索引号 %(value)s 已被其他文件使用。"), code="taken", params={"value": text}
        )


def _other_agency(code, agency, kind):
    return ValidationError(
        _(
            "原索引号中的机构代码 %(code)s 不是发布机构“%(agency)s”的%(kind)s"
            "（%(own)s），只能填写本机构的原索引号。"
        ),
        code="other_agency",
        params={
            "code": code,
            "agency": agency.name,
            "kind": kind,
            "own": (agency.credit_code if len(code) == 18 else agency.org_code) or _("未填写"),
        },
    )


def _own_parts(number, agency):
    """The (code, year, serial) ``number`` holds in ``agency``'s own numbering, or None.

    A 统一社会信用代码 names one office and has a check character: one that fails it, or is
    another office's, is refused. A nine-character head is the agency's 组织机构代码 only when
    it equals the one on record; another office's on record is refused; else it is kept as text.
    """
    if number.parts is None:
        return None
    code = number.code
    if len(code) == 18:
        if not is_valid_credit_code(code):
            raise ValidationError(
                _("索引号中的统一社会信用代码 %(code)s 校验不通过。"),
                code="credit_code",
                params={"code": code},
            )
        if code != agency.credit_code:
            raise _other_agency(code, agency, _("统一社会信用代码"))
        return number.parts
    if agency.org_code and code == agency.org_code:
        return number.parts
    if Agency.objects.filter(org_code=code).exclude(pk=agency.pk).exists():
        raise _other_agency(code, agency, _("组织机构代码"))
    return None


def _refuse_if_taken(document, number, parts):
    others = Document.objects.all()
    if document is not None and document.pk:
        others = others.exclude(pk=document.pk)
    # The excluded empty text names the unique index's condition: SQLite then reads the index
    # instead of scanning every document (PostgreSQL proves it by itself).
    if others.filter(index_number_text=number.text).exclude(index_number_text="").exists():
        raise IndexNumberTaken(number.text)
    if parts is not None:
        code, year, serial = parts
        if others.filter(index_code=code, index_year=year, index_serial=serial).exists():
            raise IndexNumberTaken(number.text)


def check_legacy_index_number(text, agency, document=None):
    """The IndexNumber ``document`` of ``agency`` keeps if ``text`` is the number its old site
    showed: the text verbatim (``read_index_number``), with the parts only when the number is
    in the agency's own numbering (its code, a year and a serial, as the portal writes them).

    Raises ValidationError (Chinese) when it is malformed, carries another agency's code, or is
    held by another document. Checked again, under lock, by set_legacy_index_number.
    """
    number = read_index_number(text)
    parts = _own_parts(number, agency)
    _refuse_if_taken(document, number, parts)
    return number if parts else IndexNumber(number.text)


@transaction.atomic
def set_legacy_index_number(document, text):
    """Save ``document`` with the index number it had on the old site, kept as that site
    showed it (check_legacy_index_number says which numbers are accepted).

    The number must be free; otherwise ValidationError (Chinese) with nothing saved. The
    counter does not move: assign_index_number skips the serial instead, so a high legacy
    serial never makes the agency's numbering jump.
    """
    number = read_index_number(text)
    parts = _own_parts(number, document.agency)
    if parts is not None:
        # Publishers and other legacy saves of this code and year wait here until this one
        # commits, so the check below still holds when the row is written.
        _locked_counter(parts[0], parts[1])
    _refuse_if_taken(document, number, parts)
    fields = ("index_number_text", "index_code", "index_year", "index_serial")
    before = tuple(getattr(document, name) for name in fields)
    after = (number.text, *(parts or ("", None, None)))
    for name, value in zip(fields, after, strict=True):
        setattr(document, name, value)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Written by a save that did not wait for the counter row (or by another kept number).
        for name, value in zip(fields, before, strict=True):
            setattr(document, name, value)
        taken = Q(index_number_text=number.text)
        if parts is not None:
            taken |= Q(index_code=parts[0], index_year=parts[1], index_serial=parts[2])
        if Document.objects.filter(taken).exists():
            raise IndexNumberTaken(number.text) from None
        raise


# --- the publication date ------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationDates:
    """What a document's dates become: the 发布日期 shown (``published_at``) and the moment the
    server records (``recorded_at``); ``backdated`` when the first lies before the second."""

    published_at: object
    recorded_at: object
    backdated: bool = False


def server_now():
    """The server's clock to the second: the time a form shows and sends back unchanged."""
    return timezone.now().replace(microsecond=0)


def _moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def past_date_error(value):
    return ValidationError(
        _(
            "发布日期 %(value)s 早于当前时间，不能使用。发布日期由系统在发布时记录："
            "立即发布请留空，定时发布请填写将来的时间；从旧网站迁移、保留原发布日期的文件，"
            "须填写原索引号和补录原因。"
        ),
        code="past",
        params={"value": _moment(value)},
    )


def publication_dates(document, wanted, *, now=None, migrated_number=None, reason=None):
    """The PublicationDates of ``document`` published, or changed, to show ``wanted`` (None:
    now). ValidationError (Chinese) when the date may not be used.

    The rule: the server records the moment the document goes public, whatever a form says. A
    time later than now schedules the publication and is that moment; a time within CLOCK_SKEW
    before now (a reviewer who pressed 现在) is now; an earlier one is refused, except for a
    document from an old site (its old index number) with a reason (``may_backdate``), which
    keeps the old site's date while the server records now. Once a document is public (or
    withdrawn) its moment is fixed: its 发布日期 may only be that moment, or, migrated with a
    reason, a past date. ``migrated_number`` and ``reason`` stand for the document's own when
    a form is about to change them.
    """
    now = now or server_now()
    migrated = document.migrated_index_number if migrated_number is None else migrated_number
    reason = document.backdate_reason if reason is None else reason
    may_backdate = bool(migrated and (reason or "").strip())
    recorded = document.published_recorded_at
    if recorded is not None and (recorded <= now or document.status == Status.WITHDRAWN):
        if wanted == recorded or (may_backdate and wanted is not None and wanted <= recorded):
            return PublicationDates(wanted, recorded, wanted < recorded - CLOCK_SKEW)
        raise ValidationError(
            _("本文件已于 %(recorded)s 公开（系统记录的发布时间），发布日期只能是这一时间。"),
            code="public",
            params={"recorded": _moment(recorded)},
        )
    if wanted is not None and wanted > now:
        return PublicationDates(wanted, wanted)
    if wanted is None or wanted >= now - CLOCK_SKEW:
        return PublicationDates(now, now)
    if may_backdate:
        return PublicationDates(wanted, now, True)
    raise past_date_error(wanted)


def check_written_on(document):
    """WorkflowError when the 成文日期 falls after the 发布日期."""
    if document.written_after_publication():
        raise WorkflowError(
            _("《%(title)s》的成文日期 %(written)s 晚于发布日期 %(published)s，请先改正成文日期。")
            % {
                "title": document.title,
                "written": document.written_on,
                "published": timezone.localtime(document.published_at).date(),
            }
        )


def _dated(document, wanted):
    """Set ``document``'s dates as publication_dates says (unsaved); WorkflowError if refused."""
    try:
        dates = publication_dates(document, wanted)
    except ValidationError as exc:
        raise WorkflowError("；".join(exc.messages)) from None
    document.published_at, document.published_recorded_at = dates.published_at, dates.recorded_at
    check_written_on(document)
    return dates


def _record_backdate(document, user, dates):
    audit.record(
        document_actions.BACKDATE,
        actor=user,
        obj=document,
        details={
            "published_at": dates.published_at,
            "recorded_at": dates.recorded_at,
            "reason": document.backdate_reason,
            "migrated_index_number": document.migrated_index_number,
        },
    )


def missing_for_publication(document):
    missing = []
    if not document.title.strip():
        missing.append(_("标题"))
    if not document.body.strip():
        missing.append(_("正文"))
    if not document.agency_id:
        missing.append(_("发布机构"))
    if not document.node_id:
        missing.append(_("所属栏目"))
    return missing


def _locked(document):
    return (
        Document.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=document.pk)
    )


def check(transition, document, user, text=None):
    """Raise WorkflowError unless ``user`` may run ``transition`` on ``document`` now.

    Checked in this order: the permissions and the agency (skipped for the system,
    ``user=SYSTEM``), the document's state, and the text (comment or reason) the transition asks for.
    """
    refused = refusal(user, transition.permission_labels, document.agency_id)
    if refused == LACKS_PERMISSION:
        raise WorkflowError(_("您没有%(action)s的权限。") % {"action": transition.label})
    if refused == OTHER_AGENCY:
        raise WorkflowError(_("《%(title)s》不属于您所在的机构。") % {"title": document.title})
    if transition.already and document.status == transition.target:
        raise WorkflowError(transition.already % {"title": document.title})
    if not transition.leaves_from(document.status, by_system=user is SYSTEM):
        if transition.refusal:
            raise WorkflowError(transition.refusal)
        raise WorkflowError(
            _("《%(title)s》当前状态为“%(status)s”，不能%(action)s。")
            % {
                "title": document.title,
                "status": document.get_status_display(),
                "action": transition.verb,
            }
        )
    if transition.lacks_text(text):
        raise WorkflowError(transition.text_missing)


def _require_complete(document, action):
    missing = missing_for_publication(document)
    if missing:
        raise WorkflowError(
            _("《%(title)s》不能%(action)s：缺少%(fields)s。")
            % {"title": document.title, "action": action, "fields": "、".join(missing)}
        )


@transaction.atomic
def submit(document, user):
    """An editor sends a draft for review."""
    document = _locked(document)
    transition = TRANSITIONS["submit"]
    check(transition, document, user)
    _require_complete(document, _("提交"))
    document.status = transition.target
    document.submitted_by = user
    document.submitted_at = timezone.now()
    document.review_comment = ""
    document.save()
    # Submitting is allowed whatever the check finds; what it found is kept with the event, and
    # the reviewer sees it again (a 严重 match then blocks publication, check_words).
    found = wording.document_matches(document)
    details = {"word_matches": [m.summary() | {"severity": m.severity} for m in found]}
    audit.record(
        document_actions.SUBMIT, actor=user, obj=document, details=details if found else None
    )
    return document


def severe_word_refusal(document, severe, action):
    return _(
        "《%(title)s》含有 %(n)s 处严重错敏词（%(words)s），不能%(action)s。"
        "请先改正；确需保留的，由审核人员填写放行理由后再%(action)s。"
    ) % {
        "title": document.title,
        "n": len(severe),
        "words": "、".join(
            f"“{m.wrong}”" + (_("应为“%(right)s”") % {"right": m.right} if m.right else "")
            for m in severe[:10]
        ),
        "action": action,
    }


def check_words(document, user, override, action, *, attachment_names=None, revision=None):
    """The 错敏词 check before a document (or a revision of it) goes public: WorkflowError when
    it holds a 严重 match and no reason (``override``) is given; with a reason, the publication
    goes on and the override is audited with the words and the reason. The system
    (``user=SYSTEM``: demo data, documents carried over from an old site) is not checked."""
    if user is SYSTEM:
        return
    severe = [m for m in wording.document_matches(document, attachment_names) if m.severe]
    if not severe:
        return
    reason = (override or "").strip()
    if not reason:
        raise WorkflowError(severe_word_refusal(document, severe, action))
    details = {"action": str(action), "reason": reason, "words": [m.summary() for m in severe]}
    if revision is not None:
        details["revision"] = revision.pk
    audit.record(document_actions.WORD_OVERRIDE, actor=user, obj=document, details=details)


@transaction.atomic
def return_to_draft(document, user, comment):
    """A reviewer sends a submitted document back to its editor with a comment."""
    document = _locked(document)
    comment = (comment or "").strip()
    transition = TRANSITIONS["return"]
    check(transition, document, user, comment)
    document.status = transition.target
    document.review_comment = comment
    document.save()
    audit.record(document_actions.RETURN, actor=user, obj=document, details={"comment": comment})
    return document


@transaction.atomic
def publish(document, user=SYSTEM, *, at=None, override=""):
    """A reviewer publishes a submitted document, now or at ``at`` (a future time schedules it).

    The 发布日期 is the server's moment (publication_dates): ``at``, or the date the form
    holds, only when it is later than now; a past one only for a document from an old site with
    a reason (audited as BACKDATE). Assigns the index number on first publication. The system (``user=SYSTEM``) may publish a
    draft directly (demo data, migrations from an old site). A 严重 错敏词 blocks it unless
    ``override`` gives the reviewer's reason (check_words).
    """
    document = _locked(document)
    counted = counted_node(document)
    transition = TRANSITIONS["publish"]
    check(transition, document, user)
    if user is not SYSTEM and not user.is_superuser and document.submitted_by_id == user.pk:
        raise WorkflowError(
            _("《%(title)s》由您本人提交，须由另一位审核人员发布。") % {"title": document.title}
        )
    _require_complete(document, _("发布"))
    check_words(document, user, override, _("发布"))
    dates = _dated(document, at or document.published_at)
    if not document.index_number_text:
        assign_index_number(document)
    document.status = transition.target
    document.review_comment = ""
    document.published_by = None if user is SYSTEM else user
    document.save()
    move_count(counted, counted_node(document))
    audit.record(
        document_actions.PUBLISH,
        actor=user,
        obj=document,
        details={
            "index_number": document.index_number,
            "published_at": document.published_at,
            "recorded_at": document.published_recorded_at,
        },
    )
    if dates.backdated:
        _record_backdate(document, user, dates)
    links.check_on_commit(document)
    return document


@transaction.atomic
def withdraw(document, user, reason):
    """A reviewer withdraws a published document; its URL then answers 410."""
    document = _locked(document)
    reason = (reason or "").strip()
    transition = TRANSITIONS["withdraw"]
    check(transition, document, user, reason)
    counted = counted_node(document)
    document.status = transition.target
    document.withdrawn_reason = reason
    document.withdrawn_at = timezone.now()
    document.save()
    move_count(counted, counted_node(document))
    audit.record(document_actions.WITHDRAW, actor=user, obj=document, details={"reason": reason})
    links.break_on_commit(document)
    return document


@dataclass(frozen=True)
class AttachmentEdit:
    """One attachment change in an edit of a published document: ``change`` is "add"
    (``upload``), "replace" (``attachment`` by ``upload``), "delete" or "reorder"
    (``attachment``, the pk of one of the document's live attachments)."""

    change: str
    attachment: int | None = None
    upload: object = None
    sort_order: int = 0


@transaction.atomic
def propose_revision(document, user, values, attachments=()):
    """An edit of a published document, kept as a pending revision: the document and its public
    page stay as they are until another reviewer approves it (``approve_revision``).

    ``values`` maps content fields to their new values (a form's cleaned data); ``attachments``
    are AttachmentEdits, whose new files are stored but stay hidden from the public until then.
    Returns the revision, or None when nothing would change.
    """
    document = _locked(document)
    check(TRANSITIONS["revise"], document, user)
    base = document_content(document)
    proposed = {**base, **content_values(values)}
    if proposed == base and not attachments:
        return None
    revision = DocumentRevision.objects.create(
        document=document, author=user, base=base, values=proposed
    )
    if attachments:
        revision.attachment_changes = _propose_attachments(document, revision, attachments)
        revision.save(update_fields=["attachment_changes"])
    audit.record(
        document_actions.PROPOSE_REVISION,
        actor=user,
        obj=document,
        details={
            "revision": revision.pk,
            "fields": revision.changed_fields,
            "attachments": revision.attachment_summary,
        },
    )
    return revision


def _propose_attachments(document, revision, edits):
    """Store the new files of ``edits`` as attachments pending ``revision``; returns the
    revision's record of the changes (names, sizes and hashes, old and new attachment ids)."""
    live = {a.pk: a for a in document.attachments.live()}
    changes = []
    for edit in edits:
        change = {"change": edit.change}
        if edit.change != "add":
            old = live.get(edit.attachment)
            if old is None:
                raise WorkflowError(_("附件不存在或已被删除，请刷新页面后重试。"))
            change.update(old=old.pk, old_name=old.original_name, name=old.original_name)
        if edit.change in ("add", "replace"):
            new = _store_attachment(
                document, edit.upload, sort_order=edit.sort_order, pending_revision=revision
            )
            change.update(new=new.pk, name=new.original_name, size=new.size, sha256=new.sha256)
        elif edit.change == "delete":
            change.update(size=old.size, sha256=old.sha256)
        else:
            change["sort_order"] = edit.sort_order
        changes.append(change)
    return changes


def _apply_attachments(document, revision, user):
    """Put the attachment changes of an approved ``revision`` online, each one audited."""
    changes = revision.attachment_changes
    old = (
        document.attachments.live()
        .select_for_update()
        .in_bulk([c["old"] for c in changes if "old" in c])
    )
    if any("old" in c and c["old"] not in old for c in changes):
        raise WorkflowError(_("该修订提出后文件已被修改，请驳回后按当前内容重新修改。"))
    for change in changes:
        if change["change"] == "reorder":
            old[change["old"]].sort_order = change["sort_order"]
            old[change["old"]].save(update_fields=["sort_order"])
            continue
        if change["change"] in ("replace", "delete"):
            _delete_attachment(old[change["old"]])
        action, _label = ATTACHMENT_ACTIONS[change["change"]]
        details = {
            "attachment": change["name"],
            "size": change["size"],
            "sha256": change["sha256"],
            "revision": revision.pk,
        }
        if change["change"] == "replace":
            details["replaced"] = change["old_name"]
        audit.record(action, actor=user, obj=document, details=details)
    revision.new_attachments.update(pending_revision=None)


def _delete_attachment(attachment):
    """Delete the row now and its file once the transaction commits (a rollback keeps both)."""
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def _locked_revision(revision, action):
    document = _locked(revision.document)
    revision = DocumentRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != DocumentRevision.Status.PENDING:
        raise WorkflowError(
            _("该修订已%(status)s，不能%(action)s。")
            % {"status": revision.get_status_display(), "action": action}
        )
    return document, revision


def _decide(revision, user, status, comment=""):
    revision.status = status
    revision.decided_by = user
    revision.decided_at = timezone.now()
    revision.comment = comment
    revision.save()


@transaction.atomic
def approve_revision(revision, user, override=""):
    """A second reviewer approves a pending revision: its changes go onto the document (a new
    version in its history) and online. Whoever proposed it cannot approve it. The document as
    the revision leaves it passes the 错敏词 check as a publication does (check_words)."""
    document, revision = _locked_revision(revision, _("批准"))
    check(TRANSITIONS["approve"], document, user)
    if user is not SYSTEM and not user.is_superuser and revision.author_id == user.pk:
        raise WorkflowError(_("该修订由您本人提出，须由另一位审核人员批准。"))
    if revision.base_moved(document):
        raise WorkflowError(_("该修订提出后文件已被修改，请驳回后按当前内容重新修改。"))
    fields = revision.changed_fields
    counted = counted_node(document)
    many = revision.apply_to(document)
    dates = None
    if {"published_at", "backdate_reason"} & set(fields):
        dates = _dated(document, document.published_at)
    try:
        document.full_clean()
    except ValidationError as exc:
        raise WorkflowError(_("修订内容无效：%(errors)s") % {"errors": "；".join(exc.messages)})
    _require_complete(document, _("批准修订"))
    check_words(
        document,
        user,
        override,
        _("批准修订"),
        attachment_names=wording.revision_attachment_names(document, revision),
        revision=revision,
    )
    reason = "；".join([_("批准修订 #%(pk)s") % {"pk": revision.pk}, *revision.attachment_summary])
    document._change_reason = reason[:100]
    document._history_user = None if user is SYSTEM else user
    document.save()
    # A new column or disclosure mode moves the document's count; extra columns are read live.
    move_count(counted, counted_node(document))
    for name, ids in many.items():
        getattr(document, name).set(ids)
    _apply_attachments(document, revision, user)
    _decide(revision, user, DocumentRevision.Status.APPROVED)
    if dates is not None and dates.backdated:
        _record_backdate(document, user, dates)
    audit.record(
        document_actions.APPROVE_REVISION,
        actor=user,
        obj=document,
        details={
            "revision": revision.pk,
            "fields": fields,
            "attachments": revision.attachment_summary,
            "author": revision.author.get_username() if revision.author else "",
        },
    )
    links.check_on_commit(document)
    return document


@transaction.atomic
def reject_revision(revision, user, comment):
    """A reviewer rejects a pending revision with a comment; the document is unchanged and the
    files uploaded for the revision are deleted."""
    document, revision = _locked_revision(revision, _("驳回"))
    comment = (comment or "").strip()
    check(TRANSITIONS["reject"], document, user, comment)
    for attachment in revision.new_attachments.all():
        _delete_attachment(attachment)
    _decide(revision, user, DocumentRevision.Status.REJECTED, comment)
    audit.record(
        document_actions.REJECT_REVISION,
        actor=user,
        obj=document,
        details={"revision": revision.pk, "comment": comment},
    )
    return revision


ATTACHMENT_ACTIONS = {
    "add": (document_actions.ADD_ATTACHMENT, _("添加附件")),
    "replace": (document_actions.REPLACE_ATTACHMENT, _("替换附件")),
    "delete": (document_actions.DELETE_ATTACHMENT, _("删除附件")),
}


@transaction.atomic
def record_attachment_change(document, user, change, attachment):
    """An attachment of a published document was added, replaced or deleted (``change``):
    an audit event, and a version in the document's history that says what happened."""
    document = _locked(document)
    if document.status != Status.PUBLISHED:
        return
    action, label = ATTACHMENT_ACTIONS[change]
    audit.record(
        action,
        actor=user,
        obj=document,
        details={
            "attachment": attachment.original_name,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    reason = f"{label}：{attachment.original_name}"
    document._change_reason = reason[:100]
    document._history_user = None if user is SYSTEM else user
    document.save(update_fields=["updated_at"])


@transaction.atomic
def delete_document(document, user):
    """Delete a document that never went public; published ones are withdrawn, not deleted."""
    check(TRANSITIONS["delete"], document, user)
    audit.record(
        AuditEvent.Action.DELETE,
        actor=user,
        obj=document,
        details={"status": document.status, "index_number": document.index_number},
    )
    move_count(counted_node(_locked(document)), None)
    document.delete()


@transaction.atomic
def add_attachment(document, upload, *, name=None, sort_order=0, user=SYSTEM):
    """Check ``upload`` by content and name, store it and record its size and SHA-256.

    A person's change to a published document is a revision (``propose_revision``); only the
    system (``user=SYSTEM``) adds to one directly."""
    if user is not SYSTEM and document.status == Status.PUBLISHED:
        raise WorkflowError(_("已发布文件的附件变更须作为修订，由另一位审核人员批准。"))
    attachment = _store_attachment(document, upload, name=name, sort_order=sort_order)
    record_attachment_change(document, user, "add", attachment)
    return attachment


def _store_attachment(document, upload, *, name=None, sort_order=0, pending_revision=None):
    checked = check_attachment(upload, name=name)
    attachment = Attachment(
        document=document,
        original_name=checked.original_name,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        sort_order=sort_order,
        pending_revision=pending_revision,
    )
    attachment.file.save(checked.original_name, upload, save=False)
    attachment.save()
    return attachment


# --- the workflow table -------------------------------------------------------------------

BUTTON = "button"  # offered on the document's change form, run through the transition page
EDIT = "edit"  # what saving the change form runs instead of a plain save
DECISION = "decision"  # approves or rejects a pending revision, on the revision page
DELETE = "delete"  # the admin's delete, through delete_document


@dataclass(frozen=True, kw_only=True)
class Transition(Step):
    """One step of the document workflow: what services check and what the admin offers."""

    permissions: tuple  # codenames in the disclosure app; the user needs all of them
    verb: str  # the action in "当前状态为…，不能…"
    kind: str = BUTTON
    schedulable: bool = False  # the form offers a publication time
    system_sources: frozenset | None = None  # states the system (user=SYSTEM) may leave from
    already: str = ""  # the message when the document is already in ``target``
    checks_words: bool = False  # a 严重 错敏词 blocks it unless a reason is given (check_words)

    @property
    def permission_labels(self):
        return [f"disclosure.{codename}" for codename in self.permissions]

    def permits(self, user):
        """Whether ``user`` holds the permissions, whatever the document and its state."""
        return all(user.has_perm(permission) for permission in self.permission_labels)

    def leaves_from(self, status, *, by_system=False):
        """Whether a document in ``status`` may take this step (by a person, or the system)."""
        if by_system and self.system_sources is not None:
            return not self.system_sources or status in self.system_sources
        return super().leaves_from(status)

    def run(self, subject, user, *, text="", at=None, override=""):
        """Run the service function on ``subject`` (a document, or a revision for a decision)."""
        arguments = [text] if self.text_label else []
        options = {"at": at} if self.schedulable else {}
        if self.checks_words:
            options["override"] = override
        return self.function(subject, user, *arguments, **options)


TRANSITIONS = {
    transition.key: transition
    for transition in [
        Transition(
            "submit",
            submit,
            frozenset({Status.DRAFT}),
            Status.SUBMITTED,
            gettext_lazy("提交审核"),
            permissions=("submit_document",),
            verb=gettext_lazy("提交审核"),
        ),
        Transition(
            "publish",
            publish,
            frozenset({Status.SUBMITTED}),
            Status.PUBLISHED,
            gettext_lazy("审核发布"),
            schedulable=True,
            # Demo data and documents carried over from an old site skip the review.
            system_sources=frozenset({Status.DRAFT, Status.SUBMITTED}),
            already=gettext_lazy("《%(title)s》已经发布。"),
            checks_words=True,
            permissions=("publish_document",),
            verb=gettext_lazy("发布"),
        ),
        Transition(
            "return",
            return_to_draft,
            frozenset({Status.SUBMITTED}),
            Status.DRAFT,
            gettext_lazy("退回修改"),
            text_label=gettext_lazy("审核意见"),
            text_missing=gettext_lazy("退回时请填写审核意见，说明需要修改什么。"),
            permissions=("publish_document",),
            verb=gettext_lazy("退回"),
        ),
        Transition(
            "withdraw",
            withdraw,
            frozenset({Status.PUBLISHED}),
            Status.WITHDRAWN,
            gettext_lazy("撤回"),
            text_label=gettext_lazy("撤回原因"),
            text_missing=gettext_lazy("撤回时请填写撤回原因。"),
            permissions=("withdraw_document",),
            verb=gettext_lazy("撤回"),
        ),
        # Changing a published document would put unreviewed text online: its editors and
        # reviewers change it as a revision, which another reviewer approves or rejects.
        Transition(
            "revise",
            propose_revision,
            frozenset({Status.PUBLISHED}),
            None,
            gettext_lazy("修改"),
            kind=EDIT,
            permissions=("change_document",),
            verb=gettext_lazy("提出修订"),
        ),
        Transition(
            "approve",
            approve_revision,
            frozenset({Status.PUBLISHED}),
            None,
            gettext_lazy("批准修订"),
            kind=DECISION,
            checks_words=True,
            permissions=("publish_document",),
            verb=gettext_lazy("批准修订"),
        ),
        Transition(
            "reject",
            reject_revision,
            frozenset(),
            None,
            gettext_lazy("驳回修订"),
            kind=DECISION,
            text_label=gettext_lazy("审核意见"),
            text_missing=gettext_lazy("驳回时请填写审核意见。"),
            permissions=("publish_document",),
            verb=gettext_lazy("驳回修订"),
        ),
        # What went public is withdrawn, never deleted: its number and history stay.
        Transition(
            "delete",
            delete_document,
            frozenset({Status.DRAFT, Status.SUBMITTED}),
            None,
            gettext_lazy("删除"),
            kind=DELETE,
            refusal=gettext_lazy("已发布或已撤回的文件不能删除，请使用“撤回”。"),
            permissions=("delete_document",),
            verb=gettext_lazy("删除"),
        ),
    ]
}


def may_run(transition, document, user):
    """Whether ``user`` may run ``transition`` on ``document`` now (text and content aside)."""
    return may_act(user, transition.permission_labels, document.agency_id) and (
        transition.leaves_from(document.status, by_system=user is SYSTEM)
    )


def available_transitions(document, user):
    """The buttons ``user`` has on ``document`` now: its BUTTON transitions they may run."""
    return [
        transition
        for transition in TRANSITIONS.values()
        if transition.kind == BUTTON and may_run(transition, document, user)
    ]


def edits_by_revision(document):
    """Whether a change of ``document`` in its form waits as a revision (``propose_revision``)."""
    return TRANSITIONS["revise"].leaves_from(document.status)


def may_edit(document, user):
    """Whether ``user`` may change ``document`` in the change form now.

    Drafts (new or returned) by whoever may change documents of its agency; published ones by
    those who may revise them (its editors and reviewers), the change waiting as a revision
    that another reviewer approves; submitted ones by
    superusers only (a reviewer who rewrote one and published it would have put text online that
    nobody else saw: they return it with a comment instead); withdrawn ones by nobody.
    """
    if not may_act(user, ["disclosure.change_document"], document.agency_id):
        return False
    if edits_by_revision(document):
        return may_run(TRANSITIONS["revise"], document, user)
    if document.status == Status.DRAFT:
        return True
    return user.is_superuser and document.status == Status.SUBMITTED


def may_decide(revision, user):
    """Whether ``user`` is offered the approve and reject buttons of ``revision``."""
    return revision.is_pending and any(
        t.permits(user) for t in TRANSITIONS.values() if t.kind == DECISION
    )


def may_approve(revision, user):
    """Whether ``user`` is offered the approve button: a second person, not the revision's author
    (superusers excepted, as approve_revision says)."""
    return (
        may_decide(revision, user)
        and TRANSITIONS["approve"].permits(user)
        and (user.is_superuser or revision.author_id != user.pk)
    )
