"""The annual report admin's pages of their own, as view classes receiving the model admin
(``portal.admin_pages.AdminPage``): making a report final, reopening it, its files, and
全区汇总."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from catalog.scoping import agency_scope
from disclosure.reports.annual import (
    district_totals,
    report_sections,
)
from disclosure.reports.annual_files import FORMATS, report_file
from disclosure.reports.annual_services import (
    ReportError,
    make_final,
    reopen,
)
from disclosure.reports.models import (
    AnnualReport,
)
from portal import downloads
from portal.admin_pages import AdminPage


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("退回修改的原因"), widget=forms.Textarea(attrs={"rows": 2}))


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2008, max_value=2100)


class FinalPage(AdminPage):
    def post(self, request, object_id):
        report = self.model_admin._report_or_404(request, object_id)
        if not self.model_admin.has_change_permission(request, report):
            raise PermissionDenied
        try:
            report = make_final(report, request.user)
        except ReportError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            self.message_user(request, _("报告未定稿，请修正上述问题。"), messages.ERROR)
            return HttpResponseRedirect(self.model_admin._change_url(report))
        document_url = reverse("admin:disclosure_document_change", args=[report.document_id])
        self.message_user(
            request,
            _("报告已定稿，公开文件草稿已生成，请提交审核并发布：%(url)s") % {"url": document_url},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(document_url)


class ReopenPage(AdminPage):
    """A final report made a draft again (its service says when it may be)."""

    reopen = staticmethod(reopen)
    done = _("报告已退回为草稿。")

    def post(self, request, object_id):
        report = self.model_admin._report_or_404(request, object_id)
        if not self.model_admin.has_change_permission(request, report):
            raise PermissionDenied
        form = ReopenForm(request.POST)
        try:
            self.reopen(report, request.user, form.data.get("reason", ""))
        except ReportError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, self.done, messages.SUCCESS)
        return HttpResponseRedirect(self.model_admin._change_url(report))


class ReportFilePage(AdminPage):
    """A report as a .docx or .xlsx for staff, through the download audit."""

    report_file = staticmethod(report_file)

    def get(self, request, object_id, file_format):
        report = self.model_admin._report_or_404(request, object_id)
        if not self.model_admin.has_view_permission(request, report):
            raise PermissionDenied
        if file_format not in FORMATS:
            raise Http404
        try:
            return downloads.built_response(self.report_file(report, file_format), request.user)
        except downloads.ExportLimited as limited:
            return downloads.limited_page(request, limited, self.admin_site)


class DistrictPage(AdminPage):
    """全区汇总: the sums of a year's final reports, and the agencies without a published one."""

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        form = YearForm(request.GET or {"year": timezone.localdate().year - 1})
        year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year - 1
        reports = list(
            self.model_admin.get_queryset(request)
            .filter(year=year)
            .select_related("agency", "document")
        )
        final = [r for r in reports if r.is_final]
        total, figures = district_totals(year, final)
        published = {r.agency_id for r in AnnualReport.objects.published().filter(year=year)}
        by_agency = {r.agency_id: r for r in reports}
        agencies = [
            (agency, by_agency.get(agency.pk), agency.pk in published)
            for agency in Agency.objects.filter(
                agency_scope(request.user).q("pk", "disclosure_office")
            ).order_by("level", "name")
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("%(year)s年政府信息公开工作年度报告 全区汇总") % {"year": year},
            "form": form,
            "year": year,
            "agencies": agencies,
            "missing": [a for a, _r, done in agencies if not done],
            "final_count": len(final),
            "sections": [s for s in report_sections(total, figures) if s.table],
            "problems": figures.balance_errors() + total.litigation_errors(),
        }
        return TemplateResponse(request, "admin/disclosure/annualreport/district.html", context)
