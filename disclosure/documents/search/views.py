from django.core.paginator import Page, Paginator
from django.views.generic import TemplateView

from catalog.models import Agency, CatalogNode
from catalog.tree import SubtreeIndex
from disclosure.documents.models import Document, Genre, Topic
from disclosure.documents.page_scopes import document_of_scope, document_page
from disclosure.documents.search import analysis
from disclosure.documents.search.backends import SearchRequest, get_backend
from disclosure.documents.search.forms import MAX_PAGE, SearchForm
from disclosure.documents.search.highlight import highlight, snippet
from portal import page_cache

PAGE_SIZE = 20
FILTERS = ("agency", "topic", "genre", "year", "validity")

# What the search page reads from its query string, for the page cache: filters and the page
# are reported by the view (a filter that matched something, a page within the results).
SEARCH_PARAMETERS = {
    "q": page_cache.free_text(analysis.MAX_QUERY_CHARS),
    **dict.fromkeys((*FILTERS, "node", "page"), page_cache.as_used),
    "sort": page_cache.one_of("relevance", "date"),
}


# A change this many seconds before a page's request began may not have been visible to it:
# the process reads the log of changes once a second (``page_cache.LOCAL_COPY_SECONDS``; a
# replica is used only once it has replayed what the process read), and the rest is for a
# change's row committed a little late or another server's clock a little ahead.
CHANGE_MARGIN = 3
# Past this many documents changed since a page was rendered, it is rendered afresh rather than
# each checked against its query.
CHANGES_CHECKED = 200


def still_current(request, since):
    """Whether a search page rendered by a request that began at ``since`` (a timestamp) still
    stands: none of the documents published, changed or withdrawn since (less
    ``CHANGE_MARGIN``), as the page cache's log of changes tells them once committed, matches
    its query. Free of queries while none changed. A withdrawal of a document it lists is the
    page cache's own (``shows``): that page is never served again."""
    changed = page_cache.scopes_changed_since(
        since - CHANGE_MARGIN, CHANGES_CHECKED, prefix=document_page("")
    )
    if changed is None:
        return False
    ids = [pk for pk in map(document_of_scope, changed) if pk is not None]
    if not ids:
        return True
    form = SearchForm(request.GET)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    return not query.strip() or not get_backend().any_match(query, ids)


class SearchPaginator(Paginator):
    """A paginator over a total the search backend already counted."""

    def __init__(self, total, per_page):
        super().__init__(range(total), per_page)


def count_label(count, exact):
    """A count as shown: the number when exact, else rounded and marked, as in "约 95 万"."""
    if exact:
        return str(count)
    if count >= 100_000:
        return f"约 {round(count / 10_000)} 万"
    if count >= 10_000:
        return f"约 {round(count / 10_000, 1):g} 万"
    digits = max(len(str(count)) - 2, 0)
    return f"约 {round(count, -digits)}"


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
        # Names and tree fields of every column as values, in one query: no tree objects.
        paths, outline = CatalogNode.outline(public=True)
        filters, chosen = self.chosen_filters(data, outline)
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
        # A query that is a 文号 finds the document carrying exactly that 文号 first.
        number_key = analysis.query_doc_number(query)
        numbered = self.same_number_ids(number_key, filters)
        ids = result.ids
        if number_key:
            ids = (numbered if page_number == 1 else []) + [i for i in ids if i not in numbered]
        self.report_used(data, chosen, page_number, bool(ids), result.total)
        # The documents listed, and those of the 文号 the page says exist: a withdrawal or change
        # of any of them forgets this page at once (one it only counts, ``still_current``).
        page_cache.shows(self.request, [document_page(pk) for pk in {*ids, *numbered}])
        context.update(
            hits=self.hits(ids, context["words"], paths, numbered),
            total=result.total,
            exact=result.exact,
            total_label=count_label(result.total, result.exact),
            facets=self.facet_lists(result.facets, filters, outline, result.exact),
            filters=filters,
            doc_number_query=query.strip() if number_key else "",
            doc_number_found=bool(numbered),
            **self.paging(result, page_number),
        )
        return context

    @staticmethod
    def chosen_filters(data, outline):
        """The filters the form chose, and the catalogue column when it is shown to the public."""
        filters = {k: data.get(k) for k in FILTERS if data.get(k)}
        chosen = outline.get(data.get("node"))
        if chosen and chosen.shown:
            filters["node"] = chosen
        return filters, chosen

    @staticmethod
    def same_number_ids(number_key, filters):
        """The public documents carrying exactly the queried 文号, newest first."""
        if not number_key:
            return []
        return list(
            Document.objects.public()
            .with_metadata(**filters)
            .filter(doc_number_key=number_key)
            .newest_first()
            .values_list("pk", flat=True)[:PAGE_SIZE]
        )

    @staticmethod
    def hits(ids, words, paths, numbered):
        """One highlighted row per document, in the order of ids."""
        documents = Document.objects.select_related("agency").in_bulk(ids)
        hits = []
        for pk in ids:
            document = documents[pk]
            hits.append(
                {
                    "document": document,
                    "title": highlight(document.title, words),
                    "snippet": snippet(document.body, words),
                    "path": " > ".join(paths.get(document.node_id, [])),
                    "same_number": pk in numbered,
                }
            )
        return hits

    def paging(self, result, page_number):
        """The page object, whether a next page is offered, and the query string without page."""
        paginator = SearchPaginator(result.total, PAGE_SIZE)
        # With an estimated total the last page is not known: offer the next one while pages fill.
        has_next = len(result.ids) == PAGE_SIZE and page_number < MAX_PAGE
        if result.exact:
            page_number = min(page_number, max(paginator.num_pages, 1))
        query_params = self.request.GET.copy()
        query_params.pop("page", None)
        return {
            "has_next": has_next,
            "page_obj": Page(range(0), page_number, paginator),
            "query_string": query_params.urlencode(),
        }

    def report_used(self, data, chosen, page_number, has_hits, total):
        """Tells the page cache which filters and page this page stands for: the filters when
        they matched something (a made-up agency number matches nothing), the page when it
        holds results."""
        used = {"page": page_number if has_hits or page_number == 1 else None}
        if total:
            used.update({k: "" if data.get(k) in (None, "") else data[k] for k in FILTERS})
            node = data.get("node")
            used["node"] = "" if node is None else (node if chosen and chosen.shown else None)
        page_cache.used(self.request, **used)

    def facet_lists(self, facets, filters, outline, exact):
        """Facet values with counts (estimates unless ``exact``) and the link that applies each."""
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
                    if not (facet == "validity" and not value)  # not stated: no filter offered
                ),
                key=lambda item: -item[2],
            )
        lists["year"] = sorted(((y, f"{y}年", n) for y, n in facets["year"].items()), reverse=True)
        # Catalogue: the columns one level below the chosen one (or the top-level columns),
        # each counted with its subtree.
        parent = filters.get("node")
        first, children = CatalogNode.shown_beneath()
        shown = children.get(parent.pk, []) if parent else first
        counts = SubtreeIndex(
            (outline[pk].tree_id, outline[pk].lft, count)
            for pk, count in facets["node"].items()
            if pk in outline
        )
        node_counts = []
        for node in shown:
            count = counts.sum(node)
            if count:
                node_counts.append((node.pk, node.name, count))
        lists["node"] = node_counts
        return {
            facet: [self.facet_link(facet, *item, exact=exact) for item in items]
            for facet, items in lists.items()
        }

    def facet_link(self, facet, value, label, count, exact=True):
        params = self.request.GET.copy()
        params.pop("page", None)
        selected = params.get(facet) == str(value)
        if selected:
            params.pop(facet)
        else:
            params[facet] = value
        return {
            "label": label,
            "count": count_label(count, exact),
            "url": "?" + params.urlencode(),
            "selected": selected,
        }
