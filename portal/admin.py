from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from portal import registry
from portal.models import (
    AuditEvent,
    CalendarDay,
    HolidayNotice,
    LoginFailureCounter,
    SiteSettings,
    VisitDay,
    model_type_name,
)
from portal.widgets import name_unlabelled_inputs

admin.site.site_header = "政务公开门户 管理后台"
admin.site.site_title = "政务公开门户"
admin.site.index_title = "工作台"


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline's formset whose inputs carry their column's name: a table row has no
    <label> for assistive technology to read."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name_unlabelled_inputs(form)


class DeclaredLookupsOnly:
    """A ModelAdmin mixin for lists that hold personal data: the list answers only the filters
    it declares (``list_filter``, ``date_hierarchy``, ``extra_lookups``; searching stays with
    ``search_fields``). Django answers any lookup on the model's own fields from the query
    string, so ``?id_number__startswith=5002`` would read a masked, audited number digit by
    digit. A refused lookup is answered as Django answers its own (400, no data)."""

    # Fields (or paths) whose lookups the list answers besides its filters: links into it.
    extra_lookups = ()

    def declared_lookups(self, request):
        """(parameter names allowed as they are, field paths allowed with any lookup)."""
        exact, paths = set(), set(self.extra_lookups)
        if self.date_hierarchy:
            paths.add(self.date_hierarchy)
        for item in self.get_list_filter(request):
            if isinstance(item, (list, tuple)):
                paths.add(item[0])
            elif isinstance(item, str):
                paths.add(item)
            else:  # a filter class of its own: the parameter it reads
                exact.add(item.parameter_name)
        return exact, paths

    def lookup_allowed(self, lookup, value, request):
        for fk_lookup in self.model._meta.related_fkey_lookups:  # raw-id popups, as Django
            fk_lookup = fk_lookup() if callable(fk_lookup) else fk_lookup
            if (lookup, value) in url_params_from_lookup_dict(fk_lookup).items():
                return True
        exact, paths = self.declared_lookups(request)
        declared = lookup in exact or any(
            lookup == path or lookup.startswith(f"{path}__") for path in paths
        )
        return declared and super().lookup_allowed(lookup, value, request)


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows rows and changes none: for logs and counters the portal keeps."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["site_name", "owner", "site_code", "icp_number", "police_number"]
    # An address typed without a scheme is an https one.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["site_name", "owner", "site_domain"]}),
        (
            _("网站标识与备案（页脚及网页元数据）"),
            {
                "fields": [
                    "site_code",
                    "icp_number",
                    "police_number",
                    "police_code",
                    "badge_image",
                    "badge_link",
                    "error_report_url",
                ]
            },
        ),
        (_("联系方式"), {"fields": ["address", "phone", "email", "postcode"]}),
    ]

    def has_add_permission(self, request):
        # One row only: the site has one set of registration numbers.
        return super().has_add_permission(request) and not SiteSettings.objects.exists()


class ObjectTypeFilter(admin.SimpleListFilter):
    """对象类型, by the models' Chinese names."""

    title = _("对象类型")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        labels = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
        # A model stored under a former label too (it moved app) is offered once.
        current = {}
        for label in labels:
            if label:
                model = registry.model_for_label(label)
                current.setdefault(model._meta.label if model else label, model_type_name(label))
        return sorted(current.items())

    def queryset(self, request, queryset):
        if self.value():
            model = registry.model_for_label(self.value())
            if model is not None:
                return queryset.filter(object_type__in=registry.stored_labels(model))
            return queryset.filter(object_type=self.value())
        return queryset


class ActionFilter(admin.SimpleListFilter):
    """操作, by the names the parts registered for their actions."""

    title = _("操作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return registry.audit_action_choices()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(DeclaredLookupsOnly, ReadOnlyAdmin):
    """Read-only for everyone, superusers included: the log is append-only."""

    list_display = [
        "pk", "occurred_at", "actor_name", "action_display", "object_type_display", "object_repr",
        "ip",
    ]  # fmt: skip
    list_filter = [ActionFilter, ObjectTypeFilter]
    search_fields = ["actor_name", "object_repr", "object_id"]
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description=_("操作"), ordering="action")
    def action_display(self, obj):
        return obj.action_label

    @admin.display(description=_("对象类型"), ordering="object_type")
    def object_type_display(self, obj):
        return obj.object_type_display


@admin.register(LoginFailureCounter)
class LoginFailureCounterAdmin(DeclaredLookupsOnly, ReadOnlyAdmin):
    """Read-only: the counts behind the audit log's failed-login events."""

    list_display = ["period_start", "scope", "key", "count", "last_username", "last_ip", "closed"]
    list_filter = ["scope", "closed"]
    search_fields = ["key", "last_username"]
    date_hierarchy = "period_start"
    readonly_fields = [f.name for f in LoginFailureCounter._meta.fields]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 5
    fields = ["date", "is_working_day", "note"]


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "published_on"]
    inlines = [CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note", "notice"]
    list_filter = ["is_working_day", "notice"]
    date_hierarchy = "date"


# django-axes registers its own lists of login attempts (accounts and addresses): the same rule.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        _base = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        admin.site.register(_model, type(_base.__name__, (DeclaredLookupsOnly, _base), {}))


@admin.register(VisitDay)
class VisitDayAdmin(ReadOnlyAdmin):
    """访问统计: the list is the statistics page (``portal.visit_stats``); rows hold counts only."""

    def changelist_view(self, request, extra_context=None):
        from portal.visit_stats import VisitStatisticsPage

        return VisitStatisticsPage.as_view(model_admin=self)(request)
