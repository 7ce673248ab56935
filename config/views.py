from django.db.models import Q
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.generic import TemplateView

from catalog.models import Agency, CatalogNode
from disclosure.documents.models import Document
from disclosure.documents.models.counts import column_documents, with_content
from disclosure.documents.visits import most_read
from disclosure.reports.models import WebsiteAnnualReport
from portal.models import SiteSettings

LATEST_COUNT = 10
# The home page's blocks: columns by slug (staff may rename them), each its newest documents.
HOME_BLOCKS = [("zcwj", "政策文件"), ("zcjd", "政策解读"), ("tzgg", "通知公告")]
BLOCK_COUNT = 6


class HomeView(TemplateView):
    """The home page: the latest documents, a block for each of ``HOME_BLOCKS`` (one query
    each), the catalogue's entry points and the common links. A cached public page."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slugs = [slug for slug, _ in HOME_BLOCKS]
        # The main entry points (the visible columns directly below each root) and the blocks'
        # columns, none of them blank, in one query.
        columns = list(
            with_content(CatalogNode.objects.visible().filter(Q(level=1) | Q(slug__in=slugs)))
        )
        context["entry_points"] = [column for column in columns if column.level == 1]
        by_slug = {column.slug: column for column in columns if column.slug in slugs}
        context["blocks"] = [
            {
                "column": by_slug[slug],
                "title": title,
                "documents": list(column_documents([by_slug[slug]]).newest_first()[:BLOCK_COUNT]),
            }
            for slug, title in HOME_BLOCKS
            if slug in by_slug
        ]
        context["latest"] = (
            Document.objects.public().select_related("agency").newest_first()[:LATEST_COUNT]
        )
        context["most_read"] = most_read() if SiteSettings.load().show_most_read else []
        context["website_report"] = WebsiteAnnualReport.objects.published().first()
        return context


class SiteMapView(TemplateView):
    """网站地图: the site's sections and the catalogue's first two levels (columns that are a
    part's home lead to its page)."""

    template_name = "portal/site_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        columns = CatalogNode.objects.visible().filter(level__in=(1, 2)).order_by("tree_id", "lft")
        tops = []
        for column in columns.only("pk", "name", "slug", "level", "parent_id"):
            if column.level == 1:
                tops.append({"column": column, "children": []})
            elif tops and tops[-1]["column"].pk == column.parent_id:
                tops[-1]["children"].append(column)
        context["columns"] = tops
        return context


class ContactView(TemplateView):
    """联系我们: the site's owner and contact details (site settings), and where each agency
    receives the public."""

    template_name = "portal/contact.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agencies"] = Agency.objects.exclude(address="", phone="").order_by("level", "name")
        return context


def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the static icon."""
    return redirect(static("favicon.ico"), permanent=True)
