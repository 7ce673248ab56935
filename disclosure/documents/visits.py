"""The document core's pages in the visit statistics (``portal.visits``): which public pages are
columns, documents and searches, the names the statistics page shows, and the most-read public
documents the home page may list (``SiteSettings.show_most_read``)."""

from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from portal import registry
from portal.models import VisitDay

MOST_READ_DAYS = 30
MOST_READ_COUNT = 10


def register():
    registry.counted_page("catalog:tree", VisitDay.Kind.COLUMN)
    registry.counted_page("catalog:subtree", VisitDay.Kind.COLUMN, node="pk")
    registry.counted_page("catalog:node", VisitDay.Kind.COLUMN, node="pk")
    registry.counted_page("disclosure:document", VisitDay.Kind.DOCUMENT, document="pk")
    registry.counted_page("search", VisitDay.Kind.SEARCH)
    registry.visit_names(VisitDay.Kind.COLUMN, column_names)
    registry.visit_names(VisitDay.Kind.DOCUMENT, document_names)


def column_names(ids):
    return {
        node.pk: (node.name, node.get_absolute_url())
        for node in CatalogNode.objects.filter(pk__in=ids).only("pk", "name")
    }


def document_names(ids):
    """Every document's title; a link only for the ones public now."""
    public = set(Document.objects.public().filter(pk__in=ids).values_list("pk", flat=True))
    return {
        document.pk: (
            document.title,
            document.get_absolute_url() if document.pk in public else None,
        )
        for document in Document.objects.filter(pk__in=ids).only("pk", "title")
    }


def most_read(days=MOST_READ_DAYS, count=MOST_READ_COUNT, today=None):
    """The public documents most viewed in the ``days`` days before ``today``, with their views:
    [(document, views)]. Only documents public now are listed."""
    today = today or timezone.localdate()
    totals = (
        VisitDay.objects.filter(
            kind=VisitDay.Kind.DOCUMENT,
            date__gte=today - timedelta(days=days),
            date__lt=today,
            document_id__in=Document.objects.public().values("pk"),
        )
        .values("document_id")
        .annotate(total=Sum("views"))
        .order_by("-total", "document_id")[:count]
    )
    views = {row["document_id"]: row["total"] for row in totals}
    documents = Document.objects.public().filter(pk__in=views).only("pk", "title")
    return sorted(
        ((doc, views[doc.pk]) for doc in documents), key=lambda pair: (-pair[1], pair[0].pk)
    )
