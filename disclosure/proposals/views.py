"""Public pages of proposal replies: the list by session, and each session's statistics."""

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from portal import page_cache

from ..models import Document
from .forms import ProposalFilterForm
from .models import CongressSession, Proposal, ProposalReply

# What the proposal list reads from its query string, for the page cache.
LIST_PARAMETERS = {
    "page": page_cache.as_used,
    **page_cache.form_fields(ProposalFilterForm),
    "q": page_cache.free_text(ProposalFilterForm.base_fields["q"].max_length),
}


class ProposalListView(ListView):
    """Proposals with a public reply, by session; each row links to the reply."""

    template_name = "disclosure/proposals/proposal_list.html"
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
        if context["page_obj"].paginator.count:
            # Filters that found nothing are served but not kept (every combination is a page).
            page_cache.used_form(self.request, self.form)
        page_cache.used(self.request, page=context["page_obj"].number)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=self.form, query_string=query.urlencode())
        return context


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


class ProposalStatisticsView(TemplateView):
    """One session's handling figures, all computed from the same list of rows the tables show."""

    template_name = "disclosure/proposals/proposal_statistics.html"

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
            first = proposal.first_reply
            rows.append(
                {
                    "unit": proposal.lead_unit.name,
                    "replied": first is not None,
                    "in_time": first is not None and first.replied_in_time,
                    "overdue": proposal.overdue_on(today),
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
