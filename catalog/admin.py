from django import http
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from mptt.admin import DraggableMPTTAdmin
from mptt.exceptions import InvalidMove

from catalog import admin_pages, services
from catalog.choices import TreeModelChoiceField, autocomplete_view
from catalog.forms import CatalogNodeAdminForm
from catalog.models import Agency, CatalogNode
from catalog.tree import TreeChangeRefused
from portal import registry
from portal.admin import DeclaredLookupsOnly

# Every autocomplete offers columns by their paths ("政务公开 / … / 人大代表建议办理").
admin.site.autocomplete_view = autocomplete_view


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "credit_code", "level", "parent"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "credit_code"]
    autocomplete_fields = ["parent", "disclosure_office"]
    filter_horizontal = ["members"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "short_name",
                    "credit_code",
                    "parent",
                    "level",
                    "disclosure_office",
                ]
            },
        ),
        (_("索引号"), {"fields": ["index_scheme", "org_code"]}),
        (
            _("联系方式（显示在政府信息公开指南）"),
            {
                "fields": [
                    "address",
                    "office_hours",
                    "phone",
                    "fax",
                    "email",
                    "postcode",
                    "accepts_applications",
                ]
            },
        ),
        (_("工作人员"), {"fields": ["members"]}),
    ]

    def get_queryset(self, request):
        # Staff see (and autocomplete offers) their own agencies and sub-agencies only.
        return super().get_queryset(request).for_staff(request.user)


@admin.register(CatalogNode)
class CatalogNodeAdmin(DraggableMPTTAdmin):
    form = CatalogNodeAdminForm
    list_display = [
        "tree_actions",
        "indented_title",
        "agency",
        "kind",
        "update_period",
        "mode",
        "is_visible",
        "public_state",
    ]
    list_display_links = ["indented_title"]
    list_filter = ["is_visible", "kind", "mode", "audience", "agency"]
    list_select_related = ["agency"]
    search_fields = ["name", "content", "basis"]
    autocomplete_fields = ["agency"]
    # The tree opens collapsed (one row per top-level column); staff expand what they need.
    expand_tree_by_default = False
    # A page of columns in tree order, each indented by its level: a city's catalogue of tens of
    # thousands of columns is read a page at a time, its filters and search as any list's.
    list_per_page = 100

    def get_queryset(self, request):
        columns = super().get_queryset(request).for_staff(request.user)
        content = registry.column_content_expression()
        # Whether each column is blank (空白栏目), judged in the query that reads the page.
        return columns if content is None else columns.annotate(not_blank=content)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        request.catalog_page = changelist.result_list
        return changelist

    @admin.display(description=_("更新周期"))
    def update_period(self, obj):
        days = obj.effective_update_days
        if days is None:
            return "—"
        if obj.update_interval_days:
            return _("%(days)d 天") % {"days": days}
        return _("%(days)d 天（按类型）") % {"days": days}

    @admin.display(description=_("公众可见"))
    def public_state(self, obj):
        if not obj.is_visible:
            return _("不显示")
        if not getattr(obj, "not_blank", True):
            return _("空栏目（不公开显示）")
        return _("显示")

    def _build_tree_structure(self, queryset):
        # django-mptt would read every column's parent for its script; _tree_context gives it
        # the columns of the page instead.
        return {}

    def _tree_context(self, request):
        """What django-mptt's script is given: which columns of the page have children on it
        (to fold and unfold them), not the parents of the whole catalogue."""
        context = super()._tree_context(request)
        page = getattr(request, "catalog_page", [])
        shown = {column.pk for column in page}
        structure = {}
        for column in page:
            if column.parent_id in shown:
                structure.setdefault(str(column.parent_id), []).append(column.pk)
        context["treeStructure"] = structure
        return context

    def page_starts_under(self, request):
        """The path of the column whose children the page begins among, when its first column
        is not a top-level one: a page read alone still says where its columns are."""
        page = getattr(request, "catalog_page", [])
        first = next(iter(page), None)
        if first is None or first.parent_id is None:
            return ""
        return CatalogNode(pk=first.parent_id).path_label()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        services.save_column(obj, request.user)

    def delete_view(self, request, object_id, extra_context=None):
        # Refused before the confirmation page, with the reason, rather than a bare 403.
        node = self.get_object(request, unquote(object_id))
        if node is not None and self.has_delete_permission(request, node):
            try:
                services.check_may_delete(node, request.user)
            except TreeChangeRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return HttpResponseRedirect(
                    reverse("admin:catalog_catalognode_change", args=[node.pk])
                )
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.delete_column(obj, request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                type(self).delete_selected_columns,
                "delete_selected",
                actions["delete_selected"][2],
            )
        return actions

    def delete_selected_columns(self, request, queryset):
        """The bulk delete: each column through delete_column, or none when one is refused."""
        nodes = list(queryset.order_by("tree_id", "lft"))
        refusals = []
        for node in nodes:
            try:
                services.check_may_delete(node, request.user)
            except TreeChangeRefused as refusal:
                refusals.append(str(refusal))
        if refusals:
            for message in refusals:
                self.message_user(request, message, messages.ERROR)
            return None
        if not request.POST.get("post"):
            return delete_selected(self, request, queryset)
        deleted = services.delete_columns(nodes, request.user)
        self.message_user(
            request,
            ngettext("已删除 %(count)d 个栏目。", "已删除 %(count)d 个栏目。", deleted)
            % {"count": deleted},
            messages.SUCCESS,
        )
        return None

    def _move_node(self, request):
        # django-mptt's drag-and-drop endpoint, through move_column: scope, lock and audit.
        position = request.POST.get("position")
        if position not in ("last-child", "left", "right"):
            self.message_user(request, _("无法识别的移动方式。"), messages.ERROR)
            return http.HttpResponseBadRequest("FAIL, unknown instruction.")
        queryset = self.get_queryset(request)
        try:
            cut_item = queryset.get(pk=request.POST.get("cut_item"))
            pasted_on = queryset.get(pk=request.POST.get("pasted_on"))
        except (CatalogNode.DoesNotExist, TypeError, ValueError):
            self.message_user(request, _("栏目已不存在，请刷新后重试。"), messages.ERROR)
            return http.HttpResponseBadRequest("FAIL, invalid objects.")
        if not self.has_change_permission(request, cut_item):
            self.message_user(request, _("您无权移动栏目。"), messages.ERROR)
            return http.HttpResponseForbidden("FAIL, no permission.")
        try:
            services.move_column(cut_item, pasted_on, position, request.user)
        except TreeChangeRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return http.HttpResponseForbidden("FAIL, refused.")
        except InvalidMove as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return http.HttpResponseBadRequest("FAIL, invalid move.")
        self.log_change(request, cut_item, [{"changed": {"fields": ["parent"]}}])
        self.message_user(
            request, _("已移动栏目“%(name)s”。") % {"name": cut_item.name}, messages.SUCCESS
        )
        return http.HttpResponse("OK, moved.")

    # --- importing a standard directory from a file ----------------------------------------

    IMPORT_PERMISSIONS = ("catalog.add_catalognode", "catalog.change_catalognode")

    def has_import_permission(self, request):
        return request.user.has_perms(self.IMPORT_PERMISSIONS)

    def get_urls(self):
        custom = [
            path(
                "import/",
                admin_pages.DirectoryImportPage.as_page(self),
                name="catalog_catalognode_import",
            ),
            path(
                "import/apply/",
                admin_pages.DirectoryApplyPage.as_page(self),
                name="catalog_catalognode_import_apply",
            ),
        ]
        return custom + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": self.has_import_permission(request)}
        response = super().changelist_view(request, extra_context)
        if getattr(response, "context_data", None) is not None and "cl" in response.context_data:
            response.context_data["page_starts_under"] = self.page_starts_under(request)
        return response

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = CatalogNode.objects.for_staff(request.user)
            kwargs["form_class"] = TreeModelChoiceField
        elif db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    fieldsets = [
        (None, {"fields": ["name", "slug", "parent", "agency", "description", "is_visible"]}),
        (
            _("栏目类型与空白栏目"),
            {
                "fields": [
                    "kind",
                    "update_interval_days",
                    "shown_when_empty",
                    "shown_when_empty_reason",
                ]
            },
        ),
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
                ]
            },
        ),
    ]


# Staff accounts are edited with the agencies they belong to: membership is their scope.
User = get_user_model()


class AgencyMembershipInline(admin.TabularInline):
    model = Agency.members.through
    verbose_name = _("所属机构")
    verbose_name_plural = _("所属机构（可管理这些机构及其下级机构的信息）")
    extra = 1
    autocomplete_fields = ["agency"]


admin.site.unregister(User)


@admin.register(User)
class StaffAdmin(DeclaredLookupsOnly, UserAdmin):
    inlines = [AgencyMembershipInline]
    list_display = ["username", "last_name", "first_name", "is_staff", "is_superuser", "is_active"]
