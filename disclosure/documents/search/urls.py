from django.urls import path

from disclosure.documents.search.views import SEARCH_PARAMETERS, SearchView, still_current
from portal.page_cache import public_page

# Any document may show in a search. A page is kept while no document matching its query is
# published or changed (``still_current``, asked on each hit); it is forgotten at once when a
# document it lists is withdrawn or changed (the view reports them, ``page_cache.shows``), and
# with every change of what all pages show.
# Changed by no document: a search page's scope (one declaring none would show everything,
# which every change changes).
SEARCH_PAGES = "search-pages"

# No app_name: the page keeps its project-wide URL name "search".
urlpatterns = [
    path(
        "",
        public_page(
            SearchView.as_view(),
            params=SEARCH_PARAMETERS,
            scopes=[SEARCH_PAGES],
            still_current=still_current,
        ),
        name="search",
    ),
]
