from django import template
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
def column_url(node, url_pattern=None):
    """Where a link to the column ``node`` (a CatalogNode or a NodeOutline) leads: the part's
    page it is the home of (年报, 指南, 依申请公开, 建议提案), else its own page (``url_pattern``:
    ``pk_url_template("catalog:node")``, when a caller links many columns)."""
    pattern = url_pattern or pk_url_template("catalog:node")
    return registry.column_page_url(node.slug) or pattern.format(node.pk)


# Columns the side navigation lists at most: beyond, a column's own page lists the rest.
SIDE_NAV_ROWS = 60


@register.inclusion_tag("includes/side_nav.html")
def catalog_side_nav(path):
    """The catalogue's side navigation of a column or document page (wide screens): the first
    level of columns, the columns of ``path`` (root first) beneath theirs, and the columns below
    the last one, at most ``SIDE_NAV_ROWS`` of them however large the catalogue. Read from the
    catalogue's outline kept per public version, and which of them are blank from answers kept
    per column (``registry.columns_with_content``): no query once those are kept."""
    path = list(path or [])
    open_ids = {column.pk for column in path}
    first, children = CatalogNode.shown_beneath()
    candidates = [*first]
    # The path's own columns are shown, blank or not.
    candidates += [column for column in path if column.level >= 1]
    if path:
        candidates += children.get(path[-1].pk, [])
    unique = {}
    for node in candidates:
        unique.setdefault(node.pk, node)
    # By level: the first level and the path come before the columns below it, which the
    # limit cuts.
    ordered = sorted(unique.values(), key=lambda node: (node.level, node.tree_id, node.lft))
    asked = [node.pk for node in ordered if node.pk not in open_ids]
    holding = registry.columns_with_content(asked, enough=SIDE_NAV_ROWS)
    shown = [node for node in ordered if node.pk in open_ids or node.pk in holding]
    shown = sorted(shown[:SIDE_NAV_ROWS], key=lambda node: (node.tree_id, node.lft))
    beneath = {}
    for node in shown:
        beneath.setdefault(node.parent_id, []).append(node)
    current = path[-1].pk if path else None
    url_pattern = pk_url_template("catalog:node")
    parts = []

    def render(nodes):
        parts.append("<ul>")
        for node in nodes:
            href = escape(column_url(node, url_pattern))
            mark = ' aria-current="page"' if node.pk == current else ""
            parts.append(f'<li><a href="{href}"{mark}>{escape(node.name)}</a>')
            if node.pk in open_ids and beneath.get(node.pk):
                render(beneath[node.pk])
            parts.append("</li>")
        parts.append("</ul>")

    top = [node for node in shown if node.level == 1]
    if top:
        render(top)
    return {"entries": mark_safe("".join(parts))}  # noqa: S308 - every value above is escaped
