from django.contrib.sitemaps import Sitemap

from catalog.models import CatalogNode

from .models import Document


class DocumentSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Document.objects.public().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class CatalogNodeSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return CatalogNode.objects.visible().only("pk")


SITEMAPS = {"documents": DocumentSitemap, "catalog": CatalogNodeSitemap}
