from django.urls import path

from .views import SearchView

# No app_name: the page keeps its project-wide URL name "search".
urlpatterns = [
    path("", SearchView.as_view(), name="search"),
]
