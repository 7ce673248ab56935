"""The proposal admins' pages of their own, as view classes receiving the model admin
(``portal.admin_pages.AdminPage``): the handling dashboard and list, the import of a reply
letter, and a co-handling opinion's attachment."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from disclosure.proposals import services
from disclosure.proposals.dashboard import DUE_SOON_DAYS
from disclosure.proposals.forms import (
    LetterConfirmForm,
    LetterTextForm,
)
from disclosure.proposals.letters import FIELDS, parse_reply_letter
from disclosure.proposals.models import (
    CongressSession,
    ReplyClassification,
)
from portal import downloads
from portal.admin_pages import AdminPage
from portal.downloads import Download
from portal.files import file_response
from portal.workdays import provisional_mark


class DashboardPage(AdminPage):
    """Open proposals by deadline, overdue and due within 15 days first, per handling unit."""

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        proposals = (
            self.model_admin.get_queryset(request).open().select_related("session", "lead_unit")
        )
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


class HandlingListPage(AdminPage):
    """A session's handling list for the congress office, as CSV or XLSX (audited)."""

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        session = CongressSession.objects.filter(pk=request.GET.get("session") or 0).first()
        if session is None:
            self.message_user(
                request, _("请先在右侧筛选中选择一次会议，再导出办理清单。"), messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:disclosure_proposal_changelist"))
        proposals = (
            self.model_admin.get_queryset(request)
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
            title=f"{session.name}建议提案办理清单",
            total=proposals.count(),
        )
        file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
        try:
            return downloads.response(download, file_format, request.user)
        except downloads.ExportLimited as limited:
            return downloads.limited_page(request, limited, self.admin_site)


class LetterImportPage(AdminPage):
    """Upload or paste a letter; check the recognised parts; only then save."""

    def get(self, request):
        if not self.model_admin.has_add_permission(request):
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

    post = get

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


class OpinionAttachmentPage(AdminPage):
    """The attachment, to staff of the opinion's unit or of the proposal's lead unit."""

    def get(self, request, pk):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        opinion = get_object_or_404(self.model_admin.get_queryset(request), pk=pk)
        if not opinion.attachment:
            raise Http404
        try:
            handle = opinion.attachment.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        name = opinion.attachment_name or opinion.attachment.name.rsplit("/", 1)[-1]
        return file_response(handle, name)


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
