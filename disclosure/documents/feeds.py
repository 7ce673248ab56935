from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from disclosure.documents.models.counts import with_content
from portal.control_characters import strip_for_xml
from portal.models import SiteSettings

FEED_SIZE = 30


def _xml_safe(value):
    if isinstance(value, str):
        return strip_for_xml(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_xml_safe(v) for v in value)
    return value


class XMLSafeFeedMixin:
    """Every string of the feed and its items loses the characters XML 1.0 cannot carry.

    Stored text may hold them (rows older than the control-character validator, bulk writes);
    Django's feed writer raises on them, which would fail the whole feed.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = {key: _xml_safe(value) for key, value in self.feed.items()}

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = {key: _xml_safe(value) for key, value in self.items[-1].items()}


class SafeRssFeed(XMLSafeFeedMixin, Rss201rev2Feed):
    pass


class SafeAtomFeed(XMLSafeFeedMixin, Atom1Feed):
    pass


class LatestDocumentsFeed(Feed):
    feed_type = SafeRssFeed
    description = "最新公开的政府信息"

    def title(self, obj=None):
        site = SiteSettings.load().site_name
        return f"{site} - {obj.name}" if obj else f"{site} - 最新公开信息"

    def link(self, obj=None):
        return obj.get_absolute_url() if obj else reverse("home")

    def items(self, obj=None):
        documents = Document.objects.public().select_related("agency")
        if obj is not None:
            documents = documents.in_subtree(obj)
        return documents.newest_first()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or item.title

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.agency.name


class LatestDocumentsAtomFeed(LatestDocumentsFeed):
    feed_type = SafeAtomFeed
    subtitle = LatestDocumentsFeed.description


class NodeDocumentsFeed(LatestDocumentsFeed):
    def get_object(self, request, pk):
        path = CatalogNode.visible_path(pk)
        if path is None or not with_content(CatalogNode.objects.filter(pk=pk)).exists():
            raise Http404("栏目不存在")  # hidden, or a blank column (空白栏目)
        return path[-1]


class NodeDocumentsAtomFeed(NodeDocumentsFeed):
    feed_type = SafeAtomFeed
    subtitle = LatestDocumentsFeed.description
