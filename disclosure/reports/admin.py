"""Staff pages of the annual report and the guide: entering the numbers and text, the computed
tables with the filtered lists behind them, overrides with reasons, making the report final,
downloads, and the 全区汇总 of a year."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from catalog.scoping import agency_scope
from disclosure.reports import admin_pages
from disclosure.reports.admin_pages import ReopenForm
from disclosure.reports.annual import (
    cell_choices,
    figures_for,
    problems,
    report_sections,
)
from disclosure.reports.annual_entry import PrintedEntryView
from disclosure.reports.annual_files import FORMATS
from disclosure.reports.annual_services import (
    ReportError,
    remove_override,
    set_override,
)
from disclosure.reports.guide import new_guide_values
from disclosure.reports.models import (
    FIRST_2021_YEAR,
    LITIGATION_FIELDS,
    AnnualReport,
    DisclosureGuide,
    ReportOverride,
)


class OverrideForm(forms.ModelForm):
    cell = forms.ChoiceField(label=_("统计项"), choices=cell_choices)

    class Meta:
        model = ReportOverride
        fields = ["cell", "value", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2, "cols": 40})}


class OverrideInline(admin.TabularInline):
    model = ReportOverride
    form = OverrideForm
    extra = 0
    readonly_fields = ["changed_by", "changed_at"]
    verbose_name = _("人工修正的统计数（须写明理由）")
    verbose_name_plural = verbose_name

    def _editable(self, obj):
        return obj is not None and not obj.is_final

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class AnnualReportForm(forms.ModelForm):
    def clean_year(self):
        year = self.cleaned_data["year"]
        if self.instance.pk is None and year < FIRST_2021_YEAR:
            raise forms.ValidationError(
                _("%(first)s年以前的报告按2019年格式，请用“录入已印发的往年报告”逐格录入。")
                % {"first": FIRST_2021_YEAR}
            )
        return year


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    form = AnnualReportForm
    list_display = ["__str__", "year", "agency", "entry", "status", "document_status", "final_at"]
    list_filter = ["year", "status", "entry", "agency__level"]
    list_select_related = ["agency", "document"]
    search_fields = ["agency__name"]
    inlines = [OverrideInline]
    change_form_template = "admin/disclosure/annualreport/change_form.html"
    change_list_template = "admin/disclosure/annualreport/change_list.html"
    fieldsets = [
        (None, {"fields": ["agency", "year"]}),
        (_("一、总体情况"), {"fields": ["overview"]}),
        (
            _("二、主动公开政府信息情况（第二十条第（五）、（六）、（八）项，人工填写）"),
            {"fields": ["licences", "penalties", "enforcements", "fees"]},
        ),
        (
            _("四、政府信息公开行政复议、行政诉讼情况（人工填写）"),
            {"fields": LITIGATION_FIELDS, "classes": ["litigation"]},
        ),
        (_("五、存在的主要问题及改进情况"), {"fields": ["problems"]}),
        (_("六、其他需要报告的事项"), {"fields": ["other_matters"]}),
    ]

    @admin.display(description=_("公开文件"))
    def document_status(self, obj):
        return obj.document.get_status_display() if obj.document else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).for_staff(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(
                agency_scope(request.user).q("pk", "disclosure_office")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = ["agency", "year"]
        # A printed report changes only through its entry page, with its reason.
        if obj.is_final or obj.is_printed:
            fields += [
                f for _name, options in self.get_fieldsets(request, obj) for f in options["fields"]
            ]
        return list(dict.fromkeys(fields))

    def get_fieldsets(self, request, obj=None):
        if obj is None or not obj.is_printed:
            return self.fieldsets
        return [
            (None, {"fields": ["agency", "year", "template", "printed_on", "printed_reason"]}),
            (_("一、总体情况"), {"fields": ["overview"]}),
            (_("五、存在的主要问题及改进情况"), {"fields": ["problems"]}),
            (_("六、其他需要报告的事项"), {"fields": ["other_matters"]}),
        ]

    def get_inline_instances(self, request, obj=None):
        if obj is not None and obj.is_printed:
            return []
        return super().get_inline_instances(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_final or obj.document_id):
            return False
        return super().has_delete_permission(request, obj)

    def save_formset(self, request, form, formset, change):
        """Overrides go through the service: each one audited, refused without a reason."""
        if formset.model is not ReportOverride:
            return super().save_formset(request, form, formset, change)
        report = form.instance
        # The admin's change message reads these lists, which ``formset.save()`` would fill;
        # overrides do not go through it.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk:
                remove_override(inline_form.instance, request.user)
                formset.deleted_objects.append(inline_form.instance)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            data = inline_form.cleaned_data
            if not data:
                continue
            existed = inline_form.instance.pk is not None
            try:
                override = set_override(
                    report, request.user, data["cell"], data["value"], data["reason"]
                )
            except ReportError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                if existed:
                    formset.changed_objects.append((override, inline_form.changed_data))
                else:
                    formset.new_objects.append(override)

    def response_add(self, request, obj, post_url_continue=None):
        self._warn_of_problems(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._warn_of_problems(request, obj)
        return super().response_change(request, obj)

    def _warn_of_problems(self, request, report):
        """Saved, but what does not add up is said at the top of the next page, not only in
        the tables far below it."""
        found = problems(report)
        if found:
            self.message_user(
                request,
                _("已保存，但有 %(n)d 处数字不平衡，定稿前须修正：%(list)s")
                % {"n": len(found), "list": "；".join(found)},
                messages.WARNING,
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            figures = figures_for(obj)
            context.update(
                {
                    "sections": report_sections(obj, figures),
                    "problems": problems(obj, figures),
                    "unplaced": figures.unplaced,
                    "formats": FORMATS,
                    "reopen_form": ReopenForm(),
                    "may_change": self.has_change_permission(request, obj),
                    "entry_url": self._entry_url(obj),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- the steps and downloads ---------------------------------------------------------

    def _report_or_404(self, request, object_id):
        report = self.get_queryset(request).filter(pk=object_id).first()
        if report is None:
            raise Http404
        return report

    def _entry_url(self, report):
        query = urlencode({"agency": report.agency_id, "year": report.year})
        return f"{reverse('admin:disclosure_annualreport_printed')}?{query}"

    def _change_url(self, report):
        return reverse("admin:disclosure_annualreport_change", args=[report.pk])

    def get_urls(self):
        view = self.admin_site.admin_view
        custom = [
            path(
                "district/",
                admin_pages.DistrictPage.as_page(self),
                name="disclosure_annualreport_district",
            ),
            path(
                "printed/",
                view(PrintedEntryView(self)),
                name="disclosure_annualreport_printed",
            ),
            path(
                "<path:object_id>/final/",
                admin_pages.FinalPage.as_page(self),
                name="disclosure_annualreport_final",
            ),
            path(
                "<path:object_id>/reopen/",
                admin_pages.ReopenPage.as_page(self),
                name="disclosure_annualreport_reopen",
            ),
            path(
                "<path:object_id>/file.<str:file_format>",
                admin_pages.ReportFilePage.as_page(self),
                name="disclosure_annualreport_file",
            ),
        ]
        return custom + super().get_urls()


@admin.register(DisclosureGuide)
class DisclosureGuideAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agency", "updated_at", "updated_by"]
    list_select_related = ["agency", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]
    fields = [
        "agency", "office_name", "classification", "active_channels", "where_to_apply",
        "application_contents", "time_limits", "fees", "remedies", "updated_at", "updated_by",
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).for_staff(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(
                agency_scope(request.user).q("pk", "disclosure_office")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {**new_guide_values(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
