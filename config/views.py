from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.generic import TemplateView

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from disclosure.documents.models.counts import with_content
from disclosure.documents.visits import most_read
from disclosure.reports.models import WebsiteAnnualReport
from portal.models import SiteSettings

LATEST_COUNT = 10


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The main entry points: the visible columns directly below each root.
        context["entry_points"] = with_content(CatalogNode.objects.visible().filter(level=1))
        context["latest"] = (
            Document.objects.public().select_related("agency").newest_first()[:LATEST_COUNT]
        )
        context["most_read"] = most_read() if SiteSettings.load().show_most_read else []
        context["website_report"] = WebsiteAnnualReport.objects.published().first()
        return context


def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the static icon."""
    return redirect(static("favicon.ico"), permanent=True)
