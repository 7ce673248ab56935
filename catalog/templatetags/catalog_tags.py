from django import template
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from catalog.models import CatalogNode
from portal import registry
from portal.links import pk_url_template

register = template.Library()


@register.simple_tag
def catalog_forest(forest):
    """The nested <ul> of a forest built by ``disclosure.documents.column_tree.build_forest``; an
    entry whose children are on a page of their own (``more``) links to it, one with a part's
    ``page`` links there.

    Built in one pass of string joins: a recursive {% include %} costs a template render per
    node, which at a few thousand nodes dominates the page.
    """
    parts = []
    url_pattern = escape(pk_url_template("catalog:node"))
    subtree_pattern = escape(pk_url_template("catalog:subtree"))

    def render(entries):
        parts.append("<ul>")
        for entry in entries:
            node = entry["node"]
            name = escape(node.name)
            # A column that is the home of a part's page leads there; one holding no documents
            # (指南, 依申请公开) shows no "(0)".
            page = entry.get("page")
            href = escape(page) if page else url_pattern.format(node.pk)
            parts.append(f'<li><a href="{href}">{name}</a>')
            if entry["count"] or not page:
                parts.append(f' <span class="count">({entry["count"]})</span>')
            if entry.get("more"):
                # The visible words begin the link's name; the column's name completes it.
                parts.append(
                    f' <a class="more" href="{subtree_pattern.format(node.pk)}">展开下级栏目'
                    f'<span class="visually-hidden">：{name}</span></a>'
                )
            if entry["children"]:
                render(entry["children"])
            parts.append("</li>")
        parts.append("</ul>")

    if forest:
        render(forest)
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.filter
def column_url(node):
    """Where a link to the column ``node`` leads: the part's page it is the home of (年报, 指南,
    依申请公开, 建议提案), else its own page."""
    return registry.column_page_url(node.slug) or node.get_absolute_url()


# Columns the side navigation lists at most: beyond, a column's own page lists the rest.
SIDE_NAV_ROWS = 60


@register.inclusion_tag("includes/side_nav.html")
def catalog_side_nav(path):
    """The catalogue's side navigation of a column or document page (wide screens): the first
    level of columns, the columns of ``path`` (root first) beneath theirs, and the columns below
    the last one. One query, of at most ``SIDE_NAV_ROWS`` rows however large the catalogue."""
    path = list(path or [])
    open_ids = [column.pk for column in path]
    shown = Q(level=1) | Q(pk__in=open_ids)
    if path:
        shown |= Q(parent_id=path[-1].pk)
    # By level: the first level and the path come before the columns below it, which the
    # limit cuts.
    candidates = CatalogNode.objects.visible().filter(shown)
    content = registry.column_content_expression()
    if content is not None:  # blank columns (空白栏目) are not shown, save the path itself
        candidates = candidates.filter(content | Q(pk__in=open_ids))
    columns = list(
        candidates.only("pk", "name", "slug", "level", "parent_id", "tree_id", "lft").order_by(
            "level", "tree_id", "lft"
        )[:SIDE_NAV_ROWS]
    )
    columns.sort(key=lambda column: (column.tree_id, column.lft))
    children = {}
    for column in columns:
        children.setdefault(column.parent_id, []).append(column)

    def entries(level_columns):
        return [
            {
                "column": column,
                "current": bool(path) and column.pk == path[-1].pk,
                "children": entries(children.get(column.pk, [])) if column.pk in open_ids else [],
            }
            for column in level_columns
        ]

    return {"entries": entries([column for column in columns if column.level == 1])}
