"""合规检查 as an admin page of the documents (``admin:disclosure_document_compliance``),
registered by the reports (``register``): the document core does not know it."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.reports.compliance import build_report, report_download
from portal import downloads, registry
from portal.admin_pages import AdminPage
from portal.widgets import DateInput


class ComplianceForm(forms.Form):
    as_of = forms.DateField(
        label=_("检查日期"),
        required=False,
        widget=DateInput(),
        help_text=_("按该日结束时的情况检查；留空为今天。"),
    )

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day and not 1949 <= day.year <= 2100:
            raise forms.ValidationError(_("日期应在1949年至2100年之间。"))
        return day


class CompliancePage(AdminPage):
    """合规检查 as of a chosen day, with CSV/XLSX downloads."""

    template_name = "admin/disclosure/document/compliance.html"

    def get(self, request):
        admin = self.model_admin
        if not admin.has_view_permission(request):
            raise PermissionDenied
        form = ComplianceForm(request.GET or None)
        day = (
            form.cleaned_data["as_of"]
            if form.is_valid() and form.cleaned_data["as_of"]
            else timezone.localdate()
        )
        report = build_report(day, request.user)
        file_format = request.GET.get("download")
        if file_format in ("csv", "xlsx"):
            try:
                return downloads.response(report_download(report), file_format, request.user)
            except downloads.ExportLimited as limited:
                return downloads.limited_page(request, limited, admin.admin_site)
        context = {
            "title": _("合规检查"),
            "form": form,
            "report": report,
            "query": request.GET.urlencode(),
        }
        return self.render(request, context)


def register():
    registry.admin_view(
        "disclosure.document", "compliance/", "compliance", CompliancePage, label=_("合规检查")
    )
