from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from .models import CatalogNode


def build_forest(nodes):
    """Nest (tree_id, lft)-ordered nodes into [{"node": n, "children": [...]}, ...].

    A node whose parent is absent from ``nodes`` (hidden) is dropped with its subtree.
    """
    entries = {}
    roots = []
    for node in nodes:
        entry = {"node": node, "children": []}
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
        nodes = CatalogNode.objects.visible().only(
            "pk", "name", "parent_id", "tree_id", "lft", "rght", "level"
        )
        context["forest"] = build_forest(nodes)
        return context


class CatalogNodeView(DetailView):
    template_name = "catalog/node.html"
    context_object_name = "node"

    def get_object(self, queryset=None):
        return get_object_or_404(
            CatalogNode.objects.visible().select_related("agency"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        node = self.object
        context["ancestors"] = node.get_ancestors()
        context["children"] = node.get_children().visible()
        return context
