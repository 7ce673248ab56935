from django.urls import path

from portal.page_cache import public_page

from .views import SEARCH_PARAMETERS, SearchView

# No app_name: the page keeps its project-wide URL name "search".
urlpatterns = [
    path("", public_page(SearchView.as_view(), params=SEARCH_PARAMETERS), name="search"),
]
