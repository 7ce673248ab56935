"""Public pages of proposal replies: the list by session, and each session's statistics."""

import re

from django import forms
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView

from catalog.models import Agency

from .models import CongressSession, Document, Proposal, ProposalReply, ReplyClassification


class ProposalFilterForm(forms.Form):
    q = forms.CharField(label=_("编号或标题"), required=False, max_length=100)
    body = forms.ChoiceField(label=_("类别"), required=False)
    session = forms.TypedChoiceField(label=_("会议"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label=_("年份"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("主办单位"), required=False, coerce=int, empty_value=None)
    classification = forms.TypedChoiceField(
        label=_("答复分类"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("办理状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("全部"))]
        sessions = list(CongressSession.objects.all())
        self.fields["body"].choices = every + [
            ("congress", "人大代表建议"),
            ("cppcc", "政协委员提案"),
        ]
        self.fields["session"].choices = every + [(s.pk, s.name) for s in sessions]
        self.fields["year"].choices = every + [
            (y, y) for y in sorted({s.year for s in sessions}, reverse=True)
        ]
        units = (
            Agency.objects.filter(lead_proposals__isnull=False).distinct().values_list("pk", "name")
        )
        self.fields["unit"].choices = every + list(units)
        self.fields["classification"].choices = every + [
            (c.pk, str(c)) for c in ReplyClassification.objects.all()
        ]
        self.fields["status"].choices = every + list(Proposal.Status.choices)

    def filter(self, proposals):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("body"):
            proposals = proposals.filter(session__body=data["body"])
        if data.get("session"):
            proposals = proposals.filter(session_id=data["session"])
        if data.get("year"):
            proposals = proposals.filter(session__year=data["year"])
        if data.get("unit"):
            proposals = proposals.filter(lead_unit_id=data["unit"])
        if data.get("classification"):
            proposals = proposals.filter(classification_id=data["classification"])
        if data.get("status"):
            proposals = proposals.filter(status=data["status"])
        query = (data.get("q") or "").strip()
        if query:
            number = query.lstrip("第").rstrip("号")
            if re.fullmatch(r"[0-9]{1,9}", number):  # not str.isdigit(): "²" is a digit to it
                proposals = proposals.filter(number=int(number))
            else:
                for word in query.split():
                    proposals = proposals.filter(
                        Q(title__icontains=word) | Q(lead_delegate__icontains=word)
                    )
        return proposals


class ProposalListView(ListView):
    """Proposals with a public reply, by session; each row links to the reply."""

    template_name = "disclosure/proposal_list.html"
    context_object_name = "proposals"
    paginate_by = 20

    def get_queryset(self):
        self.form = ProposalFilterForm(self.request.GET or None)
        public_replies = ProposalReply.objects.filter(
            proposal=OuterRef("pk"), document__in=Document.objects.public()
        ).order_by("-round")
        proposals = (
            Proposal.objects.with_public_reply()
            .select_related("session", "lead_unit")
            .annotate(
                reply_date=Subquery(public_replies.values("letter_date")[:1]),
                reply_document=Subquery(public_replies.values("document_id")[:1]),
            )
            .order_by("-session__year", "session__body", "number")
        )
        return self.form.filter(proposals)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=self.form, query_string=query.urlencode())
        return context


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


class ProposalStatisticsView(TemplateView):
    """One session's handling figures, all computed from the same list of rows the tables show."""

    template_name = "disclosure/proposal_statistics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = get_object_or_404(CongressSession, pk=self.kwargs["pk"])
        today = timezone.localdate()
        proposals = list(
            session.proposals.select_related("lead_unit", "classification").prefetch_related(
                "replies"
            )
        )
        rows = []
        for proposal in proposals:
            first = min(proposal.replies.all(), key=lambda r: r.round, default=None)
            deadline = proposal.deadline
            rows.append(
                {
                    "unit": proposal.lead_unit.name,
                    "replied": first is not None,
                    "in_time": first is not None and first.letter_date <= deadline,
                    "overdue": first is None and deadline < today,
                    "classification": str(proposal.classification)
                    if proposal.classification
                    else "未分类",
                    "feedback": proposal.get_feedback_display() if proposal.feedback else "",
                }
            )
        context.update(session=session, totals=tally(rows), units=by_unit(rows), rows=rows)
        context["classifications"] = counted(rows, "classification")
        context["feedback"] = counted([r for r in rows if r["feedback"]], "feedback")
        return context


def tally(rows):
    received = len(rows)
    replied = sum(r["replied"] for r in rows)
    in_time = sum(r["in_time"] for r in rows)
    overdue = sum(r["overdue"] for r in rows)
    feedback = [r["feedback"] for r in rows if r["feedback"]]
    content = sum(f in ("满意", "基本满意") for f in feedback)
    return {
        "received": received,
        "replied": replied,
        "in_time": in_time,
        "overdue": overdue,
        "in_time_rate": percent(in_time, received),
        "reply_rate": percent(replied, received),
        "feedback": len(feedback),
        "satisfied": content,
        "satisfaction_rate": percent(content, len(feedback)),
    }


def by_unit(rows):
    units = {}
    for row in rows:
        units.setdefault(row["unit"], []).append(row)
    return [{"name": name, **tally(unit_rows)} for name, unit_rows in sorted(units.items())]


def counted(rows, key):
    counts = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    total = sum(counts.values())
    return [
        {"label": label, "count": n, "percent": percent(n, total)}
        for label, n in sorted(counts.items())
    ]
