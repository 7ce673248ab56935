"""The citizen's side of 依申请公开: the guide with the receiving agencies, the form of each
agency, the receipt, the status page and the public statistics.

The form, the receipt and the status page carry personal data or a 查询码: they are never
public pages (``portal.page_cache``) and always ``no-store``. The receipt is shown once, to the
browser session that submitted.
"""

import hashlib
import time
from datetime import date
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from catalog.models import Agency
from disclosure.applications import letters, limits, services
from disclosure.applications.clock import clock
from disclosure.applications.form_docx import application_form_docx
from disclosure.applications.forms import ApplicationForm, StatusForm, SupplementReplyForm
from disclosure.applications.letter_docx import letter_docx
from disclosure.applications.models import (
    ANSWER_DAYS,
    MAX_EXTENSION_DAYS,
    SUPPLEMENT_NOTICE_DAYS,
    Application,
    Letter,
    ReleasedFile,
)
from disclosure.applications.uploads import (
    IDENTITY_SUFFIXES,
    KEPT_IDENTITY,
    IdentityUploadLimit,
    check_identity_file,
)
from portal import built_files, downloads, page_cache
from portal.files import file_response
from portal.workdays import add_working_days

# The catalogue column (slug) whose page leads to the guide.
COLUMN_SLUG = "ysqgk"
RECEIPT_KEY = "applications:receipt"
RECEIPT_SECONDS = 15 * 60  # an unopened receipt's session ends after this


def receiving_agencies():
    return Agency.objects.filter(accepts_applications=True).order_by("level", "name")


class GuideView(TemplateView):
    """How to apply, the time limits and remedies, and the agencies that receive applications."""

    template_name = "disclosure/applications/guide.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            agencies=receiving_agencies(),
            answer_days=ANSWER_DAYS,
            extension_days=MAX_EXTENSION_DAYS,
            supplement_days=SUPPLEMENT_NOTICE_DAYS,
            **kwargs,
        )


@never_cache
@csrf_exempt  # only to set the upload handler before the body is read: _apply checks CSRF
@require_http_methods(["GET", "POST"])
def apply(request, pk):
    """The form for one agency. A refusal saves nothing and says why; success redirects to the
    receipt (post/redirect/get). An identity file over the limit is not kept while it is read."""
    upload_limit = IdentityUploadLimit(request)
    request.upload_handlers.insert(0, upload_limit)
    return _apply(request, pk, upload_limit)


@csrf_protect
def _apply(request, pk, upload_limit):
    agency = get_object_or_404(receiving_agencies(), pk=pk)
    refusal, status = None, 200
    kept = _kept_identity(request, agency)
    if request.method == "POST":
        form = ApplicationForm(
            request.POST, request.FILES, too_large=upload_limit.too_large, kept=kept
        )
        checking = None
        if form.is_bot:
            refusal, status = _("提交未能受理：表单中供识别自动程序的隐藏栏目被填写了。"
                                "如果您是本人填写，请刷新页面后重新提交。"), 400  # fmt: skip
            form = _unchecked(request)
        elif request.FILES and (checking := _identity_check_slot(request)) is not None:
            refusal, status = checking, 429
            form = _unchecked(request)
        elif form.is_valid():
            try:
                application, code = _submit(request, form, agency)
            except limits.Limited as exc:
                refusal, status = _limited_message(exc), 429
            except services.ApplicationError as exc:
                refusal, status = str(exc), 400
            except ValidationError as exc:  # a rule of the model the form does not check
                refusal, status = " ".join(exc.messages), 400
            else:
                _forget_identity(request)
                _keep_receipt(request, application, agency, code)
                return redirect("applications:receipt")
        else:
            kept = _keep_identity(request, agency, form) or kept
            form.kept = kept
    else:
        form = ApplicationForm(kept=kept)
    context = {"agency": agency, "form": form, "refusal": refusal}
    return render(request, "disclosure/applications/apply.html", context, status=status)


def _unchecked(request):
    """The form as sent, shown again without being checked (checking opens the identity file)."""
    sent = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "website")}
    return ApplicationForm(initial=sent)


def _identity_check_slot(request):
    """Checking an attached proof of identity opens it with Pillow: each check takes one of the
    client's (and its network's) checks of the hour before it runs, valid or not. Returns the
    refusal's message when none is left, else None."""
    try:
        limits.take_identity_check(request)
    except limits.Limited as exc:
        return _(
            "上传身份证明过于频繁：同一网络地址每小时最多检查 %(limit)s 次，请 %(minutes)s 分钟后再试。"
        ) % {"limit": limits.IDENTITY_CHECKS_PER_HOUR, "minutes": exc.minutes}
    return None


# An identity file accepted with a form that came back with other errors is kept (privately,
# for a day at most) so the applicant need not choose it again: named in their session only.
KEPT_IDENTITY_KEY = "applications:identity"


def _kept_identity(request, agency):
    """The identity file kept for this browser's form to ``agency``: {"name", "original",
    "type"}, or None."""
    kept = request.session.get(KEPT_IDENTITY_KEY)
    if not kept or kept.get("agency") != agency.pk or KEPT_IDENTITY.path(kept["name"]) is None:
        return None
    return kept


def _keep_identity(request, agency, form):
    """Keep the identity file of a form that came back, when the file itself was accepted and
    fewer than APPLICATION_KEPT_IDENTITY_FILES are kept (anyone may send forms: the folder is
    bounded, and a form past the bound asks for the file again). Under a new session key: a
    session id planted in the browser beforehand keeps nothing for its planter."""
    upload = form.cleaned_data.get("identity_file") if "identity_file" not in form.errors else None
    if not upload:
        return None
    _forget_identity(request)
    checked = check_identity_file(upload)
    stored = KEPT_IDENTITY.store(
        upload,
        IDENTITY_SUFFIXES[checked.content_type],
        max_files=settings.APPLICATION_KEPT_IDENTITY_FILES,
    )
    if stored is None:
        return None
    if request.session.session_key is not None:  # a session the browser brought (read above)
        request.session.cycle_key()
    name, _digest = stored
    kept = {
        "name": name,
        "original": checked.original_name,
        "type": checked.content_type,
        "agency": agency.pk,
    }
    request.session[KEPT_IDENTITY_KEY] = kept
    return kept


def _forget_identity(request):
    kept = request.session.pop(KEPT_IDENTITY_KEY, None)
    if kept:
        KEPT_IDENTITY.discard(kept["name"])


def _identity_upload(form):
    """The identity file to submit: the one sent now, else the one kept for the form."""
    upload = form.cleaned_data["identity_file"]
    if upload or not form.kept:
        return upload
    path = KEPT_IDENTITY.path(form.kept["name"])
    return SimpleUploadedFile(form.kept["original"], path.read_bytes(), form.kept["type"])


def _submit(request, form, agency):
    """Submit under one of the client's slots; a refusal or an error gives the slot back."""
    slot = limits.take_submission_slot(request)
    try:
        return services.submit(form.build(agency), _identity_upload(form))
    except BaseException:
        slot.give_back()
        raise


def _keep_receipt(request, application, agency, code):
    """Keep the receipt for the receipt page: under a new session key, so that a session id
    planted in the browser beforehand cannot read it, and for RECEIPT_SECONDS only, so that a
    receipt nobody opens does not keep its 查询码 in the session table."""
    request.session.cycle_key()
    submitted = timezone.localtime(application.submitted_at)
    request.session[RECEIPT_KEY] = {
        "number": application.number,
        "agency": agency.name,
        "agency_pk": agency.pk,
        "code": code,
        "emailed": bool(application.email),
        "info_title": application.info_title,
        "submitted": f"{letters.date_text(submitted.date())} {submitted:%H:%M}",
        # If the agency confirms on the next working day, the answer is due by this day.
        "due": letters.date_text(
            add_working_days(add_working_days(submitted.date(), 1), ANSWER_DAYS)
        ),
    }
    request.session.set_expiry(RECEIPT_SECONDS)
    # Receipts never opened (and every other session past its expiry) leave the table.
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def _limited_message(exc):
    return _(
        "提交过于频繁：同一网络地址每小时最多提交 %(limit)s 件申请，请 %(minutes)s 分钟后再试。"
        "如有大量申请，请与受理机关联系。"
    ) % {"limit": settings.APPLICATIONS_PER_HOUR, "minutes": exc.minutes}


@never_cache
def receipt(request):
    """The number and 查询码 of the application just submitted, once; then nothing of it is
    left in the session store."""
    shown = request.session.pop(RECEIPT_KEY, None)
    if shown is not None:
        request.session.set_expiry(None)  # the session's usual expiry again
        if not request.session.keys():
            request.session.flush()  # nothing else in it: its row goes too
    return render(
        request,
        "disclosure/applications/receipt.html",
        {"receipt": shown, "answer_days": ANSWER_DAYS},
        status=200 if shown else 404,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """查询码 + the phone number's last four digits → where the application stands."""
    form = StatusForm(request.POST or None)
    application, refusal, code = None, None, 200
    if request.method == "POST" and form.is_valid():
        try:
            slot = limits.take_lookup_slot(request)
        except limits.Limited as exc:
            refusal, code = (
                _("查询错误次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": exc.minutes},
                429,
            )
        else:
            application = services.find_by_code(
                form.cleaned_data["code"], form.cleaned_data["phone_tail"]
            )
            if application is None:
                form.add_error(None, _("查询码或联系电话后四位不正确，请核对后重新输入。"))
            else:
                slot.give_back()  # only wrong tries count
                grant_files(request, application)
    context = {"form": form, "refusal": refusal, "answer_days": ANSWER_DAYS}
    if application is not None:
        context.update(status_context(application))
    return render(request, "disclosure/applications/status.html", context, status=code)


def status_context(application, supplement_form=None):
    answered = application.status == Application.Status.CLOSED
    gives = answered and application.result in services.GIVES_INFORMATION
    answer = None
    if (
        application.status == Application.Status.CLOSED
        and application.delivery == Application.Delivery.ONLINE
    ):
        answer = (
            application.letters.filter(kind=Letter.Kind.ANSWER, final_at__isnull=False)
            .order_by("-final_at")
            .first()
        )
    return {
        "application": application,
        "agency": application.agency,
        "clock": clock(application),
        "answer": answer,
        "consulting": application.consultations.filter(replied_on=None).exists(),
        # What the letters promise: the information given, and every letter sent, to download.
        "released": application.released_files.all() if gives else (),
        "letters": applicants_letters(application).order_by("final_at"),
        "files_minutes": FILES_SECONDS // 60,
        "supplement_form": (
            supplement_form or SupplementReplyForm()
            if application.status == Application.Status.SUPPLEMENT
            else None
        ),
    }


# After a lookup, its files and letters can be downloaded in this browser for this long.
FILES_KEY = "applications:files"
FILES_SECONDS = 30 * 60


def applicants_letters(application):
    """The final letters written to the applicant: not a 征求意见函, which is written to the
    party consulted and names it."""
    return application.letters.filter(final_at__isnull=False).exclude(kind=Letter.Kind.CONSULTATION)


def grant_files(request, application):
    """Open the application's files and letters to this browser for FILES_SECONDS, under a new
    session key: a session id planted in the browser beforehand opens nothing to its planter."""
    now = int(time.time())
    granted = {pk: until for pk, until in request.session.get(FILES_KEY, {}).items() if until > now}
    if request.session.session_key is not None:  # a session the browser brought (read above)
        request.session.cycle_key()
    granted[str(application.pk)] = now + FILES_SECONDS
    request.session[FILES_KEY] = granted


def _granted(request, application):
    return request.session.get(FILES_KEY, {}).get(str(application.pk), 0) > time.time()


def _lookup_again(request):
    """The status form, with word that the download needs a lookup first (or again)."""
    context = {
        "form": StatusForm(),
        "refusal": _("请输入查询码和联系电话后四位查询后再下载（查询后 %(minutes)s 分钟内有效）。")
        % {"minutes": FILES_SECONDS // 60},
        "answer_days": ANSWER_DAYS,
    }
    return render(request, "disclosure/applications/status.html", context, status=403)


def _download_refused(request):
    """The status form with word that this client has used its downloads of the hour, or None
    (``limits.take_download``)."""
    try:
        limits.take_download(request)
    except limits.Limited as exc:
        context = {
            "form": StatusForm(),
            "refusal": _(
                "下载过于频繁：同一网络地址每小时最多下载 %(limit)s 次，请 %(minutes)s 分钟后再试。"
            )
            % {"limit": limits.DOWNLOADS_PER_HOUR, "minutes": exc.minutes},
            "answer_days": ANSWER_DAYS,
        }
        return render(request, "disclosure/applications/status.html", context, status=429)
    return None


@never_cache
@csrf_exempt  # only to set the upload handler before the body is read: _supplement checks CSRF
@require_http_methods(["POST"])
def supplement(request, pk):
    """补正 online: the applicant who looked the application up sends what the notice asked for
    (and a file); the clock runs again from today. A file over the limit is not kept."""
    upload_limit = IdentityUploadLimit(request, field_name="supplement_file")
    request.upload_handlers.insert(0, upload_limit)
    return _supplement(request, pk, upload_limit)


@csrf_protect
def _supplement(request, pk, upload_limit):
    application = Application.objects.filter(pk=pk).first()
    if application is None or not _granted(request, application):
        return _lookup_again(request)
    form = SupplementReplyForm(request.POST, request.FILES, too_large=upload_limit.too_large)
    status, notice, refusal = 400, None, None
    if application.status != Application.Status.SUPPLEMENT:
        # The page then shows no supplement form to carry the message: it goes on top.
        refusal = _("这件申请目前不需要补正。")
    elif form.is_valid():
        try:
            services.supplement_online(
                application, form.cleaned_data["supplied"], form.cleaned_data["supplement_file"]
            )
        except services.ApplicationError as exc:
            form.add_error(None, str(exc))
        else:
            application.refresh_from_db()
            status, notice = 200, _("补正已提交，答复期限自今天起重新计算。")
            form = None
    context = {"form": StatusForm(), "answer_days": ANSWER_DAYS, "notice": notice}
    context.update(status_context(application, supplement_form=form), refusal=refusal)
    return render(request, "disclosure/applications/status.html", context, status=status)


@never_cache
@require_http_methods(["GET"])
def released_file(request, pk):
    """A file given to the applicant (网上获取), to the browser that looked the application up."""
    released = ReleasedFile.objects.select_related("application").filter(pk=pk).first()
    if released is None:
        raise Http404
    application = released.application
    if not _granted(request, application):
        return _lookup_again(request)
    if not (
        application.status == Application.Status.CLOSED
        and application.result in services.GIVES_INFORMATION
    ):
        raise Http404
    refused = _download_refused(request)
    if refused is not None:
        return refused
    try:
        handle = released.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    services.note_download(application, file=released.name)
    return file_response(handle, released.name, released.content_type)


@never_cache
@require_http_methods(["GET"])
def status_letter(request, pk):
    """A final letter of the application as a Word file, to the browser that looked it up."""
    letter = Letter.objects.select_related("application").filter(pk=pk).first()
    if letter is None or not applicants_letters(letter.application).filter(pk=pk).exists():
        raise Http404
    application = letter.application
    if not _granted(request, application):
        return _lookup_again(request)
    refused = _download_refused(request)
    if refused is not None:
        return refused
    services.note_download(application, letter=letter.pk)
    name = f"{application.number}-{letter.get_kind_display()}.docx"
    return file_response(letter_docx(letter), name, downloads.DOCX_TYPE)


class StatisticsView(TemplateView):
    """Per year and agency: applications received, and those closed by result. Counts only."""

    template_name = "disclosure/applications/statistics.html"

    def years(self):
        received = {d.year for d in Application.objects.dates("received_on", "year")}
        closed = {d.year for d in Application.objects.dates("closed_on", "year")}
        return sorted(received | closed | {timezone.localdate().year}, reverse=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years = self.years()
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            year = years[0]
        if year not in years:
            year = years[0]
        page_cache.used(self.request, year=year)
        first, last = date(year, 1, 1), date(year, 12, 31)
        received = dict(
            Application.objects.received_between(first, last)
            .values_list("agency")
            .annotate(n=Count("pk"))
            .order_by()
        )
        closed = {}
        for agency_id, result, n in (
            Application.objects.closed_between(first, last)
            .values_list("agency", "result")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            closed.setdefault(agency_id, {})[result] = n
        agencies = Agency.objects.filter(
            Q(accepts_applications=True) | Q(pk__in=set(received) | set(closed))
        ).order_by("level", "name")
        results = Application.Result
        rows = []
        for agency in agencies.only("pk", "name", "level"):
            by_result = closed.get(agency.pk, {})
            rows.append(_row(agency.name, received.get(agency.pk, 0), by_result, results))
        total = _row(
            _("合计"),
            sum(received.values()),
            {r: sum(c.get(r, 0) for c in closed.values()) for r in results.values},
            results,
        )
        context.update(years=years, year=year, rows=rows, total=total, results=results.labels)
        return context


def _row(name, received, by_result, results):
    counts = [by_result.get(value, 0) for value in results.values]
    return {"name": name, "received": received, "results": counts, "closed": sum(counts)}


def former_admin_address(request):
    """An admin address from before 依申请公开 moved app, redirected to the same page now."""
    return HttpResponsePermanentRedirect(
        request.get_full_path().replace("/admin/disclosure/", "/admin/applications/", 1)
    )


@require_http_methods(["GET", "HEAD"])
def application_form(request):
    """The blank 政府信息公开申请表 (.docx) for applications by post, fax or in person: a public
    file as ``portal.built_files`` answers one (``no-cache`` with its ETag, a 304 carrying the
    file's headers), not a page of the page cache, whose 304 would carry a page's."""
    content = application_form_docx()
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    unchanged = built_files.not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    response = file_response(content, "政府信息公开申请表.docx", downloads.DOCX_TYPE, private=False)
    response["ETag"] = etag
    return response
