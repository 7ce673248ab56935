"""Public document counts per column, kept by the publishing services so no page counts rows.

``PublicCount`` holds, per column, the published 主动公开 documents whose primary column it is,
whatever their publish time. Readers subtract the few scheduled for later (one range read of the
public index on ``published_at > now``), so a document falling due needs no write, and add the
rare documents also listed under other columns (read live from the listing table). Subtree
totals come from these per-column rows through ``catalog.tree.SubtreeIndex``.
"""

from django.db import models, transaction
from django.db.models import CharField, Count, F, IntegerField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogNode
from catalog.tree import SubtreeIndex
from disclosure.documents.models.documents import Document


class PublicCount(models.Model):
    """Published 主动公开 documents filed under one column (its primary column), due or not."""

    node = models.OneToOneField(
        CatalogNode,
        verbose_name=_("栏目"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    documents = models.IntegerField(_("已发布主动公开文件数"), default=0)

    class Meta:
        verbose_name = _("栏目公开文件数")
        verbose_name_plural = _("栏目公开文件数")

    def __str__(self):
        return f"#{self.node_id}: {self.documents}"


def counted_node(document):
    """The column whose kept count includes ``document`` (its primary node), or None."""
    if (
        document.status == Document.Status.PUBLISHED
        and document.disclosure_mode == Document.DisclosureMode.ACTIVE
    ):
        return document.node_id
    return None


def move_count(before, after):
    """A document counted under column ``before`` is now counted under ``after`` (either None).

    Call it in the transaction that saves the document; each update is an atomic increment.
    """
    if before == after:
        return
    for node_id, delta in ((before, -1), (after, 1)):
        if node_id is not None:
            PublicCount.objects.bulk_create([PublicCount(node_id=node_id)], ignore_conflicts=True)
            PublicCount.objects.filter(node_id=node_id).update(documents=F("documents") + delta)


def add_counts(added):
    """``added`` ({column pk: n}) more documents are counted under each column: a bulk load's
    batch in one increment a column. Call it in the transaction that saves the documents."""
    for node_id, delta in added.items():
        if delta:
            PublicCount.objects.bulk_create([PublicCount(node_id=node_id)], ignore_conflicts=True)
            PublicCount.objects.filter(node_id=node_id).update(documents=F("documents") + delta)


def counted_by_node():
    """{node pk: published 主动公开 documents filed under it}, counted from the documents."""
    return dict(
        Document.objects.filter(
            status=Document.Status.PUBLISHED, disclosure_mode=Document.DisclosureMode.ACTIVE
        )
        .order_by()
        .values("node_id")
        .annotate(n=Count("pk"))
        .values_list("node_id", "n")
    )


@transaction.atomic
def rebuild_public_counts():
    """Recount every column from the documents and store it; returns the drift found,
    {node pk: (kept, counted)} for every column whose kept count was wrong."""
    counted = counted_by_node()
    kept = dict(PublicCount.objects.select_for_update().values_list("node_id", "documents"))
    drift = {
        pk: (kept.get(pk, 0), counted.get(pk, 0))
        for pk in set(kept) | set(counted)
        if kept.get(pk, 0) != counted.get(pk, 0)
    }
    PublicCount.objects.all().delete()
    PublicCount.objects.bulk_create(
        [PublicCount(node_id=pk, documents=n) for pk, n in counted.items()], batch_size=1000
    )
    return drift


# Every part of the counts' UNION annotates these columns, named in the same order: a UNION
# matches columns by position.
_COUNT_COLUMNS = ("kind", "t", "l", "doc", "n", "pt", "pl")


def _null_int():
    return Cast(Value(None), IntegerField())  # typed: an untyped NULL is text to PostgreSQL


def _kind(letter):
    return Value(letter, output_field=CharField())


def _kept_count_rows():
    """The kept public count of each column, as kind "p"."""
    return (
        PublicCount.objects.order_by()
        .annotate(
            kind=_kind("p"),
            t=F("node__tree_id"),
            l=F("node__lft"),
            doc=_null_int(),
            n=F("documents"),
            pt=_null_int(),
            pl=_null_int(),
        )
        .values_list(*_COUNT_COLUMNS)
    )


def _scheduled_count_rows():
    """Per column, the published documents whose publication time is still ahead (kept in
    the count, not yet public), as kind "s"."""
    return (
        Document.objects.filter(
            status=Document.Status.PUBLISHED,
            disclosure_mode=Document.DisclosureMode.ACTIVE,
            published_at__gt=timezone.now(),
        )
        .order_by()
        .values("node__tree_id", "node__lft")
        .annotate(
            kind=_kind("s"),
            t=F("node__tree_id"),
            l=F("node__lft"),
            doc=_null_int(),
            n=Count("pk"),
            pt=_null_int(),
            pl=_null_int(),
        )
        .values_list(*_COUNT_COLUMNS)
    )


def _extra_listing_rows():
    """Each extra listing of a public document, with its primary column, as kind "x"."""
    return (
        Document.extra_nodes.through.objects.filter(
            document__in=Document.objects.public().values("pk")
        )
        .order_by()
        .annotate(
            kind=_kind("x"),
            t=F("catalognode__tree_id"),
            l=F("catalognode__lft"),
            doc=F("document_id"),
            n=Value(1, output_field=IntegerField()),
            pt=F("document__node__tree_id"),
            pl=F("document__node__lft"),
        )
        .values_list(*_COUNT_COLUMNS)
    )


def _read_counts():
    """The kept counts less the scheduled documents, and the public extra listings, as two
    SubtreeIndexes (values placed at their column): one query."""
    rows = _kept_count_rows().union(_scheduled_count_rows(), _extra_listing_rows(), all=True)
    placed = []
    listed = []
    for kind, tree_id, lft, doc, n, primary_tree, primary_lft in rows:
        if kind == "p":
            placed.append((tree_id, lft, n))
        elif kind == "s":
            placed.append((tree_id, lft, -n))
        else:
            listed.append((tree_id, lft, (doc, primary_tree, primary_lft)))
    return SubtreeIndex(placed), SubtreeIndex(listed)


def _also_listed(extras, node):
    """Ids of public documents listed in ``node``'s subtree whose primary column is outside it."""
    return {
        doc
        for doc, tree_id, lft in extras.values(node)
        if not (tree_id == node.tree_id and node.lft <= lft <= node.rght)
    }


def public_counts_by_node(nodes):
    """{node pk: number of public documents listed in its subtree} for the given nodes.

    One query over the kept counts, the scheduled documents not yet due (subtracted) and the
    (rare) rows of documents also listed under other nodes. A document counts once per
    subtree, however many of its nodes lie inside it, matching what ``in_subtree`` lists.
    """
    index, extras = _read_counts()
    return {node.pk: index.sum(node) + len(_also_listed(extras, node)) for node in nodes}


def public_subtree_listing(node):
    """(number of public documents listed in ``node``'s subtree, ids of the public documents
    listed there that are filed elsewhere), from one query; see ``public_counts_by_node``."""
    index, extras = _read_counts()
    also = _also_listed(extras, node)
    return index.sum(node) + len(also), sorted(also)
