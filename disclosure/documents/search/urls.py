from django.urls import path

from disclosure.documents.search.views import SEARCH_PARAMETERS, SearchView
from portal.page_cache import SEARCH, public_page

# Any document may show in a search: its pages are kept a minute (a publication shows within
# it) and forgotten at once by a withdrawal (every hard change changes SEARCH).
SEARCH_PAGE_TIMEOUT = 60

# No app_name: the page keeps its project-wide URL name "search".
urlpatterns = [
    path(
        "",
        public_page(
            SearchView.as_view(),
            params=SEARCH_PARAMETERS,
            scopes=[SEARCH],
            timeout=SEARCH_PAGE_TIMEOUT,
        ),
        name="search",
    ),
]
