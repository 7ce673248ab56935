from django.urls import path

from disclosure.documents import column_views as views
from portal.page_cache import public_page

# The catalogue's public pages keep their names (catalog:tree, catalog:node); catalog:subtree is
# the tree beneath one column.
app_name = "catalog"

urlpatterns = [
    path("", public_page(views.CatalogTreeView.as_view(), params={}), name="tree"),
    path(
        "<int:pk>/tree/",
        public_page(views.CatalogTreeView.as_view(), params={}),
        name="subtree",
    ),
    path(
        "<int:pk>/",
        public_page(views.CatalogNodeView.as_view(), params=views.LISTING_PARAMETERS),
        name="node",
    ),
]
