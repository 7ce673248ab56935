from django.urls import include, path

from portal.page_cache import public_page

from . import feeds, views

app_name = "disclosure"

urlpatterns = [
    path("export/", views.catalog_listing_download, name="export"),
    path("proposals/", include("disclosure.proposals.urls")),
    path("<int:pk>/", public_page(views.DocumentDetailView.as_view()), name="document"),
    path("<int:pk>/preview/", views.DocumentPreviewView.as_view(), name="preview"),
    path("<int:document_pk>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("feed/rss/", public_page(feeds.LatestDocumentsFeed()), name="feed-rss"),
    path("feed/atom/", public_page(feeds.LatestDocumentsAtomFeed()), name="feed-atom"),
    path("feed/node/<int:pk>/rss/", public_page(feeds.NodeDocumentsFeed()), name="node-feed-rss"),
    path(
        "feed/node/<int:pk>/atom/",
        public_page(feeds.NodeDocumentsAtomFeed()),
        name="node-feed-atom",
    ),
]
