from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalog.choices import TreeListFilter, TreeModelChoiceField, TreeModelMultipleChoiceField
from catalog.models import Agency, CatalogNode
from disclosure.documents import admin_pages, services
from disclosure.documents.admin_pages import diff_rows, version_changes
from disclosure.documents.forms import AttachmentInlineForm, DocumentAdminForm
from disclosure.documents.link_admin import link_check_table
from disclosure.documents.models import (
    Attachment,
    Document,
    DocumentRevision,
    Genre,
    IndexCounter,
    Topic,
)
from disclosure.documents.search import analysis
from disclosure.documents.search.backends import get_backend
from disclosure.documents.search.paging import EstimatingPaginator
from portal import registry
from portal.admin import LabelledInlineFormSet, ReadOnlyAdmin


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentInlineForm
    formset = LabelledInlineFormSet
    extra = 1
    fields = ["file", "original_name", "kind", "size", "sha256", "sort_order"]
    readonly_fields = ["original_name", "kind", "size", "sha256"]

    def get_queryset(self, request):
        # Files waiting for a revision are listed on the revision, not here: editing them would
        # change what the second reviewer is looking at.
        return super().get_queryset(request).live()


def attachment_edits(formset):
    """What the attachment inline would add, replace, delete or reorder, as AttachmentEdits;
    nothing is saved."""
    edits = []
    for form in formset.forms:
        deleted = formset.can_delete and form.cleaned_data.get("DELETE")
        order = form.cleaned_data.get("sort_order") or 0
        if form in formset.extra_forms:
            if form.has_changed() and not deleted:
                edits.append(
                    services.AttachmentEdit(
                        "add", upload=form.cleaned_data["file"], sort_order=order
                    )
                )
        elif deleted:
            edits.append(services.AttachmentEdit("delete", attachment=form.instance.pk))
        elif "file" in form.changed_data:
            edits.append(
                services.AttachmentEdit(
                    "replace", form.instance.pk, form.cleaned_data["file"], order
                )
            )
        elif form.has_changed():
            edits.append(
                services.AttachmentEdit("reorder", attachment=form.instance.pk, sort_order=order)
            )
    return edits


class NormativeWithoutInterpretationFilter(admin.SimpleListFilter):
    title = _("政策解读")
    parameter_name = "interpretation"

    def lookups(self, request, model_admin):
        return [("missing", _("行政规范性文件缺少解读")), ("present", _("行政规范性文件已有解读"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(genre__needs_interpretation=True, has_interpretation=False)
        if self.value() == "present":
            return queryset.filter(genre__needs_interpretation=True, has_interpretation=True)
        return queryset


class PublishedYearFilter(admin.SimpleListFilter):
    """发布年份: the years from the first to the last publication date, read from the two ends
    of the date index (listing the distinct years would read every row)."""

    title = _("发布年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        dates = Document.objects.for_staff(request.user).aggregate(
            first=models.Min("published_at"), last=models.Max("published_at")
        )
        if not dates["first"]:
            return []
        first, last = (timezone.localtime(dates[k]).year for k in ("first", "last"))
        return [(str(year), f"{year}年") for year in range(last, first - 1, -1)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(published_at__year=int(self.value()))
        return queryset


class DocumentChangeList(ChangeList):
    """The document list without the bodies and search terms, which it does not show."""

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("body", "search_title", "search_body")
        )


class PendingRevisionFilter(admin.SimpleListFilter):
    title = _("修订")
    parameter_name = "revision"

    def lookups(self, request, model_admin):
        return [("pending", _("有待审核的修订"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            pending = DocumentRevision.objects.pending().filter(document=OuterRef("pk"))
            return queryset.filter(Exists(pending))
        return queryset


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    form = DocumentAdminForm
    inlines = [AttachmentInline]
    # Seven columns fit beside the filters at 1366 px only this narrow: the index number under
    # the title, the agency by its short name, the publication day without the time.
    list_display = [
        "title_display", "agency_display", "node", "status", "published_display",
        "interpretation_display",
    ]  # fmt: skip
    list_filter = [
        "status",
        "disclosure_mode",
        "validity",
        "genre",
        ("topic", TreeListFilter),
        NormativeWithoutInterpretationFilter,
        PendingRevisionFilter,
        PublishedYearFilter,
        "agency",
    ]
    list_select_related = ["agency", "node", "genre", "submitted_by"]
    # Searched through the search backend (see get_search_results): title, body, 文号, keywords.
    search_fields = ["title", "doc_number", "keywords"]
    search_help_text = _(
        "按标题、正文、文号、关键词或索引号检索；中文至少两个字，多个词用空格分隔。"
    )
    # Counting a million rows for each page is what made the list slow: the paginator counts
    # up to a limit and estimates beyond, and there is no second count of all documents.
    paginator = EstimatingPaginator
    show_full_result_count = False
    autocomplete_fields = ["agency", "node", "extra_nodes", "interprets"]
    readonly_fields = [
        "status", "index_number_display", "review_comment", "withdrawn_reason", "withdrawn_at",
        "created_at", "updated_at", "migrated_from", "published_recorded_at", "link_checks_display",
    ]  # fmt: skip
    actions = ["submit_selected", "publish_selected"]
    change_form_template = "admin/disclosure/document/change_form.html"
    object_history_list_template = "admin/disclosure/document/object_history_list.html"
    change_list_template = "admin/disclosure/document/change_list.html"
    object_history_template = "admin/disclosure/document/object_history.html"
    fieldsets = [
        (None, {"fields": ["title", "summary", "body"]}),
        (
            _("索引信息"),
            {
                "fields": [
                    "index_number_display", "legacy_index_number", "agency", "node", "extra_nodes",
                    "topic", "genre", "doc_number", "written_on", "published_at", "backdate_reason",
                    "validity", "validity_changed_on", "keywords", "disclosure_mode", "interprets",
                ]
            },
        ),
        (
            _("状态"),
            {"fields": ["status", "published_recorded_at", "review_comment", "withdrawn_reason", "withdrawn_at", "created_at", "updated_at", "migrated_from"]},
        ),
        (_("链接检查"), {"fields": ["link_checks_display"]}),
    ]  # fmt: skip

    # Fields of the form alone: nothing to show where the page is read-only.
    FORM_ONLY_FIELDS = {"legacy_index_number"}

    def get_fieldsets(self, request, obj=None):
        """Read-only (a reviewer, or a document its reader may not edit): the body as the
        public will see it, not its HTML source, and no field the form alone has."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        shown = {"body": "body_rendered"}
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        shown.get(f, f) for f in options["fields"] if f not in self.FORM_ONLY_FIELDS
                    ],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description=_("正文"))
    def body_rendered(self, obj):
        # The body is sanitised when it is stored (SanitizedHTMLField), as the public page
        # shows it.
        return format_html('<div class="doc-body rendered-body">{}</div>', mark_safe(obj.body))  # noqa: S308

    # --- what each staff member sees --------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request).with_interpretation_flag()
        return queryset.for_staff(request.user)

    def get_changelist(self, request, **kwargs):
        return DocumentChangeList

    def get_search_results(self, request, queryset, search_term):
        """Through the search backend (the GIN index on PostgreSQL), never LIKE over every row;
        a 文号 by its exact key; a single character, which the index does not hold, falls back to
        the title."""
        if request.GET.get("field_name") == "interprets":
            queryset = Document.objects.interpretable_by(request.user)
        if not search_term.strip():
            return queryset, False
        # A 文号 ("区政办发〔2026〕12号") is looked up by its key (an index lookup, as the public
        # search does); one that no document carries is searched as text.
        number_key = analysis.query_doc_number(search_term)
        if number_key:
            numbered = queryset.filter(doc_number_key=number_key)
            if numbered.exists():
                return numbered, False
        if not analysis.query_terms(search_term) and len(search_term.strip()) == 1:
            return queryset.filter(title__contains=search_term.strip()), False
        return get_backend().filter(queryset, search_term), False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.for_staff(request.user)
        elif db_field.name == "node":
            kwargs["queryset"] = CatalogNode.objects.for_staff(request.user)
            kwargs["form_class"] = TreeModelChoiceField
        elif db_field.name == "topic":
            kwargs["form_class"] = TreeModelChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "extra_nodes":
            kwargs["queryset"] = CatalogNode.objects.for_staff(request.user)
            kwargs["form_class"] = TreeModelMultipleChoiceField
        elif db_field.name == "interprets":
            kwargs["queryset"] = Document.objects.interpretable_by(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _scoped_or_404(self, request, object_id):
        try:
            return self.get_queryset(request).get(pk=object_id)
        except (Document.DoesNotExist, ValueError, ValidationError):
            raise Http404(_("文件不存在，或不属于您所在的机构。"))

    def view_on_site(self, obj):
        """The public page once the public may see the document; the staff preview before."""
        if Document.objects.public().filter(pk=obj.pk).exists():
            return obj.get_absolute_url()
        return reverse("disclosure:preview", args=[obj.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = self._scoped_or_404(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "transitions": services.available_transitions(document, request.user),
            "edits_by_revision": services.edits_by_revision(document),
            "pending_revisions": document.revisions.pending().select_related("author"),
            # The author learns here that their latest revision was turned down, and why.
            "rejected_revision": document.revisions.latest_rejected_of(request.user),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._scoped_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        document = self._scoped_or_404(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "revisions": document.revisions.select_related("author", "decided_by"),
        }
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each version's changes from the one before, as the comparison page reads them."""
        previous = None
        for current in historical_records:
            if previous is not None:
                previous.history_delta_changes = diff_rows(version_changes(previous, current))
            previous = current

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One old version, read-only (SIMPLE_HISTORY_REVERT_DISABLED): still only for staff
        # who may see the document, and never a way to save.
        self._scoped_or_404(request, object_id)
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # --- who may change what ----------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or services.may_edit(obj, request.user)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or services.may_run(services.TRANSITIONS["delete"], obj, request.user)

    def has_submit_permission(self, request):
        return services.TRANSITIONS["submit"].permits(request.user)

    def has_publish_permission(self, request):
        return services.TRANSITIONS["publish"].permits(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletions go one by one, through the service
        return actions

    def response_action(self, request, queryset):
        # A crafted POST naming documents outside the user's agencies is refused outright.
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        if selected and request.POST.get("select_across", "0") == "0":
            try:
                visible = self.get_queryset(request).filter(pk__in=selected).count()
            except (ValueError, ValidationError):
                raise PermissionDenied
            if visible != len(set(selected)):
                raise PermissionDenied
        return super().response_action(request, queryset)

    # --- saving -----------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.IndexNumberTaken:
            # A save that raced this one took the legacy number after the form was checked.
            # Nothing was saved; checked again, the form now says so on the field.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change and services.edits_by_revision(obj):
            # The live document stays as it is: the edit, with its attachment changes, waits for
            # a second reviewer (the revision is made in save_related, once those are known).
            obj._revision_values = {name: form.cleaned_data[name] for name in form.changed_data}
            return
        with transaction.atomic():
            legacy = form.cleaned_data.get("legacy_index_number")
            if legacy and not obj.index_number_text:
                # A number typed here is the old site's: the document is a migrated one (the
                # site import then finds it, and it may keep the old date with a reason).
                obj.migrated_index_number = legacy
                services.set_legacy_index_number(obj, legacy)
            else:
                super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        if hasattr(obj, "_revision_values"):
            # Many-to-many fields and attachments are part of the revision.
            edits = [e for fs in formsets if fs.model is Attachment for e in attachment_edits(fs)]
            try:
                obj._revision = services.propose_revision(
                    obj, request.user, obj._revision_values, attachments=edits
                )
            except services.WorkflowError as exc:
                raise PermissionDenied(str(exc))
            for formset in formsets:
                if formset.model is Attachment:
                    # Nothing saved yet (the admin's change message reads these).
                    formset.new_objects = formset.changed_objects = formset.deleted_objects = []
                else:
                    self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        formset.save()
        if formset.model is not Attachment or not change:
            return
        document = form.instance
        for attachment in formset.new_objects:
            services.record_attachment_change(document, request.user, "add", attachment)
        for attachment, fields in formset.changed_objects:
            if "file" in fields:
                services.record_attachment_change(document, request.user, "replace", attachment)
        for attachment in formset.deleted_objects:
            services.record_attachment_change(document, request.user, "delete", attachment)

    def response_change(self, request, obj):
        if getattr(obj, "_revision", None) is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            _("修改已保存为待审核的修订 #%(pk)s：须由另一位审核人员批准后才对外生效。")
            % {"pk": obj._revision.pk},
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:disclosure_document_change", args=[obj.pk]))

    def delete_model(self, request, obj):
        try:
            services.delete_document(obj, request.user)
        except services.WorkflowError as exc:
            raise PermissionDenied(str(exc))

    # --- list columns -----------------------------------------------------------------------

    @admin.display(description=_("索引号"))
    def index_number_display(self, obj):
        return obj.index_number or _("（发布时分配）")

    @admin.display(description=_("链接检查结果"))
    def link_checks_display(self, obj):
        return link_check_table(obj)

    @admin.display(description=_("标题（索引号）"), ordering="title")
    def title_display(self, obj):
        return format_html(
            '{}<br><span class="index-number">{}</span>', obj.title, self.index_number_display(obj)
        )

    @admin.display(description=_("发布机构"), ordering="agency__name")
    def agency_display(self, obj):
        return obj.agency.display_name

    @admin.display(description=_("发布日期"), ordering="published_at")
    def published_display(self, obj):
        if obj.published_at is None:
            return ""
        day = timezone.localtime(obj.published_at).strftime("%Y-%m-%d")
        return format_html("{}<br>（定时）", day) if obj.is_scheduled else day

    @admin.display(description=_("解读"))
    def interpretation_display(self, obj):
        # In words, not Django's icons: a "?" told nobody that the genre needs no 解读.
        if obj.genre is None or not obj.genre.needs_interpretation:
            return "—"
        if obj.has_interpretation:
            return _("已解读")
        return format_html('<span class="needs-attention">{}</span>', _("缺解读"))

    # --- the workflow -----------------------------------------------------------------------

    @admin.action(description=_("提交所选文件审核"), permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submit", _("已提交 %(n)d 个文件。"))

    @admin.action(description=_("发布所选文件"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish", _("已发布 %(n)d 个文件。"))

    def _bulk(self, request, queryset, key, done_message):
        transition = services.TRANSITIONS[key]
        done = 0
        for document in queryset:
            try:
                transition.run(document, request.user)
                done += 1
            except services.WorkflowError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    # --- the review queue: who submitted and how long it has waited, the longest first ----------

    def _reviewing(self, request):
        return request.GET.get("status__exact") == Document.Status.SUBMITTED

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        if self._reviewing(request):
            at = shown.index("published_display")
            shown[at : at + 1] = ["submitted_by", "waiting_display"]
        return shown

    def get_ordering(self, request):
        if self._reviewing(request):
            return ["submitted_at", "pk"]
        return super().get_ordering(request)

    @admin.display(description=_("已等待"), ordering="submitted_at")
    def waiting_display(self, obj):
        if obj.submitted_at is None:
            return "—"
        waited = timezone.now() - obj.submitted_at
        if waited.days:
            return _("%(n)s天") % {"n": waited.days}
        return _("%(n)s小时") % {"n": waited.seconds // 3600}

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "admin_links": [
                (label, reverse(name))
                for label, name in registry.admin_links(Document, request.user)
            ],
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        custom = [
            *registry.admin_urls(self),
            path(
                "export/",
                admin_pages.ExportPage.as_page(self),
                name=f"{info[0]}_{info[1]}_export",
            ),
            path(
                "<path:object_id>/transition/<str:key>/",
                admin_pages.TransitionPage.as_page(self),
                name=f"{info[0]}_{info[1]}_transition",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/",
                admin_pages.RevisionPage.as_page(self),
                name=f"{info[0]}_{info[1]}_revision",
            ),
            path(
                "<path:object_id>/compare/",
                admin_pages.ComparePage.as_page(self),
                name=f"{info[0]}_{info[1]}_compare",
            ),
        ]
        return custom + super().get_urls()


class TopicChildInline(admin.TabularInline):
    model = Topic
    fk_name = "parent"
    extra = 0
    fields = ["name", "aliases", "is_national", "sort_order"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 1})}}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """The national list and the site's own topics; a site adds its own here (国务院公文主题分类
    unticked). A renamed topic keeps its former names, by which imports still find it."""

    list_display = ["name", "parent", "former_names", "is_national", "sort_order"]
    list_filter = [("parent", admin.EmptyFieldListFilter), "is_national"]
    list_select_related = ["parent"]
    search_fields = ["name", "aliases"]
    fields = ["name", "parent", "aliases", "is_national", "sort_order"]
    inlines = [TopicChildInline]

    @admin.display(description=_("曾用名"))
    def former_names(self, obj):
        return "；".join(obj.alias_list)


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "requires_doc_number",
        "needs_interpretation",
        "is_interpretation",
        "report_row",
        "sort_order",
    ]
    list_editable = [
        "requires_doc_number",
        "needs_interpretation",
        "is_interpretation",
        "report_row",
        "sort_order",
    ]
    search_fields = ["name"]


@admin.register(IndexCounter)
class IndexCounterAdmin(ReadOnlyAdmin):
    list_display = ["credit_code", "year", "last_serial"]
