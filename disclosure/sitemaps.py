from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.utils.functional import cached_property

from catalog.models import CatalogNode

from .models import Document


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
    limit = 5000

    def items(self):
        return Document.objects.public().only("pk", "updated_at").order_by("pk")

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

    def items(self):
        return CatalogNode.objects.visible().only("pk")


SITEMAPS = {"documents": DocumentSitemap, "catalog": CatalogNodeSitemap}
