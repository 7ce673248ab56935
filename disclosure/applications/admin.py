"""Admin for applications (依申请公开): the list with its clock, registering applications received
on paper, the handling page with one button per step (``services.STEPS``), the letters (print,
.docx, edit, make final), the identity file and the full ID number (each opening audited), and
the dashboard of what is overdue or nearly due.

Only 依申请办理 staff of the receiving agency (and superusers) see an application
(``Application.objects.for_staff``); everyone else gets a 404 on every URL of one.
"""

from datetime import date, datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Agency
from catalog.scoping import membership_scope
from disclosure.applications import actions as application_actions
from disclosure.applications import admin_pages, services
from disclosure.applications.admin_forms import ApplicationRegisterForm
from disclosure.applications.clock import clock, confirmation_overdue, flags
from disclosure.applications.dashboard import DEADLINES
from disclosure.applications.models import Application, Consultation, Letter
from portal import registry
from portal.admin import DeclaredLookupsOnly
from portal.models import AuditEvent
from portal.workdays import load_calendar, provisional_mark

HISTORY_LABELS = {
    "submit": gettext_lazy("登记申请"),
    "letter_edit": gettext_lazy("修改文书"),
    "letter_final": gettext_lazy("文书定稿"),
    "released_add": gettext_lazy("上传提供的信息"),
    "released_remove": gettext_lazy("删除提供的信息"),
    "released_download": gettext_lazy("申请人下载提供的信息"),
}
APPLICANT_FIELDS = [
    "channel", "applicant_type", "name", "id_type", "work_unit", "credit_code",
    "legal_representative", "contact_person", "phone", "email", "address", "postcode",
]  # fmt: skip
REQUEST_FIELDS = ["info_title", "info_number", "description", "medium", "delivery"]
HANDLING_FIELDS = [
    "submitted_at", "received_on", "supplement_requested_on", "supplement_request",
    "supplement_due_on", "supplement_received_on", "supplement_reply", "extended_on", "extension_days",
    "extension_reason", "extension_approved_by", "fee_amount", "fee_basis", "fee_notice_on",
    "fee_due_on", "fee_paid_on", "result", "reason", "withheld_note", "related_document",
    "responsible_agency", "closed_on", "identity_removed_on",
]  # fmt: skip


class ScopedAgencyFilter(admin.RelatedFieldListFilter):
    """受理机关: only the agencies whose applications the user handles."""

    def field_choices(self, field, request, model_admin):
        agencies = Agency.objects.filter(membership_scope(request.user).q("pk")).order_by("name")
        return [(agency.pk, agency.name) for agency in agencies]


class DeadlineFilter(admin.SimpleListFilter):
    """期限: computed from the calendar when asked, like every deadline of an application."""

    title = gettext_lazy("期限")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return list(DEADLINES.items())

    def queryset(self, request, queryset):
        if self.value() in DEADLINES:
            return queryset.filter(pk__in=getattr(flags(queryset), self.value()))
        return queryset


def field_rows(application, names):
    """(label, value) of ``names`` on ``application``, the values as staff read them."""
    rows = []
    for name in names:
        field = Application._meta.get_field(name)
        value = getattr(application, name)
        if field.choices and value:
            value = getattr(application, f"get_{name}_display")()
        elif isinstance(value, datetime):
            value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, date):
            value = value.isoformat()
        if value in (None, "", 0) and name not in ("name", "phone"):
            continue
        rows.append((field.verbose_name, value))
    return rows


DETAIL_LABELS = {
    "channel": (gettext_lazy("申请方式"), Application.Channel),
    "received_on": (gettext_lazy("日期"), None),
    "due_on": (gettext_lazy("补正期限"), None),
    "party_kind": (gettext_lazy("征求对象"), Consultation.Party),
    "replied_on": (gettext_lazy("收到意见日期"), None),
    "days": (gettext_lazy("延长工作日"), None),
    "amount": (gettext_lazy("金额（元）"), None),
    "paid_on": (gettext_lazy("缴费日期"), None),
    "result": (gettext_lazy("结果"), Application.Result),
    "reason": (gettext_lazy("理由"), Application.Reason),
    "note": (gettext_lazy("说明"), None),
    "kind": (gettext_lazy("文书"), Letter.Kind),
}


def detail_text(details):
    """An audit event's details as staff read them (the labels above; the rest left out)."""
    parts = []
    for key, value in details.items():
        if key not in DETAIL_LABELS or value in ("", None):
            continue
        label, choices = DETAIL_LABELS[key]
        if choices is not None and value in choices.values:
            value = choices(value).label
        parts.append(f"{label}：{value}")
    return "；".join(parts)


def history_rows(application):
    """The application's steps and the openings of its personal data, from the audit log."""
    events = AuditEvent.objects.filter(
        object_type__in=registry.stored_labels(Application), object_id=str(application.pk)
    ).order_by("occurred_at", "pk")
    rows = []
    for event in events:
        details = dict(event.details or {})
        if event.action == application_actions.PERSONAL_DATA:
            what = details.get("what")
            label = {
                "id_number": _("查看完整证件号码"),
                "supplement_file": _("查看补正材料"),
            }.get(what, _("查看身份证明文件"))
        else:
            key = details.pop("step", "")
            step = services.STEPS.get(key)
            label = step.label if step else HISTORY_LABELS.get(key, key)
        rows.append({"event": event, "label": label, "details": detail_text(details)})
    return rows


@admin.register(Application)
class ApplicationAdmin(DeclaredLookupsOnly, admin.ModelAdmin):
    form = ApplicationRegisterForm
    # The annual report's numbers link to the applications they count (reports/annual.py).
    extra_lookups = ["received_on", "closed_on", "applicant_type", "result", "reason"]
    # Fits 1366 pixels: the applicant's name, kind and masked number in one column, what is
    # asked for beside it; the agency only for those who handle more than one.
    list_display = [
        "number", "status", "due_display", "days_left_display", "received_display", "agency",
        "applicant_display", "info_display",
    ]  # fmt: skip
    list_filter = ["status", ("agency", ScopedAgencyFilter), DeadlineFilter]
    list_select_related = ["agency"]
    search_fields = ["=number", "name", "info_title"]
    search_help_text = gettext_lazy(
        "按申请编号（如 2026-00001）、申请人姓名或名称、所需信息名称查找。"
    )
    change_list_template = "admin/applications/application/change_list.html"
    fieldsets = [
        (gettext_lazy("收到申请"), {"fields": ["agency", "channel", "received_on"]}),
        (
            gettext_lazy("申请人"),
            {
                "fields": [
                    "applicant_type", "name", "id_type", "id_number", "work_unit", "credit_code",
                    "legal_representative", "contact_person", "phone", "email", "address",
                    "postcode", "identity_upload",
                ]
            },
        ),
        (
            gettext_lazy("所需信息"),
            {"fields": ["info_title", "info_number", "description", "medium", "delivery"]},
        ),
    ]  # fmt: skip

    # --- who sees what ----------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = Application.objects.for_staff(request.user)
        return queryset.select_related("agency").prefetch_related("consultations")

    def _scoped_or_404(self, request, object_id):
        try:
            return self.get_queryset(request).get(pk=object_id)
        except (Application.DoesNotExist, ValueError, ValidationError):
            raise Http404(_("申请不存在，或不属于您办理的机关。")) from None

    def _in_scope(self, request, obj):
        return Application.objects.for_staff(request.user).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self._in_scope(request, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        return False  # an application is a record: it is closed, never deleted

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(membership_scope(request.user).q("pk"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- the list ---------------------------------------------------------------------------

    def _clock(self, obj):
        if not hasattr(obj, "_clock_state"):
            obj._clock_state = clock(obj)
        return obj._clock_state

    @admin.display(description=gettext_lazy("申请人"), ordering="name")
    def applicant_display(self, obj):
        return format_html(
            '{}<br><span class="quiet">{} {}</span>',
            obj.name,
            obj.get_applicant_type_display(),
            obj.masked_id_number,
        )

    @admin.display(description=gettext_lazy("所需信息"))
    def info_display(self, obj):
        title = obj.info_title
        return title if len(title) <= 40 else f"{title[:39]}…"

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        scope = membership_scope(request.user)
        if scope.agencies is not None and len(scope.agencies) <= 1:
            shown.remove("agency")  # the clerk's one agency, on every row
        return shown

    @admin.display(description=gettext_lazy("收到日期"), ordering="received_on")
    def received_display(self, obj):
        return obj.received_on.isoformat() if obj.received_on else "—"

    @admin.display(description=gettext_lazy("答复期限"))
    def due_display(self, obj):
        state = self._clock(obj)
        if confirmation_overdue(obj):
            return format_html('<span class="deadline-unconfirmed">{}</span>', _("待确认收到"))
        if state.due_on is None:
            return "—"
        mark = provisional_mark(state.due_on) or ("（暂定）" if state.provisional else "")
        css = self._urgency(obj, state)
        return format_html('<span class="{}">{}{}</span>', css, state.due_on.isoformat(), mark)

    @admin.display(description=gettext_lazy("剩余工作日"))
    def days_left_display(self, obj):
        state = self._clock(obj)
        if state.days_left is None or obj.status == Application.Status.CLOSED:
            return "—"
        text = (
            _("已超期%(n)s个工作日") % {"n": -state.days_left}
            if state.overdue
            else str(state.days_left)
        )
        return format_html('<span class="{}">{}</span>', self._urgency(obj, state), text)

    @staticmethod
    def _urgency(obj, state):
        if obj.status == Application.Status.CLOSED:
            return "deadline-closed"
        if state.overdue:
            return "deadline-overdue"
        if state.nearly_due:
            return "deadline-nearly-due"
        return "deadline-ok"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "dashboard_url": reverse("admin:applications_application_dashboard"),
        }
        return super().changelist_view(request, extra_context)

    # --- registering ------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ApplicationError as exc:
            # The form checks what the service checks; a refusal left nothing saved.
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied  # the handling page changes an application through its steps
        _saved, code = services.submit(
            obj,
            form.cleaned_data.get("identity_upload"),
            request.user,
            received_on=form.cleaned_data.get("received_on"),
        )
        self.message_user(
            request,
            _("申请已登记，编号 %(number)s。查询码 %(code)s 只显示这一次，请告知申请人。")
            % {"number": obj.number, "code": code},
            messages.WARNING,
        )

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:applications_application_change", args=[obj.pk]))

    # --- the handling page ------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self._scoped_or_404(request, object_id)
        if request.method != "GET":
            raise PermissionDenied  # steps, letters and the reveal have their own pages
        return self._handling_page(request, application)

    def _handling_page(self, request, application, revealed=False):
        state = clock(application, calendar=load_calendar())
        may_change = self.has_change_permission(request, application)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": application,
            "title": _("依申请公开申请 %(number)s") % {"number": application.number},
            "clock": state,
            "clock_mark": provisional_mark(state.due_on)
            or ("（暂定）" if state.provisional else ""),
            "unconfirmed": confirmation_overdue(application),
            "applicant": field_rows(application, APPLICANT_FIELDS),
            "wanted": field_rows(application, REQUEST_FIELDS),
            "handling": field_rows(application, HANDLING_FIELDS),
            "id_label": (
                Application._meta.get_field("id_number").verbose_name
                if application.is_person
                else Application._meta.get_field("credit_code").verbose_name
            ),
            "revealed": revealed,
            "full_id": (
                (application.id_number if application.is_person else application.credit_code)
                if revealed
                else ""
            ),
            "may_change": may_change,
            "steps": services.available_steps(application, request.user),
            "history": history_rows(application),
            "consultations": application.consultations.all(),
            "emails": application.emails.all(),
            "letters": application.letters.select_related("final_by"),
            "released": application.released_files.select_related("added_by"),
            "may_remove_released": may_change
            and application.status == Application.Status.IN_PROGRESS,
        }
        response = TemplateResponse(
            request, "admin/applications/application/handling.html", context
        )
        response["Cache-Control"] = "no-store, private"
        return response

    def history_view(self, request, object_id, extra_context=None):
        self._scoped_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._scoped_or_404(request, object_id)
        raise PermissionDenied

    # --- the steps --------------------------------------------------------------------------

    # --- letters ----------------------------------------------------------------------------

    # --- the dashboard ----------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "dashboard/",
                admin_pages.DashboardPage.as_page(self),
                name="applications_application_dashboard",
            ),
            path(
                "<path:object_id>/step/<str:key>/",
                admin_pages.StepPage.as_page(self),
                name="applications_application_step",
            ),
            path(
                "<path:object_id>/letters/<int:letter_id>/docx/",
                admin_pages.LetterDocxPage.as_page(self),
                name="applications_application_letter_docx",
            ),
            path(
                "<path:object_id>/letters/<int:letter_id>/",
                admin_pages.LetterPage.as_page(self),
                name="applications_application_letter",
            ),
            path(
                "<path:object_id>/identity/",
                admin_pages.IdentityPage.as_page(self),
                name="applications_application_identity",
            ),
            path(
                "<path:object_id>/released/<int:file_id>/",
                admin_pages.ReleasedFilePage.as_page(self),
                name="applications_application_released",
            ),
            path(
                "<path:object_id>/released/<int:file_id>/remove/",
                admin_pages.ReleasedRemovePage.as_page(self),
                name="applications_application_released_remove",
            ),
            path(
                "<path:object_id>/supplement-file/",
                admin_pages.SupplementFilePage.as_page(self),
                name="applications_application_supplement_file",
            ),
            path(
                "<path:object_id>/reveal/",
                admin_pages.RevealPage.as_page(self),
                name="applications_application_reveal",
            ),
            *super().get_urls(),
        ]
