"""网站自查 as an admin page of the documents (``admin:disclosure_document_inspection``),
registered by the reports (``register``), seen by whoever sees 合规检查: the rules and their
verdicts for a day and an agency the staff member works for, the items behind each count, the
trend of the saved snapshots, and the inspection as a file."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from catalog.scoping import agency_scope
from disclosure.reports.inspection import (
    RULES,
    agency_viewer,
    build_inspection,
    inspection_download,
    tone_of,
    verdict_of,
)
from disclosure.reports.models import InspectionSnapshot
from portal import downloads, registry
from portal.admin_pages import AdminPage
from portal.widgets import DateInput

TREND_DAYS = 10  # snapshots shown per rule


class InspectionForm(forms.Form):
    as_of = forms.DateField(
        label=_("检查日期"),
        required=False,
        widget=DateInput(),
        help_text=_("按该日结束时的情况检查；留空为今天。"),
    )
    agency = forms.ModelChoiceField(
        label=_("机构"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("检查该机构及其下属机构的栏目和信息。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = Agency.objects.for_staff(user).order_by("level", "name")
        # Those who see every agency may inspect the whole site; others one of their agencies.
        field.empty_label = _("全站") if agency_scope(user).is_all else None

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day and not 1949 <= day.year <= 2100:
            raise forms.ValidationError(_("日期应在1949年至2100年之间。"))
        return day


def chosen(form, user):
    """(day, agency) the form asks for, each field read if valid: today, and the whole site for
    those who see every agency, else the first of their agencies, for what it does not say."""
    day, agency = timezone.localdate(), None
    if form.is_bound:
        form.is_valid()
        day = form.cleaned_data.get("as_of") or day
        agency = form.cleaned_data.get("agency")
    if agency is None and not agency_scope(user).is_all:
        agency = form.fields["agency"].queryset.first()
    return day, agency


def trend(agency):
    """(days, rows) of the last TREND_DAYS snapshots of ``agency`` (None: the whole site):
    rows are (rule, [(count, verdict, tone) or None per day]), newest day first."""
    snapshots = InspectionSnapshot.objects.filter(agency=agency)
    days = list(snapshots.order_by("-day").values_list("day", flat=True).distinct()[:TREND_DAYS])
    kept = {(s.day, s.rule): s for s in snapshots.filter(day__in=days)}
    rows = []
    for rule in RULES:
        cells = []
        for day in days:
            s = kept.get((day, rule.key))
            cells.append(s and (s.count, verdict_of(rule, s.passed), tone_of(rule, s.passed)))
        rows.append((rule, cells))
    return days, rows


class InspectionPage(AdminPage):
    """网站自查 as of a chosen day for a chosen agency, with CSV/XLSX downloads."""

    template_name = "admin/disclosure/document/inspection.html"

    def get(self, request):
        admin = self.model_admin
        if not admin.has_view_permission(request):
            raise PermissionDenied
        user = request.user
        form = InspectionForm(request.GET or None, user=user)
        day, agency = chosen(form, user)
        if agency is None:
            viewer = user
        elif (viewer := agency_viewer(user, agency)) is None:
            raise PermissionDenied  # the form offers only the user's agencies
        inspection = build_inspection(day, viewer, agency)
        file_format = request.GET.get("download")
        # A file only of what the form asked for: a refused choice shows the page and why.
        if file_format in downloads.FORMATS and form.is_valid():
            try:
                return downloads.response(inspection_download(inspection), file_format, user)
            except downloads.ExportLimited as limited:
                return downloads.limited_page(request, limited, admin.admin_site)
        days, rows = trend(agency)
        context = {
            "title": _("网站自查"),
            "form": form,
            "inspection": inspection,
            "trend_days": days,
            "trend_rows": rows,
            "query": request.GET.urlencode(),
        }
        return self.render(request, context)


def register():
    registry.admin_view(
        "disclosure.document", "inspection/", "inspection", InspectionPage, label=_("网站自查")
    )
