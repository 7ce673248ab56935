from django.urls import path

from disclosure.documents.search.views import SEARCH_PARAMETERS, SearchView
from portal.page_cache import public_page

# No app_name: the page keeps its project-wide URL name "search".
urlpatterns = [
    path("", public_page(SearchView.as_view(), params=SEARCH_PARAMETERS), name="search"),
]
