from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.CatalogTreeView.as_view(), name="tree"),
    path("<int:pk>/", views.CatalogNodeView.as_view(), name="node"),
]
