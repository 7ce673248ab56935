"""Admin for sessions, proposals and replies: the handling dashboard, the letter import, exports."""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from catalog.scoping import agency_scope
from disclosure.proposals import admin_pages, services
from disclosure.proposals.forms import (
    CoHandlingOpinionForm,
    ProposalReplyForm,
)
from disclosure.proposals.models import (
    CoHandlingOpinion,
    CongressSession,
    Proposal,
    ProposalReply,
    ReplyClassification,
)
from portal.admin import DeclaredLookupsOnly
from portal.workdays import provisional_mark


@admin.register(CongressSession)
class CongressSessionAdmin(admin.ModelAdmin):
    list_display = ["name_display", "body", "year", "opened_on", "closed_on"]
    list_filter = ["body", "year"]

    @admin.display(description=_("会议"))
    def name_display(self, obj):
        return obj.name


@admin.register(ReplyClassification)
class ReplyClassificationAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "sort_order"]
    list_editable = ["label", "sort_order"]


class ReplyInline(admin.TabularInline):
    model = ProposalReply
    extra = 0
    fields = ["round", "letter_date", "disclosure", "document"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def opinion_attachment_link(opinion):
    if not opinion.attachment:
        return ""
    url = reverse("admin:disclosure_cohandlingopinion_attachment", args=[opinion.pk])
    return format_html('<a href="{}">{}</a>', url, opinion.attachment_name or _("附件"))


class CoHandlingOpinionInline(admin.TabularInline):
    """The co-handling units' opinions, read-only on the proposal: the lead unit reads them."""

    model = CoHandlingOpinion
    extra = 0
    fields = ["unit", "given_on", "text", "attachment_link", "author"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("协办意见（协办单位在“协办意见”中填写）")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("unit", "author")
        return queryset.for_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("附件"))
    def attachment_link(self, obj):
        return opinion_attachment_link(obj)


@admin.register(Proposal)
class ProposalAdmin(DeclaredLookupsOnly, admin.ModelAdmin):
    list_display = ["number", "title", "session", "lead_delegate", "lead_unit", "status", "deadline_display",
                    "classification", "feedback"]  # fmt: skip
    list_filter = ["session", "status", "classification", "feedback", "is_complex"]
    list_select_related = ["session", "lead_unit", "classification"]
    search_fields = ["=number", "title", "lead_delegate", "co_signers"]
    autocomplete_fields = ["lead_unit", "co_units"]
    inlines = [CoHandlingOpinionInline, ReplyInline]
    change_list_template = "admin/disclosure/proposal/change_list.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "session",
                    "number",
                    "title",
                    "lead_delegate",
                    "co_signers",
                    "category",
                    "text",
                ]
            },
        ),
        (
            _("交办"),
            {
                "fields": [
                    "assigned_on",
                    "is_complex",
                    "lead_unit",
                    "co_units",
                    "deadlines_display",
                    "status",
                ]
            },
        ),
        (
            _("答复与反馈"),
            {"fields": ["classification", "feedback", "feedback_comment", "feedback_on"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).for_staff(request.user)

    def has_change_permission(self, request, obj=None):
        # Co-handling units read the proposal; only its lead unit changes it.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_led_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.is_led_by(request.user))

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "proposalreply":
            # The reply form's proposal picker offers only proposals the user's unit leads.
            queryset = queryset.led_by(request.user)
        return queryset, duplicates

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_unit":
            kwargs["queryset"] = Agency.objects.for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    readonly_fields = ["deadlines_display"]

    @admin.display(description=_("期限"))
    def deadlines_display(self, obj):
        if obj is None or obj.assigned_on is None:
            return _("保存后按交办日期计算")
        reply, opinion = obj.deadline, obj.co_unit_deadline
        return f"协办单位提出意见：{opinion}；答复：{reply}{provisional_mark(reply, opinion)}"

    @admin.display(description=_("答复期限"))
    def deadline_display(self, obj):
        deadline = obj.deadline
        return f"{deadline}{provisional_mark(deadline)}" if deadline.provisional else deadline

    def save_model(self, request, obj, form, change):
        if change and "feedback" in form.changed_data and obj.feedback:
            obj.save()
            services.record_feedback(obj, obj.feedback, obj.feedback_comment, obj.feedback_on)
            obj.refresh_from_db()
        else:
            super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "session_id": request.GET.get("session__id__exact", ""),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "dashboard/",
                admin_pages.DashboardPage.as_page(self),
                name="disclosure_proposal_dashboard",
            ),
            path(
                "export/",
                admin_pages.HandlingListPage.as_page(self),
                name="disclosure_proposal_export",
            ),
            *super().get_urls(),
        ]


@admin.register(ProposalReply)
class ProposalReplyAdmin(DeclaredLookupsOnly, admin.ModelAdmin):
    form = ProposalReplyForm
    list_display = ["title_display", "proposal", "round", "letter_date", "disclosure", "document"]
    list_select_related = ["proposal__session", "document"]
    list_filter = ["disclosure", "proposal__session"]
    search_fields = ["proposal__title", "=proposal__number", "signer"]
    autocomplete_fields = ["proposal"]
    readonly_fields = ["document", "co_opinions_display"]
    change_list_template = "admin/disclosure/proposalreply/change_list.html"

    @admin.display(description=_("协办意见"))
    def co_opinions_display(self, obj):
        """What the co-handling units said, for the lead unit drafting the reply."""
        if obj is None or obj.proposal_id is None:
            return _("保存后显示协办单位的意见。")
        opinions = obj.proposal.co_opinions.select_related("unit").order_by("given_on", "pk")
        viewer = getattr(obj, "viewer", None)
        if viewer is None:  # only get_object says who is looking
            return _("暂无协办意见。")
        opinions = opinions.for_staff(viewer)
        if not opinions:
            return _("暂无协办意见。")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong>（{}）：{} {}</li>",
                ((o.unit, o.given_on, o.text, opinion_attachment_link(o)) for o in opinions),
            ),
        )

    def get_object(self, request, object_id, from_field=None):
        reply = super().get_object(request, object_id, from_field)
        if reply is not None:
            reply.viewer = request.user  # whose opinions co_opinions_display may show
        return reply

    def has_change_permission(self, request, obj=None):
        # Co-handling units read the reply; only the lead unit writes it (and so its document).
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.proposal.is_led_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.proposal.is_led_by(request.user))

    @admin.display(description=_("标题"))
    def title_display(self, obj):
        return obj.title

    def get_queryset(self, request):
        return super().get_queryset(request).for_staff(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "proposal":
            kwargs["queryset"] = Proposal.objects.led_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_reply(obj, request.user)

    def get_urls(self):
        return [
            path(
                "import/",
                admin_pages.LetterImportPage.as_page(self),
                name="disclosure_proposalreply_import",
            ),
            *super().get_urls(),
        ]


@admin.register(CoHandlingOpinion)
class CoHandlingOpinionAdmin(DeclaredLookupsOnly, admin.ModelAdmin):
    """Co-handling units enter their opinions here; the lead unit reads them (read-only)."""

    form = CoHandlingOpinionForm
    list_display = ["proposal", "unit", "given_on", "author", "created_at"]
    list_select_related = ["proposal__session", "unit", "author"]
    list_filter = ["proposal__session"]
    search_fields = ["proposal__title", "=proposal__number", "text"]
    readonly_fields = ["attachment_link", "author", "created_at"]

    @admin.display(description=_("已上传附件"))
    def attachment_link(self, obj):
        return opinion_attachment_link(obj) if obj else ""

    def get_queryset(self, request):
        return super().get_queryset(request).for_staff(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "proposal":
            kwargs["queryset"] = Proposal.objects.co_handled_by(request.user)
        elif db_field.name == "unit":
            units = Agency.objects.filter(co_proposals__isnull=False).distinct()
            kwargs["queryset"] = units.for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _own_unit(self, request, obj):
        return obj is None or agency_scope(request.user).covers(obj.unit_id)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._own_unit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._own_unit(request, obj)

    def save_model(self, request, obj, form, change):
        services.save_opinion(obj, request.user)

    def delete_model(self, request, obj):
        services.delete_opinion(obj, request.user)

    def delete_queryset(self, request, queryset):
        for opinion in queryset:
            services.delete_opinion(opinion, request.user)

    def get_urls(self):
        return [
            path(
                "<int:pk>/attachment/",
                admin_pages.OpinionAttachmentPage.as_page(self),
                name="disclosure_cohandlingopinion_attachment",
            ),
            *super().get_urls(),
        ]
