from django.http import Http404
from django.views.generic import TemplateView

from disclosure.applications.views import COLUMN_SLUG as APPLICATIONS_COLUMN_SLUG
from disclosure.filters import DocumentFilterForm
from disclosure.models import Document, public_counts_by_node
from disclosure.models.counts import public_subtree_listing
from portal import page_cache
from portal.paging import CountedPaginator, OutsideWindow, empty_page

from .models import CatalogNode

# Beyond this many matches a filtered listing says "more than" and asks for narrower filters.
FILTERED_COUNT_LIMIT = 10_000
# Pages served from each end of a column's list; those between are reached by filtering.
PAGE_WINDOW = 250
# What a column page reads from its query string, for the page cache.
LISTING_PARAMETERS = {"page": page_cache.as_used, **page_cache.form_fields(DocumentFilterForm)}


def build_forest(nodes, counts=None):
    """Nest (tree_id, lft)-ordered nodes into [{"node", "count", "children"}, ...].

    A node whose parent is absent from ``nodes`` (hidden) is dropped with its subtree.
    """
    counts = counts or {}
    entries = {}
    roots = []
    for node in nodes:
        entry = {"node": node, "count": counts.get(node.pk, 0), "children": []}
        if node.parent_id is None:
            roots.append(entry)
            entries[node.pk] = entry
        elif node.parent_id in entries:
            entries[node.parent_id]["children"].append(entry)
            entries[node.pk] = entry
    return roots


class CatalogTreeView(TemplateView):
    template_name = "catalog/tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nodes = list(
            CatalogNode.objects.visible().only(
                "pk", "name", "parent_id", "tree_id", "lft", "rght", "level"
            )
        )
        context["forest"] = build_forest(nodes, public_counts_by_node(nodes))
        return context


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
        subtree = list(
            node.get_descendants(include_self=True).only("pk", "name", "parent_id", "is_visible")
        )
        total, also_listed = public_subtree_listing(node)
        documents = form.filter(
            Document.objects.public()
            .in_nodes([column.pk for column in subtree], also=also_listed)
            .select_related("agency")
            .newest_first()
        )
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
            # The node is visible (its path is), so a shown child is visible.
            children=[c for c in subtree if c.parent_id == node.pk and c.is_visible],
            form=form,
            page_obj=page,
            documents=page.object_list,
            page_window=PAGE_WINDOW,
            outside_window=outside_window,
            query_string=query.urlencode(),
            applications_column=node.slug == APPLICATIONS_COLUMN_SLUG,
        )
        return context
