from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control

from config import views
from disclosure.applications import views as application_views
from disclosure.documents import sitemaps
from disclosure.documents import views as disclosure_views
from disclosure.documents.page_scopes import HOME, sitemap_scopes_of_page
from disclosure.documents.page_scopes import SITEMAPS as SITEMAP_PAGES
from disclosure.documents.sitemaps import SITEMAPS
from portal import elder_mode
from portal.page_cache import positive_int, public_page

urlpatterns = [
    path("", public_page(views.HomeView.as_view(), params={}, scopes=[HOME]), name="home"),
    path("map/", public_page(views.SiteMapView.as_view(), params={}), name="site-map"),
    path("contact/", public_page(views.ContactView.as_view(), params={}), name="contact"),
    path("search/", include("disclosure.documents.search.urls")),
    path("catalog/", include("disclosure.documents.column_urls")),
    path("documents/", include("disclosure.urls")),
    path("ysqgk/", include("disclosure.applications.urls")),
    # An index of sitemap pages: crawlers are given at most 2,000 documents a page.
    path(
        "sitemap.xml",
        public_page(
            cache_control(max_age=300)(sitemap_views.index), params={}, scopes=[SITEMAP_PAGES]
        ),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        # Past the last page is a 404, so any well-formed page number is one that exists.
        public_page(
            cache_control(max_age=300)(sitemaps.section),
            params={"p": positive_int},
            scopes=sitemap_scopes_of_page,
        ),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("elder/", elder_mode.switch, name="elder-mode"),
    # The editor's upload and browse views are the portal's own; ckeditor_uploader's URLs are
    # not included (its views skip CSRF and check nothing but is_staff). The names are the
    # ones its widget reverses.
    path("admin/ckeditor/upload/", disclosure_views.editor_upload, name="ckeditor_upload"),
    path("admin/ckeditor/browse/", disclosure_views.editor_browse, name="ckeditor_browse"),
    path("media/editor/<path:path>", disclosure_views.editor_image, name="editor-image"),
    # 依申请公开 was part of the disclosure app: staff's bookmarks and the links in mail sent
    # before it moved lead to the same pages.
    re_path(
        r"^admin/disclosure/(?:application|consultation|letter|email)/",
        application_views.former_admin_address,
    ),
    path("admin/", admin.site.urls),
]
