from django.urls import include, path

from disclosure.documents import feeds, views
from disclosure.documents.page_scopes import FEEDS, column_scopes_of_page, document_scopes_of_page
from disclosure.reports import views as report_views
from portal.page_cache import one_of, public_page

app_name = "disclosure"

urlpatterns = [
    path("export/", views.catalog_listing_download, name="export"),
    path("proposals/", include("disclosure.proposals.urls")),
    path("annual-reports/", report_views.annual_report_list, name="annual-reports"),
    path("annual-reports/<int:pk>/", report_views.annual_report_detail, name="annual-report"),
    path(
        "annual-reports/<int:pk>/file.<str:file_format>",
        report_views.annual_report_download,
        name="annual-report-file",
    ),
    path(
        "website-reports/<int:year>/",
        report_views.website_report_detail,
        name="website-report",
    ),
    path(
        "website-reports/<int:year>/file.<str:file_format>",
        report_views.website_report_download,
        name="website-report-file",
    ),
    path("guide/", report_views.guide_list, name="guides"),
    path("guide/<int:agency_pk>/", report_views.guide_detail, name="guide"),
    path(
        "<int:pk>/",
        public_page(
            views.DocumentDetailView.as_view(),
            params={"fs": one_of(*views.FONT_SIZES)},
            scopes=document_scopes_of_page,
        ),
        name="document",
    ),
    path("<int:pk>/preview/", views.DocumentPreviewView.as_view(), name="preview"),
    path("<int:document_pk>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:document_pk>/attachments/<int:pk>/view/",
        views.attachment_view,
        name="attachment-view",
    ),
    path(
        "feed/rss/",
        public_page(feeds.LatestDocumentsFeed(), params={}, scopes=[FEEDS]),
        name="feed-rss",
    ),
    path(
        "feed/atom/",
        public_page(feeds.LatestDocumentsAtomFeed(), params={}, scopes=[FEEDS]),
        name="feed-atom",
    ),
    path(
        "feed/node/<int:pk>/rss/",
        public_page(feeds.NodeDocumentsFeed(), params={}, scopes=column_scopes_of_page),
        name="node-feed-rss",
    ),
    path(
        "feed/node/<int:pk>/atom/",
        public_page(feeds.NodeDocumentsAtomFeed(), params={}, scopes=column_scopes_of_page),
        name="node-feed-atom",
    ),
]
