"""The catalogue tree as the public reads it, a page at a time: the whole tree, or the columns
beneath one column, each down to the deepest level that keeps the page within
``TREE_PAGE_ENTRIES`` columns. A column whose children lie below that level links to its own
tree page: every page is a nested list of links, usable without JavaScript, and costs the
columns it shows whatever the size of the catalogue."""

from dataclasses import dataclass

from catalog.models import CatalogNode
from catalog.tree import SubtreeIndex
from disclosure.documents.models.counts import (
    kept_down_to,
    levels_and_listings,
    public_counts_of,
    with_content,
)
from disclosure.documents.models.documents import subtree_range
from disclosure.documents.page_scopes import column_page
from portal import page_cache, registry

# Columns a tree page shows at most beyond its first level (the first level is always shown).
TREE_PAGE_ENTRIES = 300


@dataclass(frozen=True)
class TreeColumn:
    """A column of a tree page, read as values (``kept_down_to``): its tree fields, whether it
    is shown, its kept count as placed there and whether it has children not shown here."""

    pk: int
    parent_id: int | None
    name: str
    tree_id: int
    lft: int
    rght: int
    level: int
    is_visible: bool
    kept: int
    more: bool
    slug: str


def deepest_level(per_level, first):
    """The deepest level a page shows, given how many columns its subtree holds at each level:
    each level from ``first`` down, while the columns at those levels number at most
    ``TREE_PAGE_ENTRIES``; ``first`` whatever it holds."""
    deepest, shown = first, 0
    for level, number in sorted(per_level.items()):
        if level < first:
            continue
        shown += number
        if shown > TREE_PAGE_ENTRIES and level > first:
            break
        deepest = level
    return deepest


def read_columns(root=None):
    """The columns of the page of ``root`` (the whole tree when None) down to its deepest level,
    hidden ones included (their documents count in the columns above them), as TreeColumns in
    tree order, with {pk: public documents listed in its subtree} of each and the SubtreeIndex
    of the columns shown even when empty. Two queries."""
    if root is None:
        columns, first, bounds = CatalogNode.objects.all(), 0, None
    else:
        columns = CatalogNode.objects.filter(**subtree_range(root))
        first, bounds = root.level + 1, (root.tree_id, root.lft, root.rght)
    per_level, scheduled, listed, anchors = levels_and_listings(columns, bounds)
    deepest = deepest_level(per_level, first)
    rows = [
        TreeColumn(*row[:7], bool(row[7]), row[8], bool(row[9]), row[10])
        for row in kept_down_to(deepest, bounds)
    ]
    return rows, public_counts_of(rows, scheduled, listed), SubtreeIndex(anchors)


def is_shown(column, counts, anchors):
    """Whether the public sees the visible ``column``: a public document in its subtree, or a
    column there shown even when empty (a blank column is not shown)."""
    return counts.get(column.pk, 0) > 0 or anchors.sum(column) > 0


def build_forest(columns, counts, anchors, top=None):
    """Nest tree-ordered ``columns`` into [{"node", "count", "children", "more", "page"},
    ...], from the
    columns whose parent is ``top`` (a pk; None: the top-level columns). A hidden or empty
    column (``is_shown``), and one whose parent is not shown, is dropped with its subtree."""
    entries, forest = {}, []
    for column in columns:
        if not column.is_visible or not is_shown(column, counts, anchors):
            continue
        entry = {"node": column, "count": counts.get(column.pk, 0), "children": []}
        entry["more"] = column.more
        # A column that is the home of a part's own page leads there.
        entry["page"] = registry.column_page_url(column.slug)
        if column.parent_id == top:
            forest.append(entry)
        elif column.parent_id in entries:
            entries[column.parent_id]["children"].append(entry)
        else:
            continue
        entries[column.pk] = entry
    return forest


def columns_holding(pks, enough=None):
    """The columns of ``pks`` that are not blank (as ``with_content`` judges); with ``enough``,
    asked in the order given, a chunk at a time, until that many are found. Each answer is kept
    in this process until a document listed beneath the column changes (its page's scope) or
    the catalogue does (the public version): the side navigation and a column's children ask
    about the same columns on every page, which the database would answer by reading their
    subtrees."""
    pks = list(pks)
    holding = set()
    chunk = len(pks) if enough is None else max(enough, 1)
    for start in range(0, len(pks), chunk or 1):
        holding |= _holding(pks[start : start + chunk])
        if enough is not None and len(holding) >= enough:
            break
    return holding


# What ``columns_holding`` knows: {pk: (key, not blank?)}, forgotten whole past HOLDING_KEPT.
_held = {}
HOLDING_KEPT = 100_000


def _holding(pks):
    keys = dict(zip(pks, page_cache.scope_keys([column_page(pk) for pk in pks]), strict=True))
    holding, missing = set(), []
    for pk, key in keys.items():
        known = _held.get(pk)
        if known is not None and known[0] == key:
            if known[1]:
                holding.add(pk)
        else:
            missing.append(pk)
    if missing:
        keep = page_cache.reads_are_current(CatalogNode)
        found = set(
            with_content(CatalogNode.objects.filter(pk__in=missing)).values_list("pk", flat=True)
        )
        holding |= found
        if keep:
            if len(_held) + len(missing) > HOLDING_KEPT:
                _held.clear()
            _held.update((pk, (keys[pk], pk in found)) for pk in missing)
    return holding
