"""Staff pages of the 政府网站工作年度报表: the form of what the portal cannot know (grouped as
in the national form), the counted figures beside it, making it final, reopening it, and its
files (``portal.admin_pages.AdminPage`` classes given the model admin)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.reports import admin_pages
from disclosure.reports.annual_files import FORMATS
from disclosure.reports.annual_services import ReportError
from disclosure.reports.models import WebsiteAnnualReport
from disclosure.reports.website import (
    BOOL,
    CHOICE,
    DAYS,
    ENTERED_ROWS,
    SECTIONS,
    SITE_TYPES,
    TEXT,
    sections,
)
from disclosure.reports.website_files import report_file
from disclosure.reports.website_services import make_final, reopen, save_entered
from portal.admin_pages import AdminPage

# What the portal counts but staff may state instead (留言 received elsewhere too).
MAY_REPLACE = _("留空则采用系统统计数（网上依申请公开）。")


def _field(row):
    label = row.label + (f"（{row.unit}）" if row.unit else "")
    help_text = MAY_REPLACE if row.source == "counted_or_entered" else ""
    if row.kind == BOOL:
        return forms.TypedChoiceField(
            label=label,
            choices=[("", "—"), ("1", "是"), ("0", "否")],
            coerce=lambda value: value == "1",
            empty_value=None,
            required=False,
        )
    if row.kind == CHOICE:
        return forms.ChoiceField(label=label, choices=[("", "—"), *SITE_TYPES], required=False)
    if row.kind == TEXT:
        return forms.CharField(label=label, max_length=200, required=False)
    if row.kind == DAYS:
        return forms.DecimalField(
            label=label, min_value=0, max_digits=6, decimal_places=1, required=False,
            help_text=help_text,
        )  # fmt: skip
    return forms.IntegerField(
        label=label, min_value=0, max_value=10**12, required=False, help_text=help_text
    )


class EnteredRowsForm(forms.ModelForm):
    """The year and every row staff fill in (``WebsiteReportForm`` declares a field for each);
    a value left blank stays blank in the report."""

    class Meta:
        model = WebsiteAnnualReport
        fields = ["year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in ENTERED_ROWS:
            stored = self.instance.entered.get(row.key)
            if stored is not None:
                self.initial[row.key] = {True: "1", False: "0"}.get(stored, stored)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2017 <= year < timezone.localdate().year + 1:
            raise forms.ValidationError(_("年度应在2017年至今年之间。"))
        return year

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_final:
            raise forms.ValidationError(_("报表已定稿，请先退回修改。"))
        parts = [cleaned.get(k) or 0 for k in ("cases_person", "cases_legal")]
        if cleaned.get("cases_total") is not None and sum(parts) > cleaned["cases_total"]:
            self.add_error("cases_total", _("办件量总数不能小于自然人与法人办件量之和。"))
        if (cleaned.get("security_fixed") or 0) > (cleaned.get("security_issues") or 0):
            self.add_error("security_fixed", _("问题整改数量不能大于发现问题数量。"))
        return cleaned

    def entered_values(self):
        values = {}
        for row in ENTERED_ROWS:
            value = self.cleaned_data.get(row.key)
            values[row.key] = float(value) if row.kind == DAYS and value is not None else value
        return values


# The admin checks its fieldsets against the fields a form class declares.
WebsiteReportForm = type(EnteredRowsForm)(
    "WebsiteReportForm",
    (EnteredRowsForm,),
    {"__module__": __name__, **{row.key: _field(row) for row in ENTERED_ROWS}},
)


def _fieldsets():
    fieldsets = [(None, {"fields": ["year"]})]
    for title, rows in SECTIONS:
        keys = [row.key for row in rows if row in ENTERED_ROWS]
        if keys:
            fieldsets.append((title, {"fields": keys}))
    return fieldsets


class WebsiteReportAdmin(admin.ModelAdmin):
    form = WebsiteReportForm
    list_display = ["__str__", "status", "final_at", "document"]
    change_form_template = "admin/disclosure/websiteannualreport/change_form.html"

    def get_fieldsets(self, request, obj=None):
        return _fieldsets()

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj is not None and obj.pk else []

    def save_model(self, request, obj, form, change):
        try:
            save_entered(obj, request.user, form.entered_values())
        except ReportError as error:
            # The form checked the same: a report made final meanwhile by someone else.
            raise PermissionDenied(str(error)) from None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                sections=sections(obj),
                formats=FORMATS,
                may_change=self.has_change_permission(request, obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _report_or_404(self, request, object_id):
        report = self.get_queryset(request).filter(pk=object_id).first()
        if report is None:
            raise Http404
        return report

    def _change_url(self, report):
        return reverse("admin:disclosure_websiteannualreport_change", args=[report.pk])

    def get_urls(self):
        custom = [
            path(
                "<path:object_id>/final/",
                FinalPage.as_page(self),
                name="disclosure_websiteannualreport_final",
            ),
            path(
                "<path:object_id>/reopen/",
                ReopenPage.as_page(self),
                name="disclosure_websiteannualreport_reopen",
            ),
            path(
                "<path:object_id>/file.<str:file_format>",
                FilePage.as_page(self),
                name="disclosure_websiteannualreport_file",
            ),
        ]
        return custom + super().get_urls()


class FinalPage(AdminPage):
    def post(self, request, object_id):
        report = self.model_admin._report_or_404(request, object_id)
        if not self.model_admin.has_change_permission(request, report):
            raise PermissionDenied
        try:
            report = make_final(report, request.user)
        except ReportError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(self.model_admin._change_url(report))
        document_url = reverse("admin:disclosure_document_change", args=[report.document_id])
        self.message_user(
            request,
            _("报表已定稿，公开文件草稿已生成，请提交审核并发布：%(url)s") % {"url": document_url},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(document_url)


class ReopenPage(admin_pages.ReopenPage):
    reopen = staticmethod(reopen)
    done = _("报表已退回为草稿。")


class FilePage(admin_pages.ReportFilePage):
    report_file = staticmethod(report_file)


admin.site.register(WebsiteAnnualReport, WebsiteReportAdmin)
