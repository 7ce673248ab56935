from django.core.paginator import Page, Paginator
from django.views.generic import TemplateView

from catalog.models import Agency, CatalogNode
from catalog.tree import SubtreeIndex

from ..models import Document, Genre, Topic
from . import analysis
from .backends import SearchRequest, get_backend
from .forms import SearchForm
from .highlight import highlight, snippet

PAGE_SIZE = 20


class SearchPaginator(Paginator):
    """A paginator over a total the search backend already counted."""

    def __init__(self, total, per_page):
        super().__init__(range(total), per_page)


class SearchView(TemplateView):
    template_name = "disclosure/search/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        query = data.get("q", "")
        context.update(form=form, query=query, words=analysis.query_words(query))
        if not query.strip():
            return context
        nodes = list(
            CatalogNode.objects.visible().only(
                "pk", "name", "parent_id", "tree_id", "lft", "rght", "level"
            )
        )
        by_pk = {n.pk: n for n in nodes}
        filters = {
            k: data.get(k) for k in ("agency", "topic", "genre", "year", "validity") if data.get(k)
        }
        if data.get("node") in by_pk:
            filters["node"] = by_pk[data["node"]]
        page_number = data.get("page") or 1
        result = get_backend().search(
            SearchRequest(
                query=query,
                filters=filters,
                sort=data.get("sort") or "relevance",
                offset=(page_number - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        )
        documents = Document.objects.select_related("agency").in_bulk(result.ids)
        paths = CatalogNode.paths(public=True)
        words = context["words"]
        hits = []
        for pk in result.ids:
            document = documents[pk]
            hits.append(
                {
                    "document": document,
                    "title": highlight(document.title, words),
                    "snippet": snippet(document.body, words),
                    "path": " > ".join(paths.get(document.node_id, [])),
                }
            )
        paginator = SearchPaginator(result.total, PAGE_SIZE)
        page = Page(range(0), min(page_number, max(paginator.num_pages, 1)), paginator)
        query_params = self.request.GET.copy()
        query_params.pop("page", None)
        context.update(
            hits=hits,
            total=result.total,
            page_obj=page,
            query_string=query_params.urlencode(),
            facets=self.facet_lists(result.facets, filters, nodes),
            filters=filters,
        )
        return context

    def facet_lists(self, facets, filters, nodes):
        """Facet values with counts and the link that applies each."""
        names = {
            "agency": dict(
                Agency.objects.filter(pk__in=facets["agency"]).values_list("pk", "name")
            ),
            "topic": dict(Topic.objects.filter(pk__in=facets["topic"]).values_list("pk", "name")),
            "genre": dict(Genre.objects.filter(pk__in=facets["genre"]).values_list("pk", "name")),
            "validity": dict(Document.Validity.choices),
        }
        lists = {}
        for facet in ("agency", "topic", "genre", "validity"):
            lists[facet] = sorted(
                (
                    (value, names[facet].get(value, "未分类"), count)
                    for value, count in facets[facet].items()
                ),
                key=lambda item: -item[2],
            )
        lists["year"] = sorted(((y, f"{y}年", n) for y, n in facets["year"].items()), reverse=True)
        # Catalogue: the columns one level below the chosen one (or the top-level columns),
        # each counted with its subtree.
        parent = filters.get("node")
        level = parent.level + 1 if parent else 1
        shown = [
            n for n in nodes if n.level == level and (parent is None or n.parent_id == parent.pk)
        ]
        placed = (
            CatalogNode.objects.filter(pk__in=facets["node"]).values_list("pk", "tree_id", "lft")
            if facets["node"]
            else []
        )
        counts = SubtreeIndex((tree_id, lft, facets["node"][pk]) for pk, tree_id, lft in placed)
        node_counts = []
        for node in shown:
            count = counts.sum(node)
            if count:
                node_counts.append((node.pk, node.name, count))
        lists["node"] = node_counts
        return {
            facet: [self.facet_link(facet, *item) for item in items]
            for facet, items in lists.items()
        }

    def facet_link(self, facet, value, label, count):
        params = self.request.GET.copy()
        params.pop("page", None)
        selected = params.get(facet) == str(value)
        if selected:
            params.pop(facet)
        else:
            params[facet] = value
        return {
            "label": label,
            "count": count,
            "url": "?" + params.urlencode(),
            "selected": selected,
        }
