from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .forms import AttachmentInlineForm, DocumentAdminForm
from .models import Attachment, Document, Genre, IndexCounter, Topic
from .services import PublishError, publish, set_legacy_index_number


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentInlineForm
    extra = 1
    fields = ["file", "original_name", "kind", "size", "sha256", "sort_order"]
    readonly_fields = ["original_name", "kind", "size", "sha256"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentAdminForm
    inlines = [AttachmentInline]
    list_display = ["title", "index_number_display", "agency", "node", "status", "published_at"]
    list_filter = ["status", "disclosure_mode", "validity", "genre", "agency"]
    list_select_related = ["agency", "node"]
    search_fields = ["title", "doc_number", "keywords"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["agency", "node", "extra_nodes"]
    readonly_fields = ["status", "index_number_display", "created_at", "updated_at"]
    actions = ["publish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "summary", "body"]}),
        (
            _("索引信息"),
            {
                "fields": [
                    "index_number_display",
                    "legacy_index_number",
                    "agency",
                    "node",
                    "extra_nodes",
                    "topic",
                    "genre",
                    "doc_number",
                    "written_on",
                    "published_at",
                    "validity",
                    "keywords",
                    "disclosure_mode",
                ]
            },
        ),  # fmt: skip
        (_("状态"), {"fields": ["status", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("索引号"))
    def index_number_display(self, obj):
        return obj.index_number or _("（发布时分配）")

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            legacy = form.cleaned_data.get("legacy_index_number")
            if legacy and not obj.index_serial:
                try:
                    set_legacy_index_number(obj, legacy)
                except ValidationError as exc:
                    # Already checked in the form; a race with another save lands here.
                    raise ValidationError({"legacy_index_number": exc.messages})
            super().save_model(request, obj, form, change)

    @admin.action(description=_("发布所选文件"), permissions=["change"])
    def publish_selected(self, request, queryset):
        done = 0
        for document in queryset:
            try:
                publish(document)
                done += 1
            except PublishError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        if done:
            self.message_user(request, _("已发布 %(n)d 个文件。") % {"n": done}, messages.SUCCESS)


class TopicChildInline(admin.TabularInline):
    model = Topic
    fk_name = "parent"
    extra = 0
    fields = ["name", "sort_order"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "sort_order"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["name"]
    inlines = [TopicChildInline]


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "requires_doc_number", "sort_order"]
    list_editable = ["requires_doc_number", "sort_order"]
    search_fields = ["name"]


@admin.register(IndexCounter)
class IndexCounterAdmin(admin.ModelAdmin):
    list_display = ["credit_code", "year", "last_serial"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
