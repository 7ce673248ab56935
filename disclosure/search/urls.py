from django.urls import path

from portal.page_cache import public_page

from .views import SearchView

# No app_name: the page keeps its project-wide URL name "search".
urlpatterns = [
    path("", public_page(SearchView.as_view()), name="search"),
]
