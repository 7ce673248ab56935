from django.urls import include, path

from . import feeds, views

app_name = "disclosure"

urlpatterns = [
    path("export/", views.catalog_listing_download, name="export"),
    path("proposals/", include("disclosure.proposals.urls")),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="document"),
    path("<int:pk>/preview/", views.DocumentPreviewView.as_view(), name="preview"),
    path("<int:document_pk>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("feed/rss/", feeds.LatestDocumentsFeed(), name="feed-rss"),
    path("feed/atom/", feeds.LatestDocumentsAtomFeed(), name="feed-atom"),
    path("feed/node/<int:pk>/rss/", feeds.NodeDocumentsFeed(), name="node-feed-rss"),
    path("feed/node/<int:pk>/atom/", feeds.NodeDocumentsAtomFeed(), name="node-feed-atom"),
]
