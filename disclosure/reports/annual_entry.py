"""录入已印发的往年报告: a past year's printed annual report entered on one page, every cell of
its tables in a grid laid out as the printed tables (the template of its year), the text of
sections 一、五、六, and one reason for the whole entry.

What does not add up is shown, cell by cell, and never refused: a printed report is kept as it
was printed. The report is then made final and published like any report."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Agency
from catalog.scoping import agency_scope
from disclosure.reports.annual import (
    AMOUNT_FIELDS,
    cell_label,
    field_keys,
    findings,
    printed_keys,
    report_sections,
)
from disclosure.reports.annual_services import PRINTED_TEXTS, ReportError, enter_printed
from disclosure.reports.models import AnnualReport, template_for_year

FIRST_REPORT_YEAR = 2008  # the first year of the 条例 (2007 version), reported in 2009
LARGEST_COUNT = 10**9


class ChooseForm(forms.Form):
    agency = forms.ModelChoiceField(label=gettext_lazy("报告机关"), queryset=Agency.objects.none())
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=FIRST_REPORT_YEAR)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(
            agency_scope(user).q("pk", "disclosure_office")
        ).order_by("level", "name")
        # The report of a year is printed the next year: only past years can be entered.
        self.fields["year"] = forms.IntegerField(
            label=gettext_lazy("年度"),
            min_value=FIRST_REPORT_YEAR,
            max_value=timezone.localdate().year - 1,
        )


# What printed tables put in a cell that holds nothing: entered as such, they count as 0.
NOTHING_MARKS = {"-", "—", "–", "－", "/", "／", "无"}


class CellMixin:
    def to_python(self, value):
        if isinstance(value, str) and value.strip() in NOTHING_MARKS:
            value = ""
        return super().to_python(value)


class CountField(CellMixin, forms.IntegerField):
    pass


class AmountField(CellMixin, forms.DecimalField):
    pass


def cell_field(key):
    """The form field of one cell: a count (never negative), a change (本年增/减, may be
    negative) or an amount in 万元."""
    label = cell_label(key)
    attrs = {"class": "cell", "aria-label": label, "autocomplete": "off"}
    if key.startswith("f.") and key[2:] in AMOUNT_FIELDS:
        return AmountField(
            label=label,
            required=False,
            min_value=0,
            max_digits=12,
            decimal_places=4,
            widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}),
        )
    signed = key.endswith(".change")
    return CountField(
        label=label,
        required=False,
        min_value=-LARGEST_COUNT if signed else 0,
        max_value=LARGEST_COUNT,
        widget=forms.TextInput(attrs={**attrs, "inputmode": "numeric" if not signed else "text"}),
    )


class PrintedEntryForm(forms.Form):
    """Every cell of ``template``'s tables (``c-<key>``; empty means 0), the texts, the
    reason and the date the report was issued."""

    printed_on = forms.DateField(
        label=gettext_lazy("原印发日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("已印发报告的成文日期；公开文件以此为成文日期。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("录入理由（一次填写，适用于本页全部内容）"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = [*printed_keys(template), *field_keys(template)]
        for key in self.keys:
            self.fields[f"c-{key}"] = cell_field(key)
        for name in PRINTED_TEXTS:
            field = AnnualReport._meta.get_field(name).formfield()
            # Labelled by its section's heading on the page.
            field.widget.attrs.update(
                {"rows": 4, "cols": 100, "aria-labelledby": f"section-{name}"}
            )
            self.fields[name] = field

    @staticmethod
    def initial_for(report):
        initial = {f"c-{key}": value for key, value in report.printed_numbers.items()}
        for key in field_keys(report.template):
            value = getattr(report, key[2:])
            # An amount as printed (12.5), not as stored (12.5000).
            initial[f"c-{key}"] = (
                format(value.normalize(), "f") if key[2:] in AMOUNT_FIELDS else value
            )
        initial.update({name: getattr(report, name) for name in PRINTED_TEXTS})
        initial.update({"reason": report.printed_reason, "printed_on": report.printed_on})
        return initial

    def values(self):
        return {key: self.cleaned_data.get(f"c-{key}") or 0 for key in self.keys}


class PrintedEntryView:
    """The one-page entry, at ``printed/?agency=<id>&year=<year>`` of the report admin: without
    both it asks for them; with them it shows the grid of that year's template."""

    template_name = "admin/disclosure/annualreport/printed_entry.html"

    def __init__(self, model_admin):
        self.model_admin = model_admin

    def __call__(self, request):
        admin = self.model_admin
        if not (admin.has_add_permission(request) and admin.has_change_permission(request)):
            raise PermissionDenied
        choose = ChooseForm(request.GET or None, user=request.user)
        if not choose.is_valid():
            return self.render(request, {"choose": choose})
        agency, year = choose.cleaned_data["agency"], choose.cleaned_data["year"]
        report = (
            AnnualReport.objects.filter(agency=agency, year=year).select_related("agency").first()
        )
        if report is not None and (not report.is_printed or report.is_final):
            why = _("已有按系统数据统计的报告") if not report.is_printed else _("报告已定稿")
            context = {"choose": choose, "existing": report, "why": why}
            return self.render(request, context)
        report = report or AnnualReport(
            agency=agency,
            year=year,
            template=template_for_year(year),
            entry=AnnualReport.Entry.PRINTED,
        )
        if request.method == "POST":
            form = PrintedEntryForm(request.POST, template=report.template)
            if form.is_valid():
                saved = self.save(request, form, agency, year)
                if saved:
                    query = urlencode({"agency": agency.pk, "year": year})
                    return HttpResponseRedirect(f"{request.path}?{query}")
        else:
            initial = PrintedEntryForm.initial_for(report) if report.pk else {}
            if not report.pk:
                initial["reason"] = _("据已印发的%(year)s年度报告录入") % {"year": year}
            form = PrintedEntryForm(initial=initial, template=report.template)
        return self.render(request, self.grid_context(choose, form, report))

    def save(self, request, form, agency, year):
        data = form.cleaned_data
        try:
            report, found = enter_printed(
                request.user,
                agency,
                year,
                form.values(),
                data["reason"],
                printed_on=data["printed_on"],
                texts={name: data[name] for name in PRINTED_TEXTS},
            )
        except ReportError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return False
        messages.success(request, _("已保存%(title)s的录入内容。") % {"title": report.title})
        if found:
            messages.warning(
                request,
                _("有 %(n)s 处数字不相加（已按录入保存，表中已标出）。") % {"n": len(found)},
            )
        return True

    def grid_context(self, choose, form, report):
        found = findings(report) if report.pk else []
        marked = {key for finding in found for key in finding.keys}
        sections = report_sections(report)
        for section in sections:
            if section.table is None:
                section.entry_input = form[section.key]
                continue
            for row in [*section.table.head, *section.table.body]:
                for cell in row:
                    if cell.key:
                        cell.entry_input = form[f"c-{cell.key}"]
                        cell.warn = cell.key in marked
        return {
            "choose": choose,
            "form": form,
            "report": report,
            "sections": sections,
            "findings": found,
            "template_label": report.get_template_display(),
        }

    def render(self, request, context):
        admin = self.model_admin
        context = {
            **admin.admin_site.each_context(request),
            "opts": admin.model._meta,
            "title": _("录入已印发的往年报告"),
            "changelist_url": reverse("admin:disclosure_annualreport_changelist"),
            **context,
        }
        return TemplateResponse(request, self.template_name, context)
