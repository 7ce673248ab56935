from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.links import pk_url_template

register = template.Library()


@register.simple_tag
def catalog_forest(forest):
    """The nested <ul> of a forest built by ``disclosure.documents.column_tree.build_forest``; an
    entry whose children are on a page of their own (``more``) links to it.

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
            parts.append(
                f'<li><a href="{url_pattern.format(node.pk)}">{name}</a>'
                f' <span class="count">({entry["count"]})</span>'
            )
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
