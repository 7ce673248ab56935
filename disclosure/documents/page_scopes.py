"""What each public page of documents shows, as scopes of the public page cache, and the scopes
a change of a document changes (``portal.page_cache.bump_scopes``).

A document shows on its own page, in the listings and feeds of the columns it is filed or
also listed in and of every column above them, on the home page, in the site's feeds, in the
sitemaps and in the tree's counts; a document it interprets, or one interpreting it, links to
it. Publishing one changes those scopes alone: the pages of other documents and columns stay
cached. A withdrawal, a deletion or any change of a document that was already public is a
*hard* change: no page from before it is served while it is rendered afresh. Changes of the
catalogue itself (a column hidden, renamed or moved) still change every page (the public
version)."""

from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save

from catalog.models import CatalogNode
from disclosure.documents.models import Attachment, Document
from disclosure.documents.models.counts import SHOWN_COLUMNS
from disclosure.documents.sitemaps import DocumentSitemap
from portal import page_cache

HOME = "home"
FEEDS = "feeds"
SITEMAPS = "sitemaps"
TREE = "tree"


def document_page(pk):
    return f"doc:{pk}"


def document_of_scope(scope):
    """The pk of the document whose page ``scope`` is (``document_page``), else None."""
    prefix, _, pk = scope.partition(":")
    return int(pk) if prefix == "doc" and pk.isdigit() else None


def column_page(pk):
    return f"node:{pk}"


# What each page declares (``public_page(..., scopes=...)``). A document's page also shows the
# side navigation: which columns beyond its own are blank.
def document_scopes_of_page(pk, **kwargs):
    return (document_page(pk), SHOWN_COLUMNS)


def column_scopes_of_page(pk, **kwargs):
    return (column_page(pk),)


# A column's listing also shows the side navigation: which columns beyond its own are blank.
def listing_scopes_of_page(pk, **kwargs):
    return (column_page(pk), SHOWN_COLUMNS)


# A page of the documents' sitemap lists the public documents of a fixed range of keys counted
# from the lowest public one (``sitemaps.PkRangePaginator``): a change of a document changes its
# page alone, save one that moves the lowest key, which moves every page.
DOCUMENT_SITEMAP_PAGES = "sitemap-documents"


def document_sitemap_page(number):
    return f"{DOCUMENT_SITEMAP_PAGES}:{number}"


def sitemap_scopes_of_page(section, request=None, **kwargs):
    number = request.GET.get("p", "1") if request is not None else ""
    if section != "documents" or not number.isdigit():
        return (SITEMAPS,)
    return (DOCUMENT_SITEMAP_PAGES, document_sitemap_page(int(number)))


def _sitemap_scopes(document):
    """The documents' sitemap pages a change of ``document`` changes."""
    lowest = Document.objects.public().aggregate(lowest=Min("pk"))["lowest"]
    if document.pk is None or lowest is None or document.pk <= lowest:
        return {DOCUMENT_SITEMAP_PAGES}
    return {document_sitemap_page((document.pk - lowest) // DocumentSitemap.limit + 1)}


def columns_and_ancestors(node_ids):
    """The scopes of the listings of ``node_ids`` and of every column above them."""
    scopes = set()
    for node_id in {pk for pk in node_ids if pk is not None}:
        path = CatalogNode.objects.path_to(node_id).values_list("pk", flat=True)
        scopes.update(column_page(pk) for pk in [node_id, *path])
    return scopes


def document_scopes(document, node_ids=()):
    """Every scope showing ``document`` (and the columns ``node_ids`` it has just left)."""
    nodes = {document.node_id, getattr(document, "_stored_node_id", None), *node_ids}
    related, navigation = set(), set()
    if document.pk is not None:
        extra = set(document.extra_nodes.values_list("pk", flat=True))
        nodes.update(extra)
        if extra:
            # Listed elsewhere: its change may make one of those columns blank or not, which
            # the kept counts of its own column do not tell (``SHOWN_COLUMNS``).
            navigation.add(SHOWN_COLUMNS)
        related.update(document.interprets.values_list("pk", flat=True))
        related.update(document.interpretations.values_list("pk", flat=True))
    return {
        *navigation,
        document_page(document.pk),
        *(document_page(pk) for pk in related),
        *columns_and_ancestors(nodes),
        *_sitemap_scopes(document),
        HOME,
        FEEDS,
        SITEMAPS,
        TREE,
    }


def _shown_to_the_public(document):
    return document.status in (Document.Status.PUBLISHED, Document.Status.WITHDRAWN)


def _document_saved(sender, instance, **kwargs):
    if not _shown_to_the_public(instance):
        return  # drafts and documents under review have never been public
    if instance.is_scheduled:
        # Scheduled: the public version carries the moment it comes out (no page outlives it).
        page_cache.bump_public_version()
        return
    first_publication = (
        instance.status == Document.Status.PUBLISHED
        and getattr(instance, "_stored_status", None) != Document.Status.PUBLISHED
    )
    page_cache.bump_scopes(document_scopes(instance), hard=not first_publication)


def _document_deleted(sender, instance, **kwargs):
    if _shown_to_the_public(instance):
        page_cache.bump_scopes(document_scopes(instance), hard=True)


def _attachment_changed(sender, instance, **kwargs):
    page_cache.bump_scopes({document_page(instance.document_id)}, hard=True)


def _extra_nodes_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not isinstance(instance, Document) or pk_set is None:
        page_cache.bump_public_version()  # from a column's side, or cleared: not told which
    elif _shown_to_the_public(instance):
        # A listing from elsewhere may make a column, or one above it, blank or not.
        scopes = {*document_scopes(instance, pk_set), SHOWN_COLUMNS}
        page_cache.bump_scopes(scopes, hard=action != "post_add")


def _interprets_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if pk_set is None:
        page_cache.bump_public_version()  # cleared: not told which
        return
    scopes = {document_page(instance.pk), *(document_page(pk) for pk in pk_set)}
    page_cache.bump_scopes(scopes, hard=action != "post_add")


def connect():
    """Wires the scoped changes of documents to their saves and deletes (from ``ready()``)."""
    uid = "page-scopes-document"
    post_save.connect(_document_saved, sender=Document, dispatch_uid=f"{uid}-save")
    post_delete.connect(_document_deleted, sender=Document, dispatch_uid=f"{uid}-delete")
    for signal in (post_save, post_delete):
        signal.connect(
            _attachment_changed, sender=Attachment, dispatch_uid=f"{uid}-attachment-{signal}"
        )
    m2m_changed.connect(
        _extra_nodes_changed, sender=Document.extra_nodes.through, dispatch_uid=f"{uid}-extra"
    )
    m2m_changed.connect(
        _interprets_changed, sender=Document.interprets.through, dispatch_uid=f"{uid}-interprets"
    )
