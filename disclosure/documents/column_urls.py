from django.urls import path

from disclosure.documents import column_views as views
from disclosure.documents.page_scopes import (
    TREE,
    column_scopes_of_page,
    listing_scopes_of_page,
)
from portal.page_cache import public_page

# The catalogue's public pages keep their names (catalog:tree, catalog:node); catalog:subtree is
# the tree beneath one column.
app_name = "catalog"

urlpatterns = [
    path("", public_page(views.CatalogTreeView.as_view(), params={}, scopes=[TREE]), name="tree"),
    # The tree beneath a column counts only its subtree's documents: a change of one changes
    # the column's scope (``page_scopes.columns_and_ancestors``), not every tree page.
    path(
        "<int:pk>/tree/",
        public_page(views.CatalogTreeView.as_view(), params={}, scopes=column_scopes_of_page),
        name="subtree",
    ),
    path(
        "<int:pk>/",
        public_page(
            views.CatalogNodeView.as_view(),
            params=views.LISTING_PARAMETERS,
            scopes=listing_scopes_of_page,
        ),
        name="node",
    ),
]
