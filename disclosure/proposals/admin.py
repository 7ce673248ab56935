"""Admin for sessions, proposals and replies: the handling dashboard, the letter import, exports."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from catalog.scoping import agency_scope
from portal.admin import DeclaredLookupsOnly
from portal.workdays import provisional_mark

from ..reports import downloads
from ..reports.downloads import Download
from . import services
from .forms import CoHandlingOpinionForm, LetterConfirmForm, LetterTextForm, ProposalReplyForm
from .letters import FIELDS, parse_reply_letter
from .models import (
    CoHandlingOpinion,
    CongressSession,
    Proposal,
    ProposalReply,
    ReplyClassification,
)

DUE_SOON_DAYS = 15


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

    def dashboard_view(self, request):
        """Open proposals by deadline, overdue and due within 15 days first, per handling unit."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        proposals = self.get_queryset(request).open().select_related("session", "lead_unit")
        rows = []
        for proposal in proposals:
            deadline = proposal.deadline
            days_left = (deadline - today).days
            urgency = (
                "overdue" if days_left < 0 else "soon" if days_left <= DUE_SOON_DAYS else "later"
            )
            rows.append(
                {
                    "proposal": proposal,
                    "deadline": deadline,
                    "days_left": days_left,
                    "urgency": urgency,
                }
            )
        order = {"overdue": 0, "soon": 1, "later": 2}
        rows.sort(key=lambda r: (order[r["urgency"]], r["deadline"], r["proposal"].lead_unit.name))
        units = {}
        for row in rows:
            units.setdefault(row["proposal"].lead_unit.name, {"overdue": 0, "soon": 0, "later": 0})[
                row["urgency"]
            ] += 1
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("建议提案办理看板"),
            "rows": rows,
            "units": sorted(units.items()),
            "today": today,
            "due_soon_days": DUE_SOON_DAYS,
        }
        return TemplateResponse(request, "admin/disclosure/proposal/dashboard.html", context)

    def export_view(self, request):
        """A session's handling list for the congress office, as CSV or XLSX (audited)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        session = CongressSession.objects.filter(pk=request.GET.get("session") or 0).first()
        if session is None:
            self.message_user(
                request, _("请先在右侧筛选中选择一次会议，再导出办理清单。"), messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:disclosure_proposal_changelist"))
        proposals = (
            self.get_queryset(request)
            .filter(session=session)
            .select_related("lead_unit", "classification")
            .prefetch_related("co_units", "replies")
            .order_by("number")
        )
        download = Download(
            what="proposal_handling_list",
            filename=f"{session.name}办理清单",
            rows=handling_rows(proposals),
            sheet="办理清单",
            widths=[6, 40, 10, 16, 12, 24, 24, 12, 12, 10, 12, 8, 16, 10],
            details={"session": session.name},
        )
        file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        try:
            return downloads.response(download, file_format, request.user)
        except downloads.ExportLimited as limited:
            return downloads.limited_page(request, limited, self.admin_site)

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
                self.admin_site.admin_view(self.dashboard_view),
                name="disclosure_proposal_dashboard",
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="disclosure_proposal_export",
            ),
            *super().get_urls(),
        ]


def found_parts(parsed):
    """The names of the parts the parser found in the letter, in the form's order."""
    return [name for name in FIELDS if name not in parsed.missing]


def handling_rows(proposals):
    yield ["编号", "标题", "领衔", "附议", "分类", "主办单位", "协办单位", "交办日期", "答复期限", "办理状态",
           "答复日期", "按期", "答复分类", "反馈"]  # fmt: skip
    for proposal in proposals:
        first = proposal.first_reply
        deadline = proposal.deadline
        yield [
            str(proposal.number),
            proposal.title,
            proposal.lead_delegate,
            proposal.co_signers,
            proposal.category,
            proposal.lead_unit.name,
            "、".join(u.name for u in proposal.co_units.all()),
            proposal.assigned_on.isoformat(),
            deadline.isoformat() + provisional_mark(deadline),
            proposal.get_status_display(),
            (first.letter_date.isoformat() if first.letter_date else "未注明") if first else "",
            ("是" if first.replied_in_time else "否") if first else "",
            str(proposal.classification or ""),
            proposal.get_feedback_display(),
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

    def import_view(self, request):
        """Upload or paste a letter; check the recognised parts; only then save."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("从复函导入"),
        }
        if request.method == "POST" and request.POST.get("step") == "confirm":
            return self.confirm_letter(request, context)
        text_form = LetterTextForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and text_form.is_valid():
            parsed = parse_reply_letter(text_form.cleaned_data["text"])
            initial = self.letter_initial(request, parsed)
            form = LetterConfirmForm(initial=initial, user=request.user, admin_site=self.admin_site)
            return self.confirm_page(request, context, form, found_parts(parsed), parsed.notes)
        return TemplateResponse(
            request, "admin/disclosure/proposalreply/import.html", {**context, "form": text_form}
        )

    def confirm_letter(self, request, context):
        form = LetterConfirmForm(request.POST, user=request.user, admin_site=self.admin_site)
        if form.is_valid():
            try:
                reply = services.import_letter(form.cleaned_data, request.user)
            except services.ReplyError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    _("已导入为草稿：%(title)s。须提交审核并发布后才会公开。")
                    % {"title": reply.title},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:disclosure_proposalreply_change", args=[reply.pk])
                )
        found = [name for name in request.POST.get("found_parts", "").split(",") if name in FIELDS]
        return self.confirm_page(request, context, form, found, {})

    def letter_initial(self, request, parsed):
        """The confirm form's first values: the parsed parts, the unit and proposal they name."""
        initial = dict(parsed.values)
        initial["delegates"] = "、".join(parsed.values.get("delegates") or [])
        initial["found_parts"] = ",".join(found_parts(parsed))
        category = parsed.values.get("category")
        known = ReplyClassification.objects.filter(code=category).first() if category else None
        initial["category"] = known.pk if known else None
        if category and known is None:
            parsed.notes["category"] = _("复函的办理类别“%(code)s”不在答复分类中，请选择。") % {
                "code": category
            }
        office = initial.get("issuing_office")
        unit = (
            Agency.objects.filter(name=office).for_staff(request.user).first() if office else None
        )
        initial["lead_unit"] = unit.pk if unit else None
        named = services.proposals_named(
            *(
                parsed.values.get(name)
                for name in ("body_kind", "level", "term", "session", "number")
            )
        )
        proposal = named.led_by(request.user).first() if named.count() == 1 else None
        initial["proposal"] = proposal.pk if proposal else None
        return initial

    def confirm_page(self, request, context, form, found, notes):
        missing = [name for name in FIELDS if name not in found]
        for name in FIELDS:
            form.fields[name].widget.attrs["class"] = "found" if name in found else "needs-input"
        return TemplateResponse(
            request,
            "admin/disclosure/proposalreply/import_confirm.html",
            {
                **context,
                "form": form,
                "found": [FIELDS[name] for name in found],
                "missing": [FIELDS[name] for name in missing],
                "notes": notes.values(),
            },
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
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

    def attachment_view(self, request, pk):
        """The attachment, to staff of the opinion's unit or of the proposal's lead unit."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        opinion = get_object_or_404(self.get_queryset(request), pk=pk)
        if not opinion.attachment:
            raise Http404
        try:
            handle = opinion.attachment.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        name = opinion.attachment_name or opinion.attachment.name.rsplit("/", 1)[-1]
        response = FileResponse(handle, as_attachment=True, filename=name,
                                content_type="application/octet-stream")  # fmt: skip
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    def get_urls(self):
        return [
            path(
                "<int:pk>/attachment/",
                self.admin_site.admin_view(self.attachment_view),
                name="disclosure_cohandlingopinion_attachment",
            ),
            *super().get_urls(),
        ]
