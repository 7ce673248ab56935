"""Whether each list column is kept up to date, as the site inspection (《政府网站与政务新媒体检查
指标》) judges it: a column not updated within its period (``CatalogNode.effective_update_days``:
its own 更新周期, else its kind's, 动态要闻 14 days, 通知公告/政策文件 183, 人事/规划计划 365) is
stale.

A column's last update is the newest publication date among the public documents its page lists:
those filed in it or in a column beneath it, and those also listed there (a column's page lists
its whole subtree, so what the public reads as the column's list is what counts). Pages (栏目类型
“页面”) and columns with no period are not judged.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, F, Max, Q, Value
from django.utils import timezone

from catalog.models import KIND_UPDATE_DAYS, CatalogNode, ColumnKind
from catalog.tree import SubtreeIndex
from disclosure.documents.models import Document


@dataclass(frozen=True)
class Freshness:
    """One list column on a day: its period, its newest public document's publication date
    (None when it has none), the days since and whether that is beyond the period."""

    node: CatalogNode
    period_days: int
    last_published: date | None
    days_since: int | None
    stale: bool


def end_of(day):
    return datetime.combine(day, time.max, timezone.get_current_timezone())


def newest_by_column(documents):
    """A SubtreeIndex of the newest publication time placed at each column holding one of
    ``documents`` (filed there or also listed there): one aggregate query."""
    filed = (
        documents.order_by()
        .values("node__tree_id", "node__lft")
        .annotate(
            part=Value("f", output_field=CharField()),
            t=F("node__tree_id"),
            l=F("node__lft"),
            latest=Max("published_at"),
        )
        .values_list("part", "t", "l", "latest")
    )
    listed = (
        Document.extra_nodes.through.objects.filter(document__in=documents.values("pk"))
        .order_by()
        .values("catalognode__tree_id", "catalognode__lft")
        .annotate(
            part=Value("x", output_field=CharField()),
            t=F("catalognode__tree_id"),
            l=F("catalognode__lft"),
            latest=Max("document__published_at"),
        )
        .values_list("part", "t", "l", "latest")
    )
    return SubtreeIndex(
        (tree_id, lft, latest) for _part, tree_id, lft, latest in filed.union(listed, all=True)
    )


def column_freshness(day, columns=None, documents=None):
    """[Freshness] of each visible list column with a period among ``columns`` (every column
    when None), in tree order, as of the end of ``day``; ``documents``: the public documents
    counted (all those public at the end of ``day`` when None). Two queries."""
    moment = end_of(day)
    if documents is None:
        documents = Document.objects.public(at=moment)
    newest = newest_by_column(documents)
    columns = (CatalogNode.objects.all() if columns is None else columns).visible()
    with_period = Q(update_interval_days__isnull=False) | Q(kind__in=list(KIND_UPDATE_DAYS))
    found = []
    for node in (
        columns.filter(with_period).exclude(kind=ColumnKind.PAGE).order_by("tree_id", "lft")
    ):
        period = node.effective_update_days
        if period is None:
            continue
        latest = max(newest.values(node), default=None)
        if latest is None:
            found.append(Freshness(node, period, None, None, True))
            continue
        published_on = timezone.localtime(latest).date()
        stale = moment - latest > timedelta(days=period)
        found.append(Freshness(node, period, published_on, (day - published_on).days, stale))
    return found
