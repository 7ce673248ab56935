"""Public document counts per column, kept by the publishing services so no page counts rows.

``PublicCount`` holds, per column, the published 主动公开 documents whose primary column it is,
whatever their publish time. Readers subtract the few scheduled for later (one range read of the
public index on ``published_at > now``), so a document falling due needs no write, and add the
rare documents also listed under other columns (read live from the listing table). Subtree
totals come from these per-column rows through ``catalog.tree.SubtreeIndex``.

A page reads the counts of the columns it shows, not of the whole catalogue: a subtree is a range
of ``lft`` within its tree (an index of ``(tree_id, lft)``), which the database sums.
``public_subtree_listing`` (a column's page) reads one subtree's total in one row;
``kept_down_to`` (the tree page) places on each column shown the count of what lies beneath it
and is not shown, so that the shown columns' rows are all the tree page reads.
"""

from typing import NamedTuple

from django.db import connections, models, router, transaction
from django.db.models import CharField, Count, Exists, F, Func, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogNode
from catalog.tree import SubtreeIndex
from disclosure.documents.models.documents import Document
from portal import page_cache


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


# The scope of the pages showing which columns are blank beyond their own (the side navigation
# of column and document pages, ``portal.page_cache``): changed when a visible column's kept
# count leaves zero or returns to it, which may make it or a column above it blank or not, and
# by any change of a document listed in other columns (``page_scopes.document_scopes``).
SHOWN_COLUMNS = "columns"


def _add(node_id, delta):
    """Adds ``delta`` to the kept count of ``node_id`` (an atomic increment); a count leaving
    zero or returning to it changes ``SHOWN_COLUMNS`` (hard when it returns: a page linking to
    a column now blank is not served again)."""
    PublicCount.objects.bulk_create([PublicCount(node_id=node_id)], ignore_conflicts=True)
    kept = PublicCount.objects.filter(node_id=node_id)
    kept.update(documents=F("documents") + delta)
    now = kept.values_list("documents", flat=True).first()
    if (now == 0 or now == delta) and CatalogNode.objects.visible().filter(pk=node_id).exists():
        page_cache.bump_scopes({SHOWN_COLUMNS}, hard=now == 0)


def move_count(before, after):
    """A document counted under column ``before`` is now counted under ``after`` (either None).

    Call it in the transaction that saves the document.
    """
    if before == after:
        return
    for node_id, delta in ((before, -1), (after, 1)):
        if node_id is not None:
            _add(node_id, delta)


def add_counts(added):
    """``added`` ({column pk: n}) more documents are counted under each column: a bulk load's
    batch in one increment a column. Call it in the transaction that saves the documents."""
    for node_id, delta in added.items():
        if delta:
            _add(node_id, delta)


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
    if drift:
        # Pages and what is kept of them (counts, blank columns) were read from wrong counts.
        page_cache.bump_public_version()
    return drift


# Every part of the counts' UNION annotates these columns, named in the same order: a UNION
# matches columns by position.
_COUNT_COLUMNS = ("part", "t", "l", "doc", "n", "pt", "pl")


def _null_int():
    return Cast(Value(None), IntegerField())  # typed: an untyped NULL is text to PostgreSQL


def _kind(letter):
    return Value(letter, output_field=CharField())


def _kept_count_rows():
    """The kept public count of each column, as kind "p"."""
    return (
        PublicCount.objects.order_by()
        .annotate(
            part=_kind("p"),
            t=F("node__tree_id"),
            l=F("node__lft"),
            doc=_null_int(),
            n=F("documents"),
            pt=_null_int(),
            pl=_null_int(),
        )
        .values_list(*_COUNT_COLUMNS)
    )


def _scheduled_count_rows(bounds=None):
    """Per column (in the subtree ``bounds``, (tree_id, lft, rght), when given), the published
    documents whose publication time is still ahead (kept in the count, not yet public), as
    kind "s"."""
    scheduled = _scheduled()
    if bounds is not None:
        scheduled = scheduled.filter(**_within("node__", *bounds))
    return (
        scheduled.order_by()
        .values("node__tree_id", "node__lft")
        .annotate(
            part=_kind("s"),
            t=F("node__tree_id"),
            l=F("node__lft"),
            doc=_null_int(),
            n=Count("pk"),
            pt=_null_int(),
            pl=_null_int(),
        )
        .values_list(*_COUNT_COLUMNS)
    )


def _extra_listing_rows(bounds=None):
    """Each extra listing of a public document (in the subtree ``bounds``, (tree_id, lft, rght),
    when given), with its primary column, as kind "x"."""
    listings = Document.extra_nodes.through.objects.filter(
        document__in=Document.objects.public().values("pk")
    )
    if bounds is not None:
        listings = listings.filter(**_within("catalognode__", *bounds))
    return (
        listings.order_by()
        .annotate(
            part=_kind("x"),
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


# A column's listing reads the ids of at most this many columns holding its documents, and of
# public documents filed outside its subtree and listed in it (they go into the listing's query
# as lists: the planner then walks the (node, published_at) index of each column); beyond, the
# listing selects them by a subquery.
LISTED_IDS = 20


class SubtreeListing(NamedTuple):
    """What a column's listing needs of its subtree, besides its documents."""

    # Public documents listed in the subtree.
    total: int
    # The public documents listed there and filed elsewhere: their ids, or a queryset of them.
    also: list | models.QuerySet
    # The columns of the subtree holding kept documents, when LISTED_IDS at most; else None.
    columns: list | None


def _within(prefix, tree_id, lft, rght):
    """Lookups putting the column at ``prefix`` in the subtree (tree_id, lft, rght)."""
    return {f"{prefix}tree_id": tree_id, f"{prefix}lft__gte": lft, f"{prefix}lft__lte": rght}


def _bounds(node):
    return node.tree_id, node.lft, node.rght


def _sum(field):
    # A plain function, not an aggregate: the query sums its rows without a GROUP BY.
    return Func(F(field), function="SUM", output_field=IntegerField())


def _number(field, distinct=False):
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    return Func(F(field), function="COUNT", template=template, output_field=IntegerField())


def _scheduled():
    return Document.objects.filter(
        status=Document.Status.PUBLISHED,
        disclosure_mode=Document.DisclosureMode.ACTIVE,
        published_at__gt=timezone.now(),
    )


def listed_from_elsewhere(bounds):
    """The public documents listed in the subtree ``bounds`` (tree_id, lft, rght) whose primary
    column lies outside it (a document listed there twice appears twice)."""
    return (
        Document.objects.public()
        .filter(**_within("extra_nodes__", *bounds))
        .exclude(**_within("node__", *bounds))
        .order_by()
    )


def public_subtree_listing(node):
    """The ``SubtreeListing`` of ``node``: one query whose rows do not grow with the subtree
    (its kept counts summed, its scheduled documents counted, the first ids of the columns
    holding documents and of those listed from elsewhere); a second one counts the latter when
    there are more."""
    bounds = _bounds(node)
    elsewhere = listed_from_elsewhere(bounds)
    kept = PublicCount.objects.filter(**_within("node__", *bounds)).order_by()
    scheduled = _scheduled().filter(**_within("node__", *bounds)).order_by()
    holding = kept.filter(documents__gt=0).values("node_id")[: LISTED_IDS + 1]
    parts = [
        kept.annotate(part=_kind("p"), n=_sum("documents")),
        scheduled.annotate(part=_kind("s"), n=_number("pk")),
        PublicCount.objects.filter(pk__in=holding).annotate(part=_kind("k"), n=F("node_id")),
        Document.objects.filter(pk__in=elsewhere.values("pk").distinct()[: LISTED_IDS + 1])
        .order_by()
        .annotate(part=_kind("x"), n=F("pk")),
    ]
    rows = (
        parts[0]
        .values_list("part", "n")
        .union(*(part.values_list("part", "n") for part in parts[1:]), all=True)
    )
    totals, ids = {}, {"k": [], "x": []}
    for kind, n in rows:
        if kind in ids:
            ids[kind].append(n)
        else:
            totals[kind] = n or 0
    total = totals.get("p", 0) - totals.get("s", 0)
    columns = sorted(ids["k"]) if len(ids["k"]) <= LISTED_IDS else None
    if len(ids["x"]) <= LISTED_IDS:
        return SubtreeListing(total + len(ids["x"]), sorted(ids["x"]), columns)
    also = elsewhere.values("pk")
    return SubtreeListing(total + also.distinct().count(), also, columns)


def column_documents(nodes, listing=None):
    """The public documents the columns ``nodes`` list: those filed in their subtrees and those
    listed there from elsewhere. The one source of a column's page and of every page standing
    for a column (the proposal replies, the annual reports, the home page's blocks), so that
    they show the same documents. ``listing``: the ``SubtreeListing`` of a single column, when
    read (the column's page reads it for its count); else each column's is read here, one small
    query each: the documents are then selected by the few columns holding them and the few
    listed from elsewhere, through their indexes. (A subtree's range or'ed with the documents
    listed from elsewhere makes PostgreSQL walk every public document newest first: 40 ms for a
    block of the home page at 1,000,000 documents, 250 ms to count the proposal replies.)"""
    if listing is not None:
        (node,) = nodes
        return Document.objects.public().in_columns(node, listing.columns, also=listing.also)
    documents = Document.objects.none()
    for node in nodes:
        listed = public_subtree_listing(node)
        documents |= Document.objects.public().in_columns(node, listed.columns, also=listed.also)
    return documents


def levels_and_listings(columns, bounds=None):
    """What the tree page reads before its columns, in one query: ({level: how many of
    ``columns`` are at it}, the scheduled documents (negative, per column) and the extra
    listings of public documents in the subtree ``bounds`` (all when None), as rows of the
    SubtreeIndexes of ``public_counts_of``, and the (tree_id, lft, 1) of each of ``columns``
    shown even when empty (``CatalogNode.always_shown``), for ``shown_on_tree``)."""
    per_level = (
        columns.order_by()
        .values("level")
        .annotate(
            part=_kind("l"),
            t=F("level"),
            l=Count("pk"),
            doc=_null_int(),
            n=_null_int(),
            pt=_null_int(),
            pl=_null_int(),
        )
        .values_list(*_COUNT_COLUMNS)
    )
    always = (
        columns.filter(CatalogNode.always_shown())
        .order_by()
        .annotate(
            part=_kind("a"),
            t=F("tree_id"),
            l=F("lft"),
            doc=_null_int(),
            n=Value(1, output_field=IntegerField()),
            pt=_null_int(),
            pl=_null_int(),
        )
        .values_list(*_COUNT_COLUMNS)
    )
    rows = per_level.union(
        _scheduled_count_rows(bounds), _extra_listing_rows(bounds), always, all=True
    )
    levels, placed, listed, anchors = {}, [], [], []
    for kind, tree_id, lft, doc, n, primary_tree, primary_lft in rows:
        if kind == "l":
            levels[tree_id] = lft
        elif kind == "s":
            placed.append((tree_id, lft, -n))
        elif kind == "a":
            anchors.append((tree_id, lft, 1))
        else:
            listed.append((tree_id, lft, (doc, primary_tree, primary_lft)))
    return levels, placed, listed, anchors


def _kept_down_to_sql(quote, bounded):
    """The columns down to a level with their kept counts: its own for a column above that
    level, its whole subtree's for one at it (a range of the subtree index, joined once to the
    kept counts), and whether a column at that level has shown children."""
    node, count = quote(CatalogNode._meta.db_table), quote(PublicCount._meta.db_table)
    within = " AND a.tree_id = %s AND a.lft >= %s AND a.lft <= %s" if bounded else ""
    return f"""
        SELECT a.id, a.parent_id, a.name, a.tree_id, a.lft, a.rght, a.level, a.is_visible,
            COALESCE(SUM(c.documents), 0),
            CASE WHEN a.level = %s THEN EXISTS (
                SELECT 1 FROM {node} s WHERE s.parent_id = a.id AND s.is_visible
            ) ELSE FALSE END,
            a.slug
        FROM {node} a
        LEFT JOIN {node} n ON n.tree_id = a.tree_id AND n.lft >= a.lft
            AND n.lft <= CASE WHEN a.level = %s THEN a.rght ELSE a.lft END
        LEFT JOIN {count} c ON c.node_id = n.id
        WHERE a.level <= %s{within}
        GROUP BY a.id, a.parent_id, a.name, a.tree_id, a.lft, a.rght, a.level, a.is_visible, a.slug
        ORDER BY a.tree_id, a.lft
    """  # noqa: S608 - table names from the models, values as parameters


def kept_down_to(deepest, bounds=None):
    """Rows (pk, parent_id, name, tree_id, lft, rght, level, is_visible, kept, more, slug) of every
    column in the subtree ``bounds`` (all when None) down to level ``deepest``, hidden ones
    included, in tree order: ``kept`` is a column's own kept count above ``deepest`` and its
    whole subtree's at it, so that summed over a column's subtree they give its kept count
    from these rows alone; ``more``: a column at ``deepest`` has shown children. One query,
    where the public reads go (``portal.replicas``)."""
    params = [deepest, deepest, deepest, *(bounds or ())]
    database = connections[router.db_for_read(CatalogNode)]
    with database.cursor() as cursor:
        cursor.execute(_kept_down_to_sql(database.ops.quote_name, bounds is not None), params)
        return cursor.fetchall()


def public_counts_of(columns, scheduled, listed):
    """{pk: public documents listed in the subtree} of each of ``columns`` (with tree_id, lft,
    rght and ``kept`` as ``kept_down_to`` gives it), given the scheduled documents and the extra
    listings of their subtrees (``levels_and_listings``)."""
    placed = [(column.tree_id, column.lft, column.kept) for column in columns]
    index, extras = SubtreeIndex([*placed, *scheduled]), SubtreeIndex(listed)
    return {column.pk: index.sum(column) + len(_also_listed(extras, column)) for column in columns}


# -- empty columns ---------------------------------------------------------------------------------
#
# A column with no public document in its subtree is a blank column (空白栏目) to the site
# inspection, which fails a site with five of them: the public does not see it (tree, column
# lists, sitemap, its own page) unless a column beneath it, or itself, is shown even when empty
# (``CatalogNode.always_shown``: a page, the home of a part's own page, or kept shown by staff
# with a reason). The tree page and a column's page judge by the public counts they read anyway;
# lists of columns (``with_content``) by the kept counts, in the same query.


def _holding_beneath():
    """The columns of the subtree of the outer column that hold a public document (kept count,
    or a public document also listed there) or are shown even when empty."""
    kept = PublicCount.objects.filter(node_id=OuterRef("pk"), documents__gt=0)
    listed = Document.extra_nodes.through.objects.filter(
        catalognode_id=OuterRef("pk"), document__in=Document.objects.public().values("pk")
    )
    return CatalogNode.objects.filter(
        tree_id=OuterRef("tree_id"), lft__gte=OuterRef("lft"), lft__lte=OuterRef("rght")
    ).filter(Q(Exists(kept)) | Q(Exists(listed)) | CatalogNode.always_shown())


def with_content(columns):
    """``columns`` (a CatalogNode queryset) less the empty ones: those with no public document
    in their subtree and no column there shown even when empty. A column whose documents are
    all scheduled for later counts as holding them (its kept count)."""
    return columns.filter(Exists(_holding_beneath()))


def not_blank():
    """Of a column (in a CatalogNode query): whether it is not blank, as ``with_content``
    judges; to annotate a page of columns with."""
    return Exists(_holding_beneath())


def holds_always_shown(node):
    """Whether ``node`` or a column beneath it is shown even when empty."""
    return (
        CatalogNode.objects.filter(tree_id=node.tree_id, lft__gte=node.lft, lft__lte=node.rght)
        .filter(CatalogNode.always_shown())
        .exists()
    )
