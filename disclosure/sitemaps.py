from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max
from django.utils.functional import cached_property

from catalog.models import CatalogNode

from .models import Document


class PkRangePaginator(Paginator):
    """Pages of a pk-ordered queryset by fixed ranges of primary keys: page n holds the rows
    with (n-1)·per_page < pk <= n·per_page. Each page is one range read of the primary key
    (no OFFSET), a row stays on the same page for good, and a page may hold fewer rows.
    ``count`` is the highest primary key, so ``num_pages`` covers every row."""

    def __init__(self, object_list, per_page, *, highest_pk):
        super().__init__(object_list, per_page)
        self._highest_pk = highest_pk or 0

    @cached_property
    def count(self):
        return self._highest_pk

    def page(self, number):
        number = self.validate_number(number)
        low = (number - 1) * self.per_page
        rows = self.object_list.filter(pk__gt=low, pk__lte=low + self.per_page)
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
        highest = self.items().aggregate(highest=Max("pk"))["highest"]
        return PkRangePaginator(self.items(), self.limit, highest_pk=highest)

    def get_latest_lastmod(self):
        # One aggregate (read from the end of the updated_at index), not every row.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class CatalogNodeSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return CatalogNode.objects.visible().only("pk")


SITEMAPS = {"documents": DocumentSitemap, "catalog": CatalogNodeSitemap}
