"""Public pages of proposal replies: the list by session, and each session's statistics."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from catalog.models import CatalogNode
from disclosure.documents.models.counts import column_documents
from disclosure.proposals.forms import ProposalFilterForm
from disclosure.proposals.models import CongressSession
from disclosure.proposals.services import REPLY_NODES
from portal import page_cache

# What the proposal list reads from its query string, for the page cache.
LIST_PARAMETERS = {
    "page": page_cache.as_used,
    **page_cache.form_fields(ProposalFilterForm),
    "q": page_cache.free_text(ProposalFilterForm.base_fields["q"].max_length),
}


def public_reply_documents(body=None):
    """The public documents of the reply columns (人大代表建议办理, 政协委员提案办理; of one
    ``body`` when given): the proposals page lists what those columns list, from the same
    source (``column_documents``), replies recorded with their proposal or not."""
    slugs = [REPLY_NODES[body]] if body else list(REPLY_NODES.values())
    return column_documents(list(CatalogNode.objects.visible().filter(slug__in=slugs)))


class ProposalListView(ListView):
    """The replies of the reply columns, newest first; those recorded as a proposal's reply
    show its session, number, delegate and lead unit."""

    template_name = "disclosure/proposals/proposal_list.html"
    context_object_name = "replies"
    paginate_by = 20

    def get_queryset(self):
        self.form = ProposalFilterForm(self.request.GET or None)
        body = self.form.cleaned_data.get("body") if self.form.is_valid() else None
        documents = public_reply_documents(body or None).select_related(
            "agency",
            "proposal_reply__proposal__session",
            "proposal_reply__proposal__lead_unit",
        )
        return self.form.filter(documents).newest_first()

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
