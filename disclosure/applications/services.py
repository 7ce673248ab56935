"""Every step of an application, each one transaction with one audit event; the workflow table.

待确认收到 → 办理中 (confirm_receipt; in-person and signed-for post start 办理中 at once)
办理中 → 待补正 (request_supplement, once, within 7 working days of receipt)
         → 办理中 (receive_supplement: the clock restarts) or → 已办结 (close_unsupplemented)
办理中 → 征求意见中 (start_consultation) → 办理中 (end_consultation)
办理中 → 待缴费 (notify_fee) → 办理中 (record_payment) or → 已办结 (close_unpaid)
办理中 → 办理中 (extend, once, at most 20 working days, before the due date)
办理中 → 已办结 (answer: the result, its reason, the final answer letter; close_other)

Audit events name the application by its number only (its ``__str__``), never the applicant.
E-mails to the applicant are recorded and sent after the step commits; a failed send is
recorded on the e-mail and never undoes the step.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.scoping import membership_scope, refusal
from disclosure.applications import actions as application_actions
from disclosure.applications import fees, letters
from disclosure.applications.clock import clock, consultation_due, supplement_notice_deadline, today
from disclosure.applications.models import (
    FEE_PAYMENT_DAYS,
    MAX_EXTENSION_DAYS,
    Application,
    Consultation,
    Email,
    Letter,
    ReleasedFile,
    lookup_code_digest,
    new_lookup_code,
)
from disclosure.applications.uploads import check_identity_file
from disclosure.documents.models import Document, IndexCounter
from disclosure.documents.uploads import attachment_content_type, check_attachment
from portal import audit, workflow
from portal.actors import SYSTEM
from portal.workdays import add_working_days

logger = logging.getLogger(__name__)
Status = Application.Status
Result = Application.Result
Reason = Application.Reason
NUMBER_COUNTER = "YSQ"  # the IndexCounter row that numbers applications per year


class ApplicationError(Exception):
    """A step is not allowed now; the message says why, in Chinese."""


# -- helpers ---------------------------------------------------------------------------------


def _locked(application):
    return Application.objects.select_for_update().select_related("agency").get(pk=application.pk)


def _record(application, user, step, **details):
    audit.record(
        application_actions.APPLICATION,
        actor=user,
        obj=application,
        details={"step": step, **details},
    )


def _next_number(year):
    counter = IndexCounter.objects.select_for_update().get_or_create(
        credit_code=NUMBER_COUNTER, year=year
    )[0]
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return f"{year}-{counter.last_serial:05d}"


def _store_identity(application, upload):
    if not upload:
        return None
    try:
        checked = check_identity_file(upload)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0]) from None
    application.identity_file = upload
    application.identity_file_name = checked.original_name
    application.identity_file_type = checked.content_type
    return checked


def _begin(key, application, user, on, text=None):
    """Lock ``application``, check that ``user`` may take the step ``key`` now, and settle the
    day it happened on (``_step_day``): the start of every step after the first receipt."""
    application = _locked(application)
    check(STEPS[key], application, user, text)
    return application, _step_day(application, on)


def _step_day(application, on):
    """The day a step happened: today unless given; never after today, nor before the
    application came in (a consultation or an answer dated earlier would bend the clock)."""
    on = on or today()
    if on > today():
        raise ApplicationError(_("日期不能晚于今天。"))
    start = application.received_on or timezone.localtime(application.submitted_at).date()
    if on < start:
        raise ApplicationError(
            _("日期不能早于收到申请的日期（%(start)s）。") % {"start": letters.date_text(start)}
        )
    return on


def notify(application, subject, body, *, secret=""):
    """Record an e-mail to the applicant and send it once the step has committed.

    ``secret`` (the 查询码) goes into the message sent and is blanked in the copy kept."""
    if not application.email:
        return None
    kept = body.replace(secret, "（已隐去）") if secret else body
    email = Email.objects.create(application=application, subject=subject, body=kept)

    def send():
        try:
            send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, [application.email], fail_silently=False
            )
        except Exception as exc:  # noqa: BLE001 - any failure is recorded, none undoes the step
            Email.objects.filter(pk=email.pk).update(
                state=Email.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:300]
            )
            logger.warning("e-mail for application %s failed: %s", application.number, type(exc))
        else:
            Email.objects.filter(pk=email.pk).update(state=Email.State.SENT, sent_at=timezone.now())

    transaction.on_commit(send)
    return email


def _status_note(application):
    return _("您可以在门户网站“依申请公开”栏目用查询码和联系电话后四位查询办理进度。")


def _draft_letter(application, kind, consultation=None, **extra):
    title, body = letters.compose(application, kind, consultation=consultation, **extra)
    return Letter.objects.create(
        application=application, consultation=consultation, kind=kind, title=title, body=body
    )


def _finalise(letter, user, on=None):
    letter.final_at = timezone.now()
    letter.final_by = user if user is not SYSTEM else None
    letter.final_sha256 = letter.content_digest()
    Letter.objects.filter(pk=letter.pk).update(
        final_at=letter.final_at, final_by=letter.final_by, final_sha256=letter.final_sha256
    )
    return letter


# -- the citizen's side ----------------------------------------------------------------------


def submit(application, identity_upload=None, user=SYSTEM, *, received_on=None):
    """Save a new application; see ``_submit``. A refused or failed submission leaves no
    identity file behind."""
    try:
        return _submit(application, identity_upload, user, received_on=received_on)
    except BaseException:
        stored = application.identity_file
        if stored and stored.name and getattr(stored, "_committed", False):
            stored.storage.delete(stored.name)
        raise


@transaction.atomic
def _submit(application, identity_upload, user, *, received_on):
    """Save a new application (from the public form, or registered by staff) and give it its
    number and 查询码. Returns (application, lookup code): the code is shown once, mailed, and
    stored only as a digest.

    Online, letters, fax and e-mail wait for 确认收到; in person and signed-for post are received
    on the day given (``received_on``, the day handed in or signed for)."""
    if application.pk:
        raise ApplicationError(_("申请已经提交。"))
    channel = application.channel
    if channel in Application.CONFIRMED_CHANNELS:
        application.status = Status.SUBMITTED
        application.received_on = None
    else:
        if received_on is None:
            raise ApplicationError(_("当面提交或邮寄签收的申请，请填写收到申请的日期。"))
        if received_on > today():
            raise ApplicationError(_("收到申请的日期不能晚于今天。"))
        application.status = Status.IN_PROGRESS
        application.received_on = received_on
    if user is not SYSTEM:
        if channel == Application.Channel.ONLINE:
            raise ApplicationError(
                _("网上申请由申请人在门户网站提交，工作人员登记请选择其他申请方式。")
            )
        if refusal(
            user, ["applications.add_application"], application.agency_id, scope=membership_scope
        ):
            raise ApplicationError(_("您不能为该机关登记申请。"))
    _store_identity(application, identity_upload)
    code = new_lookup_code()
    application.lookup_digest = lookup_code_digest(code)
    application.submitted_at = application.submitted_at or timezone.now()
    application.number = _next_number(timezone.localtime(application.submitted_at).year)
    application.full_clean(exclude=["identity_file", "lookup_digest", "number"])
    application.save()
    _record(application, user, "submit", channel=channel)
    notify(
        application,
        _("您的政府信息公开申请已提交（编号 %(number)s）") % {"number": application.number},
        _(
            "您向%(agency)s提交的政府信息公开申请已收到，申请编号 %(number)s，查询码 %(code)s。\n"
            "%(note)s\n请妥善保管查询码，不要转告他人。"
        )
        % {
            "agency": application.agency.name,
            "number": application.number,
            "code": code,
            "note": _status_note(application),
        },
        secret=code,
    )
    return application, code


def find_by_code(code, phone_tail):
    """The application a 查询码 and the phone number's last four digits open, or None."""
    application = Application.objects.filter(lookup_digest=lookup_code_digest(code)).first()
    if application is None or not application.matches_phone_tail(phone_tail):
        return None
    return application


# -- the office's steps ----------------------------------------------------------------------


@transaction.atomic
def confirm_receipt(application, user, on=None):
    """确认收到: the receipt date of an online, letter, fax or e-mail application (Art. 31)."""
    application = _locked(application)
    check(STEPS["confirm"], application, user)
    on = on or today()
    if on > today():
        raise ApplicationError(_("确认收到的日期不能晚于今天。"))
    if on < timezone.localtime(application.submitted_at).date():
        raise ApplicationError(_("确认收到的日期不能早于申请提交的日期。"))
    application.received_on = on
    application.status = Status.IN_PROGRESS
    application.save(update_fields=["received_on", "status"])
    _record(application, user, "confirm", received_on=on)
    due = clock(application).due_on
    notify(
        application,
        _("您的政府信息公开申请已受理（编号 %(number)s）") % {"number": application.number},
        _("%(agency)s已于%(on)s收到您的申请，将在%(due)s前答复。\n%(note)s")
        % {
            "agency": application.agency.name,
            "on": letters.date_text(on),
            "due": letters.date_text(due),
            "note": _status_note(application),
        },
    )
    return application


@transaction.atomic
def request_supplement(application, user, text, due_on, on=None):
    """补正 (Art. 30): once, within 7 working days of receipt, saying what to add and by when."""
    application, on = _begin("supplement", application, user, on, text=text)
    last = supplement_notice_deadline(application)
    if on > last:
        raise ApplicationError(
            _("补正应在收到申请之日起7个工作日内（%(last)s前）一次性告知，现已超过期限。")
            % {"last": letters.date_text(last)}
        )
    if due_on is None or due_on <= on:
        raise ApplicationError(_("请填写晚于今天的补正期限。"))
    application.supplement_requested_on = on
    application.supplement_request = text.strip()
    application.supplement_due_on = due_on
    application.status = Status.SUPPLEMENT
    application.save()
    letter = _draft_letter(application, Letter.Kind.SUPPLEMENT)
    _record(application, user, "supplement", due_on=due_on)
    notify(
        application,
        _("请补正您的政府信息公开申请（编号 %(number)s）") % {"number": application.number},
        _("您的申请需要补正：%(text)s\n请于%(due)s前提交补正材料，逾期未补正的视为放弃申请。")
        % {"text": application.supplement_request, "due": letters.date_text(due_on)},
    )
    return letter


@transaction.atomic
def receive_supplement(application, user, supplied, on=None, upload=None):
    """The supplement has come (``supplied``: what it says; ``upload``: a file with it): the
    20 working days run again from this day."""
    application, on = _begin("supplemented", application, user, on, text=supplied)
    if on < application.supplement_requested_on:
        raise ApplicationError(_("收到补正的日期应在告知补正之后、今天之前。"))
    _take_supplement(application, supplied, upload, on)
    _record(application, user, "supplemented", received_on=on)
    return application


# What anyone holding a 查询码 may send the clerks (each then checked by its content as an
# attachment is): no archive, and no old Office file, which may carry macros.
ONLINE_SUPPLEMENT_SUFFIXES = frozenset({".pdf", ".docx", ".jpg", ".jpeg", ".png"})


@transaction.atomic
def supplement_online(application, supplied, upload=None):
    """The applicant (holder of the 查询码) sends the supplement on the status page, by the
    deadline: the clock runs again from today, as when the office receives it."""
    application = _locked(application)
    if application.status != Status.SUPPLEMENT:
        raise ApplicationError(_("这件申请目前不需要补正。"))
    on = today()
    if on > application.supplement_due_on:
        raise ApplicationError(
            _("补正期限（%(due)s）已过，不能在网上提交补正，请与受理机关联系。")
            % {"due": letters.date_text(application.supplement_due_on)}
        )
    if not (supplied or "").strip():
        raise ApplicationError(_("请填写补正的内容。"))
    if upload and PurePath(upload.name or "").suffix.lower() not in ONLINE_SUPPLEMENT_SUFFIXES:
        raise ApplicationError(
            _("补正材料只能上传 PDF、Word（.docx）文件或 JPG、PNG 图片，“%(name)s”不是。")
            % {"name": PurePath(upload.name or "").name}
        )
    _take_supplement(application, supplied, upload, on)
    audit.record(
        application_actions.APPLICATION,
        actor_name=_("申请人（凭查询码）"),
        obj=application,
        details={"step": "supplemented", "received_on": on, "online": True},
    )
    return application


def _take_supplement(application, supplied, upload, on):
    if upload:
        try:
            checked = check_attachment(upload)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0]) from None
        application.supplement_file = upload
        application.supplement_file_name = checked.original_name[:200]
        application.supplement_file_type = attachment_content_type(checked.kind)
    application.supplement_reply = supplied.strip()
    application.supplement_received_on = on
    application.status = Status.IN_PROGRESS
    application.save()


def _close(application, user, step, result, reason, on, **details):
    application.result = result
    application.reason = reason
    application.closed_on = on
    application.status = Status.CLOSED
    application.save()
    _record(application, user, step, result=result, reason=reason, **details)
    return application


@transaction.atomic
def close_unsupplemented(application, user, on=None):
    """逾期不补正: the deadline for the supplement passed; the application is 视为放弃."""
    application, on = _begin("no_supplement", application, user, on)
    if on <= application.supplement_due_on:
        raise ApplicationError(
            _("补正期限（%(due)s）尚未届满。")
            % {"due": letters.date_text(application.supplement_due_on)}
        )
    return _close(application, user, "no_supplement", Result.OTHER, Reason.NO_SUPPLEMENT, on)


@transaction.atomic
def start_consultation(application, user, party_kind, party, on=None):
    """征求意见 (Arts. 32, 34): the days until the reply do not count towards the deadline."""
    application, on = _begin("consult", application, user, on, text=party)
    consultation = Consultation.objects.create(
        application=application, party_kind=party_kind, party=party.strip(), sent_on=on
    )
    application.status = Status.CONSULTING
    application.save(update_fields=["status"])
    letter = _draft_letter(
        application, Letter.Kind.CONSULTATION, consultation, due=consultation_due(on)
    )
    _record(application, user, "consult", party_kind=party_kind)
    return letter


@transaction.atomic
def end_consultation(application, user, opinion="", on=None):
    """The consulted party's answer (or its silence after 15 working days) is recorded."""
    application, on = _begin("consulted", application, user, on)
    open_ones = list(application.consultations.filter(replied_on=None))
    for consultation in open_ones:
        if on < consultation.sent_on:
            raise ApplicationError(_("收到意见的日期不能早于发出征求意见的日期。"))
        consultation.replied_on = on
        consultation.opinion = opinion.strip()
        consultation.save(update_fields=["replied_on", "opinion"])
    application.status = Status.IN_PROGRESS
    application.save(update_fields=["status"])
    _record(application, user, "consulted", replied_on=on)
    return application


@transaction.atomic
def extend(application, user, days, reason, approved_by, on=None):
    """延期答复 (Art. 33): once, at most 20 working days, approved by the office's head."""
    application, on = _begin("extend", application, user, on, text=reason)
    if not (1 <= days <= MAX_EXTENSION_DAYS):
        raise ApplicationError(_("延长的期限应为1至20个工作日。"))
    if not approved_by.strip():
        raise ApplicationError(_("延期须经政府信息公开工作机构负责人同意，请填写批准人。"))
    if clock(application, on).overdue:
        raise ApplicationError(_("答复期限已过，不能再延期。"))
    application.extension_days = days
    application.extended_on = on
    application.extension_reason = reason.strip()
    application.extension_approved_by = approved_by.strip()
    application.save()
    letter = _draft_letter(application, Letter.Kind.EXTENSION)
    _record(application, user, "extend", days=days)
    notify(
        application,
        _("您的政府信息公开申请延期答复（编号 %(number)s）") % {"number": application.number},
        _("因%(reason)s，答复期限延长%(days)s个工作日，至%(due)s。")
        % {
            "reason": application.extension_reason,
            "days": days,
            "due": letters.date_text(clock(application, on).due_on),
        },
    )
    return letter


@transaction.atomic
def notify_fee(application, user, method, pages=0, on=None):
    """收费通知: only where 109号 allows a fee; the applicant has 20 working days to pay."""
    application, on = _begin("fee", application, user, on)
    fee = fees.compute(application, method, pages)
    if not fee.charged:
        raise ApplicationError(_("%(basis)s，本申请不收费。") % {"basis": fee.basis})
    application.fee_amount = fee.amount
    application.fee_basis = fee.basis[:200]
    application.fee_notice_on = on
    application.fee_due_on = add_working_days(on, FEE_PAYMENT_DAYS)
    application.status = Status.FEE
    application.save()
    letter = _draft_letter(application, Letter.Kind.FEE)
    _record(application, user, "fee", amount=str(fee.amount))
    notify(
        application,
        _("政府信息公开申请收费通知（编号 %(number)s）") % {"number": application.number},
        _(
            "本申请需缴纳信息处理费%(amount)s元（%(basis)s），请于%(due)s前缴纳，逾期未缴纳的视为放弃申请。"
        )
        % {
            "amount": fee.amount,
            "basis": fee.basis,
            "due": letters.date_text(application.fee_due_on),
        },
    )
    return letter


@transaction.atomic
def record_payment(application, user, on=None):
    application, on = _begin("paid", application, user, on)
    if on < application.fee_notice_on:
        raise ApplicationError(_("缴费日期应在收费通知之后、今天之前。"))
    application.fee_paid_on = on
    application.status = Status.IN_PROGRESS
    application.save(update_fields=["fee_paid_on", "status"])
    _record(application, user, "paid", paid_on=on)
    return application


@transaction.atomic
def close_unpaid(application, user, on=None):
    """逾期未缴费: the payment deadline passed; the office no longer handles the application."""
    application, on = _begin("unpaid", application, user, on)
    if on <= application.fee_due_on:
        raise ApplicationError(
            _("缴费期限（%(due)s）尚未届满。") % {"due": letters.date_text(application.fee_due_on)}
        )
    return _close(application, user, "unpaid", Result.OTHER, Reason.UNPAID, on)


def check_result(result, reason, related_document=None, responsible_agency=""):
    if result not in Result.values:
        raise ApplicationError(_("请选择办理结果。"))
    reasons = Application.REASONS[result]
    if reasons and reason not in reasons:
        raise ApplicationError(_("“%(result)s”需要选择理由。") % {"result": Result(result).label})
    if not reasons and reason:
        raise ApplicationError(_("“%(result)s”不需要理由。") % {"result": Result(result).label})
    if reason == Reason.NOT_HELD and not responsible_agency.strip():
        # Art. 36 (五): name the agency responsible where it can be determined.
        raise ApplicationError(
            _("本机关不掌握的信息，请写明负责公开该信息的机关；确实无法确定的请写“无法确定”。")
        )
    if (
        related_document is not None
        and not Document.objects.public().filter(pk=related_document.pk).exists()
    ):
        raise ApplicationError(_("所链接的文件尚未公开，不能作为已公开信息告知申请人。"))


# At most this many files go with one answer, each an attachment the documents would accept.
MAX_RELEASED_FILES = 20
# The results that give the applicant information: with 网上获取 it must be there to get.
GIVES_INFORMATION = frozenset({Result.DISCLOSED, Result.PARTIAL})


@transaction.atomic
def add_released_files(application, user, uploads):
    """Attach the information to give the applicant (网上获取) while the application is being
    handled; each file checked by its content as a document's attachment is. Returns the rows."""
    application = _locked(application)
    check_may_handle(application, user)
    if application.status != Status.IN_PROGRESS:
        raise ApplicationError(_("只有办理中的申请可以上传提供的信息。"))
    if application.released_files.count() + len(uploads) > MAX_RELEASED_FILES:
        raise ApplicationError(
            _("一件申请最多提供 %(n)s 个文件，请合并或压缩后上传。") % {"n": MAX_RELEASED_FILES}
        )
    added = []
    for upload in uploads:
        try:
            checked = check_attachment(upload)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0]) from None
        added.append(
            ReleasedFile.objects.create(
                application=application,
                file=upload,
                name=checked.original_name[:200],
                content_type=attachment_content_type(checked.kind),
                size=checked.size,
                sha256=checked.sha256,
                added_by=None if user is SYSTEM else user,
            )
        )
    if added:
        _record(application, user, "released_add", files=[f.name for f in added])
    return added


@transaction.atomic
def remove_released_file(released, user):
    """Take back a file before the answer: once answered, what was given stays."""
    application = _locked(released.application)
    check_may_handle(application, user)
    if application.status != Status.IN_PROGRESS:
        raise ApplicationError(_("申请已办结，已提供的信息不能删除。"))
    name = released.name
    released.file.delete(save=False)
    released.delete()
    _record(application, user, "released_remove", file=name)


@transaction.atomic
def note_download(application, **what):
    """The applicant (holder of the 查询码) downloaded a file or a letter: audited."""
    audit.record(
        application_actions.APPLICATION,
        actor_name=_("申请人（凭查询码）"),
        obj=application,
        details={"step": "released_download", **what},
    )


def check_delivery(application, result, related_document, withheld_note, adding=0):
    """What the answer promises must be there: for 部分公开 what is withheld and why; for
    网上获取 of information given, the files (or the public document that holds it);
    ``adding``: files about to be attached."""
    if result == Result.PARTIAL and not withheld_note.strip():
        raise ApplicationError(_("部分公开的，请写明不予公开的部分及其理由。"))
    if (
        result in GIVES_INFORMATION
        and application.delivery == Application.Delivery.ONLINE
        and related_document is None
        and not adding
        and not application.released_files.exists()
    ):
        raise ApplicationError(
            _("申请人选择网上获取：请上传提供给申请人的信息文件，或填写已主动公开的文件的索引号。")
        )


@transaction.atomic
def answer(
    application,
    user,
    result,
    reason="",
    *,
    related_document=None,
    responsible_agency="",
    withheld_note="",
    title=None,
    body=None,
    on=None,
):
    """答复: the result (and its reason) and the answer letter, made final; the application
    closes. ``title``/``body``: the letter as staff edited it; composed from the result when
    not given. For 网上获取, the information given is what ``add_released_files`` attached."""
    application = _locked(application)
    check(STEPS["answer"], application, user)
    check_result(result, reason, related_document, responsible_agency)
    withheld_note = withheld_note.strip() if result == Result.PARTIAL else ""
    on = _step_day(application, on)
    check_delivery(application, result, related_document, withheld_note)
    application.result, application.reason = result, reason
    application.related_document = related_document
    application.responsible_agency = responsible_agency.strip()
    application.withheld_note = withheld_note
    composed_title, composed_body = letters.compose(application, Letter.Kind.ANSWER, on=on)
    letter = Letter.objects.create(
        application=application,
        kind=Letter.Kind.ANSWER,
        title=title or composed_title,
        body=body or composed_body,
    )
    _finalise(letter, user)
    _close(application, user, "answer", result, reason, on, letter=letter.pk)
    notify(
        application,
        _("您的政府信息公开申请已答复（编号 %(number)s）") % {"number": application.number},
        _("%(agency)s已于%(on)s答复您的申请（%(result)s）。%(how)s")
        % {
            "agency": application.agency.name,
            "on": letters.date_text(on),
            "result": application.get_result_display(),
            "how": _("答复书及提供的信息可在门户网站用查询码查看和下载。")
            if application.delivery == Application.Delivery.ONLINE
            else _("答复书将按您选择的方式送达。"),
        },
    )
    return letter


@transaction.atomic
def close_other(application, user, note, on=None):
    """其他处理 — 其他: e.g. the applicant withdrew the application."""
    application, on = _begin("close", application, user, on, text=note)
    return _close(application, user, "close", Result.OTHER, Reason.OTHER, on, note=note)


@transaction.atomic
def edit_letter(letter, user, title, body):
    """Staff change a draft letter's text; a final one stays as it was."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    check_may_handle(letter.application, user)
    if letter.is_final:
        raise ApplicationError(_("文书已定稿，不能再修改。"))
    letter.title, letter.body = title, body
    letter.save()
    _record(letter.application, user, "letter_edit", letter=letter.pk, kind=letter.kind)
    return letter


@transaction.atomic
def finalise_letter(letter, user):
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    check_may_handle(letter.application, user)
    if letter.is_final:
        raise ApplicationError(_("文书已经定稿。"))
    _finalise(letter, user)
    _record(letter.application, user, "letter_final", letter=letter.pk, sha256=letter.final_sha256)
    return letter


@transaction.atomic
def open_personal_data(application, user, what):
    """Record that ``user`` saw the full ID number or the identity file (``what``)."""
    check_may_handle(application, user)
    audit.record(
        application_actions.PERSONAL_DATA, actor=user, obj=application, details={"what": what}
    )


# -- the workflow table ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Step(workflow.Step):
    """One step of handling: what the service checks and what the admin offers."""

    when: Callable | None = None  # a further condition on the application (a flag)

    def open_for(self, application):
        """Whether ``application`` may take this step now (who acts aside)."""
        return self.leaves_from(application.status) and (
            self.when is None or self.when(application)
        )


# Handling needs both: seeing applications and changing them.
HANDLE = ["applications.view_application", "applications.change_application"]


def check_may_handle(application, user):
    # Applications are personal data: the clerks' own agencies, never the auditors' view of all.
    if refusal(user, HANDLE, application.agency_id, scope=membership_scope):
        raise ApplicationError(_("您不能办理这件申请。"))


def check(step, application, user, text=None):
    check_may_handle(application, user)
    if not step.leaves_from(application.status):
        raise ApplicationError(
            _("申请 %(number)s 当前状态为“%(status)s”，不能%(action)s。")
            % {
                "number": application.number,
                "status": application.get_status_display(),
                "action": step.label,
            }
        )
    if step.when is not None and not step.when(application):
        raise ApplicationError(step.refusal)
    if step.lacks_text(text):
        raise ApplicationError(step.text_missing)


OPEN = frozenset({Status.IN_PROGRESS})

STEPS = {
    step.key: step
    for step in [
        Step("confirm", confirm_receipt, frozenset({Status.SUBMITTED}), Status.IN_PROGRESS,
             gettext_lazy("确认收到")),
        Step("supplement", request_supplement, OPEN, Status.SUPPLEMENT,
             gettext_lazy("告知补正"), gettext_lazy("需补正的内容"),
             gettext_lazy("请写明需要补正的事项。"),
             when=lambda a: not a.supplement_requested_on,
             refusal=gettext_lazy("补正只能一次性告知，本申请已经告知过补正。")),
        Step("supplemented", receive_supplement, frozenset({Status.SUPPLEMENT}),
             Status.IN_PROGRESS, gettext_lazy("收到补正"), gettext_lazy("补正的内容"),
             gettext_lazy("请填写申请人补正的内容（如补正后的所需信息名称或描述）。")),
        Step("no_supplement", close_unsupplemented, frozenset({Status.SUPPLEMENT}),
             Status.CLOSED, gettext_lazy("逾期不补正，终止办理")),
        Step("consult", start_consultation, OPEN, Status.CONSULTING, gettext_lazy("征求意见"),
             gettext_lazy("征求意见对象"), gettext_lazy("请填写征求意见的第三方或机关。")),
        Step("consulted", end_consultation, frozenset({Status.CONSULTING}), Status.IN_PROGRESS,
             gettext_lazy("登记意见")),
        Step("extend", extend, OPEN, Status.IN_PROGRESS, gettext_lazy("延期答复"),
             gettext_lazy("延期理由"), gettext_lazy("请填写延期理由。"),
             when=lambda a: not a.extension_days,
             refusal=gettext_lazy("答复期限只能延长一次，本申请已经延期。")),
        Step("fee", notify_fee, OPEN, Status.FEE, gettext_lazy("发出收费通知"),
             when=lambda a: not a.fee_notice_on,
             refusal=gettext_lazy("本申请已经发出过收费通知。")),
        Step("paid", record_payment, frozenset({Status.FEE}), Status.IN_PROGRESS,
             gettext_lazy("登记缴费")),
        Step("unpaid", close_unpaid, frozenset({Status.FEE}), Status.CLOSED,
             gettext_lazy("逾期未缴费，终止办理")),
        Step("answer", answer, OPEN, Status.CLOSED, gettext_lazy("答复")),
        Step("close", close_other,
             frozenset({Status.SUBMITTED, Status.IN_PROGRESS, Status.SUPPLEMENT,
                        Status.CONSULTING, Status.FEE}),
             Status.CLOSED, gettext_lazy("其他方式办结"), gettext_lazy("办结说明"),
             gettext_lazy("请说明办结的原因（如申请人撤回申请）。")),
    ]
}  # fmt: skip


def available_steps(application, user):
    """The steps ``user`` may take on ``application`` now."""
    try:
        check_may_handle(application, user)
    except ApplicationError:
        return []
    return [step for step in STEPS.values() if step.open_for(application)]
