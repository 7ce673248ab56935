from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin

from .forms import CatalogNodeAdminForm
from .models import Agency, CatalogNode
from .scoping import open_nodes, scoped_agencies


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "credit_code", "level", "parent"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "credit_code"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["members"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "credit_code", "parent", "level"]}),
        (
            _("联系方式（显示在政府信息公开指南）"),
            {"fields": ["address", "office_hours", "phone", "fax", "email", "postcode"]},
        ),
        (_("工作人员"), {"fields": ["members"]}),
    ]

    def get_queryset(self, request):
        # Staff see (and autocomplete offers) their own agencies and sub-agencies only.
        return scoped_agencies(super().get_queryset(request), request.user)


@admin.register(CatalogNode)
class CatalogNodeAdmin(DraggableMPTTAdmin):
    form = CatalogNodeAdminForm
    list_display = ["tree_actions", "indented_title", "agency", "mode", "is_visible"]
    list_display_links = ["indented_title"]
    list_filter = ["is_visible", "mode", "audience", "agency"]
    list_select_related = ["agency"]
    search_fields = ["name", "content", "basis"]
    autocomplete_fields = ["agency"]
    # The tree opens collapsed (one row per top-level column); staff expand what they need.
    expand_tree_by_default = False
    list_per_page = 5000

    def get_queryset(self, request):
        return open_nodes(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = open_nodes(CatalogNode.objects.all(), request.user)
        elif db_field.name == "agency":
            kwargs["queryset"] = scoped_agencies(Agency.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    fieldsets = [
        (None, {"fields": ["name", "slug", "parent", "agency", "description", "is_visible"]}),
        (
            _("基层政务公开标准目录要求"),
            {
                "fields": [
                    "content",
                    "basis",
                    "time_limit_text",
                    "time_limit_days",
                    "subject",
                    "channel_choices",
                    "channel_other",
                    "audience",
                    "mode",
                    "level_county",
                    "level_township",
                    "update_interval_days",
                ]
            },
        ),
    ]
