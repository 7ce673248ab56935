from datetime import datetime
from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Max, Min
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from disclosure.documents.models.counts import with_content
from portal.links import pk_url_template


class PkRangePaginator(Paginator):
    """Pages of a pk-ordered queryset by fixed ranges of primary keys from its lowest one:
    page n holds the rows with low + (n-1)·per_page <= pk < low + n·per_page. Each page is one
    range read of the primary key (no OFFSET) and holds at most ``per_page`` rows, fewer where
    keys are missing. ``count`` is the span of keys, so ``num_pages`` covers every row."""

    def __init__(self, object_list, per_page, *, lowest_pk, highest_pk):
        super().__init__(object_list, per_page)
        self._low = lowest_pk or 0
        self._span = highest_pk - self._low + 1 if highest_pk is not None else 0

    @cached_property
    def count(self):
        return self._span

    def page(self, number):
        number = self.validate_number(number)
        start = self._low + (number - 1) * self.per_page
        rows = self.object_list.filter(pk__gte=start, pk__lt=start + self.per_page)
        return self._get_page(rows, number, self)


class DocumentSitemap(Sitemap):
    changefreq = "monthly"
    # Pages small enough to render quickly (crawlers take up to 50,000 a page; the index lists
    # every page, 500 at a million documents).
    limit = 2000

    def items(self):
        return Document.objects.public().only("pk", "updated_at").order_by("pk")

    @cached_property
    def _url_pattern(self):
        return pk_url_template("disclosure:document")

    def location(self, item):
        # One reverse() for the page, not one per document.
        return self._url_pattern.format(item.pk)

    def lastmod(self, item):
        return item.updated_at

    @cached_property
    def paginator(self):
        keys = self.items().aggregate(lowest=Min("pk"), highest=Max("pk"))
        return PkRangePaginator(
            self.items(), self.limit, lowest_pk=keys["lowest"], highest_pk=keys["highest"]
        )

    def get_latest_lastmod(self):
        # One aggregate (read from the end of the updated_at index), not every row.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class CatalogNodeSitemap(Sitemap):
    changefreq = "weekly"
    # As the documents': a page of a catalogue of any size renders quickly.
    limit = 2000

    def items(self):
        # Blank columns are not shown to the public (``with_content``).
        return (
            with_content(CatalogNode.objects.visible()).order_by("pk").values_list("pk", flat=True)
        )

    @cached_property
    def _url_pattern(self):
        return pk_url_template("catalog:node")

    def location(self, item):
        # One reverse() for the page, not one per column.
        return self._url_pattern.format(item)

    @cached_property
    def paginator(self):
        keys = CatalogNode.objects.aggregate(lowest=Min("pk"), highest=Max("pk"))
        return PkRangePaginator(
            self.items(), self.limit, lowest_pk=keys["lowest"], highest_pk=keys["highest"]
        )


SITEMAPS = {"documents": DocumentSitemap, "catalog": CatalogNodeSitemap}


def section(request, section, sitemaps):
    """One page of a sitemap section, written out directly: Django's sitemap view renders each
    entry through the template engine, which costs more than reading the page's rows."""
    if section not in sitemaps:
        raise Http404("没有这个网站地图")
    sitemap = sitemaps[section]()
    try:
        page = sitemap.paginator.page(request.GET.get("p", 1))
    except InvalidPage:
        raise Http404("没有这一页")
    base = f"{request.scheme}://{request.get_host()}"
    lastmod = getattr(sitemap, "lastmod", None)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for item in page.object_list:
        entry = f"<url><loc>{escape(base + sitemap.location(item))}</loc>"
        modified = lastmod(item) if lastmod else None
        if isinstance(modified, datetime):
            modified = timezone.localtime(modified).date()
        if modified:
            entry += f"<lastmod>{modified.isoformat()}</lastmod>"
        if sitemap.changefreq:
            entry += f"<changefreq>{sitemap.changefreq}</changefreq>"
        lines.append(entry + "</url>")
    lines.append("</urlset>")
    response = HttpResponse("\n".join(lines), content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
