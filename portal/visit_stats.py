"""The visit statistics staff see (``VisitDayAdmin``'s page): one month's days, the months of
its year, the kinds of page, and the most viewed columns and documents, named by the parts that
own them (``registry.visit_names``)."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import registry
from portal.admin_pages import AdminPage
from portal.models import VisitDay

TOP_COUNT = 20
KINDS = [kind for kind in VisitDay.Kind if kind != VisitDay.Kind.SITE]


class MonthForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)


@dataclass
class Month:
    year: int
    month: int
    days: list  # VisitDay rows of the site, each day of the month that has one
    totals: dict  # views, visitors (summed by day), bot_views
    months: list  # (month, totals) of the year
    kinds: list  # (label, totals) of the month
    columns: list  # (name, url, views, visitors) of the month's most viewed
    documents: list


def _totals(rows):
    sums = rows.aggregate(views=Sum("views"), visitors=Sum("visitors"), bot_views=Sum("bot_views"))
    return {name: value or 0 for name, value in sums.items()}


def _top(rows, kind, field):
    top = list(
        rows.filter(kind=kind)
        .exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .order_by("-views", field)[:TOP_COUNT]
    )
    names = registry.visit_names_for(kind, [row[field] for row in top])
    return [
        (*names.get(row[field], (f"#{row[field]}", None)), row["views"], row["visitors"])
        for row in top
    ]


def month_figures(year, month):
    """The figures of ``month`` of ``year`` (see ``Month``)."""
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    in_month = VisitDay.objects.filter(date__range=(first, last))
    site = in_month.filter(kind=VisitDay.Kind.SITE)
    by_month = (
        VisitDay.objects.filter(kind=VisitDay.Kind.SITE, date__year=year)
        .annotate(month=ExtractMonth("date"))
        .values("month")
        .annotate(views=Sum("views"), visitors=Sum("visitors"), bot_views=Sum("bot_views"))
        .order_by("month")
    )
    return Month(
        year=year,
        month=month,
        days=list(site.order_by("date")),
        totals=_totals(site),
        months=[(row["month"], row) for row in by_month],
        kinds=[
            (kind.label, _totals(in_month.filter(kind=kind, node_id=None, document_id=None)))
            for kind in KINDS
        ],
        columns=_top(in_month, VisitDay.Kind.COLUMN, "node_id"),
        documents=_top(in_month, VisitDay.Kind.DOCUMENT, "document_id"),
    )


class VisitStatisticsPage(AdminPage):
    """访问统计 of a month, for staff who may view the figures."""

    template_name = "admin/portal/visitday/statistics.html"

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        form = MonthForm(request.GET or {"year": today.year, "month": today.month})
        if form.is_valid():
            year, month = form.cleaned_data["year"], form.cleaned_data["month"]
        else:
            year, month = today.year, today.month
        context = {
            "title": _("访问统计"),
            "form": form,
            "figures": month_figures(year, month),
        }
        return self.render(request, context)
