from django.urls import path

from disclosure.documents.search.views import SEARCH_PARAMETERS, SearchView
from portal.page_cache import public_page

# Any document may show in a search. A page is kept five minutes (a publication shows in search
# within them); it is forgotten at once when a document it lists is withdrawn or changed (the
# view reports them, ``page_cache.shows``), and with every change of what all pages show.
SEARCH_PAGE_TIMEOUT = 5 * 60
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
            timeout=SEARCH_PAGE_TIMEOUT,
        ),
        name="search",
    ),
]
