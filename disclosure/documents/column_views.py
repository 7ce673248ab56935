"""The catalogue's public pages: the tree with each column's count of public documents (with a
page of its own for each column whose children the tree page has no room for, ``column_tree``),
and a column's page listing them. Pages of documents, so they live with the documents, not in
the catalogue app (which knows nothing of documents); their URL names stay ``catalog:tree``,
``catalog:subtree`` and ``catalog:node``."""

from django.http import Http404
from django.views.generic import TemplateView

from catalog.models import CatalogNode
from disclosure.documents import column_tree
from disclosure.documents.filters import DocumentFilterForm, column_facets
from disclosure.documents.models.counts import (
    column_documents,
    holds_always_shown,
    public_subtree_listing,
)
from portal import page_cache, registry
from portal.paging import CountedPaginator, OutsideWindow, empty_page

# Beyond this many matches a filtered listing says "more than" and asks for narrower filters.
FILTERED_COUNT_LIMIT = 10_000
# Pages served from each end of a column's list; those between are reached by filtering.
PAGE_WINDOW = 250
# What a column page reads from its query string, for the page cache.
LISTING_PARAMETERS = {"page": page_cache.as_used, **page_cache.form_fields(DocumentFilterForm)}


class CatalogTreeView(TemplateView):
    """The tree of columns with each one's count of public documents, down to the level that
    keeps the page small (``column_tree``); with ``pk``, the columns beneath that one."""

    template_name = "catalog/tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        root, ancestors = None, []
        if "pk" in self.kwargs:
            path = CatalogNode.visible_path(self.kwargs["pk"])
            if path is None:
                raise Http404("栏目不存在")
            root, ancestors = path[-1], path[:-1]
        columns, counts, anchors = column_tree.read_columns(root)
        if root is not None and not column_tree.is_shown(root, counts, anchors):
            raise Http404("栏目不存在")  # a blank column (空白栏目) is not shown
        context.update(
            forest=column_tree.build_forest(columns, counts, anchors, root and root.pk),
            root=root,
            ancestors=ancestors,
            root_count=root and counts.get(root.pk, 0),
        )
        return context


def shown_children(node):
    """The shown children of the visible column ``node`` (a leaf's, none, from its lft and
    rght), as NodeOutlines in tree order: the node is visible (its path is), so its children in
    the public outline are visible; an empty one is not shown (``columns_holding``)."""
    if node.rght - node.lft == 1:
        return []
    _first, children = CatalogNode.shown_beneath()
    beneath = children.get(node.pk, [])
    holding = column_tree.columns_holding([child.pk for child in beneath])
    return [child for child in beneath if child.pk in holding]


class CatalogNodeView(TemplateView):
    """A column: its path, sub-columns, 公开要求 and the public documents of its subtree."""

    template_name = "catalog/node.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        path = CatalogNode.visible_path(self.kwargs["pk"])
        if path is None:
            raise Http404("栏目不存在")
        node = path[-1]
        form = DocumentFilterForm(self.request.GET or None)
        # The columns holding its documents, when few, else its range; and those filed elsewhere.
        listing = public_subtree_listing(node)
        total = listing.total
        if total == 0 and not holds_always_shown(node):
            raise Http404("栏目不存在")  # a blank column (空白栏目) is not shown
        children = shown_children(node)
        listed = column_documents([node], listing)
        # Only the values the column holds are offered, with their counts.
        form.offer_only(column_facets(node, listed, total))
        documents = form.filter(listed.select_related("agency").newest_first())
        if form.is_filtered:
            # Counted up to a bound: a filter over a large column would read every match.
            count = documents.order_by()[: FILTERED_COUNT_LIMIT + 1].count()
            capped = count > FILTERED_COUNT_LIMIT
            count = min(count, FILTERED_COUNT_LIMIT)
        else:
            count, capped = total, False
        paginator = CountedPaginator(
            documents,
            form.page_size if form.is_bound else 20,
            count=count,
            capped=capped,
            window=PAGE_WINDOW,
        )
        outside_window = False
        try:
            page = paginator.get_page(self.request.GET.get("page"))
        except OutsideWindow as outside:
            page, outside_window = empty_page(paginator, outside.args[0]), True
        if count or not form.is_filtered:
            # Filters that found nothing are served but not kept: every combination of them is
            # a page, more than any cache holds.
            page_cache.used_form(self.request, form)
        # A page past the last one shows the last; one between the windows shows none.
        page_cache.used(self.request, page=None if outside_window else page.number)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            node=node,
            ancestors=path[:-1],
            path=path,
            children=children,
            form=form,
            page_obj=page,
            documents=page.object_list,
            page_window=PAGE_WINDOW,
            outside_window=outside_window,
            query_string=query.urlencode(),
        )
        # A column that is the home of a part's own page (依申请公开 …) says so.
        context.update(registry.column_flags(node.slug))
        return context
