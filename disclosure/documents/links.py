"""Links of published documents and whether the public can open them (链接可用性, one of the
national site inspection's measures: 不可用链接 in bodies and attachments).

A document's links are the ``<a href>`` and ``<img src>`` of its (sanitised) body and its own
attachments. Each is internal (a relative URL, or an absolute one on this site's host:
``PORTAL_BASE_URL`` or ``ALLOWED_HOSTS``), external (http or https elsewhere) or ignored
(anchors, mailto:, tel:, inline images; the sanitiser leaves no other scheme).

Internal links are judged without HTTP (``django.urls.resolve`` and the target's own rule:
a document's page must be public, an attachment live on a public document with its file on
storage, a column visible, an editor image on storage) after every publication and approved
revision, once the transaction commits; a withdrawal breaks the links to the document at once.
External links wait for ``check_links --external`` (``external_links.py``). Results are
``LinkCheck`` rows, one per document and URL, kept in place.
"""

from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.http.request import validate_host
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import CatalogNode
from disclosure.documents.models import Attachment, Document, LinkCheck
from disclosure.documents.models.links import url_key

Kind, Place = LinkCheck.Kind, LinkCheck.Place

# What one document's check reads at most: the first links of its body, then its attachments.
MAX_LINKS = 500
# Longer URLs are not links anyone follows by hand; they are left out rather than stored.
MAX_URL = 4000
EDITOR_DIR = "editor"  # where the editor's images are stored (served as editor-image)


@dataclass(frozen=True)
class Link:
    """One link of a document: ``url`` as written, its kind and place, the text it shows, and
    for an internal one the ``path`` on this site it opens (decoded, without query or anchor)."""

    url: str
    kind: str
    place: str
    text: str = ""
    path: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a check found: ``ok``, the problem in words, the document an internal link opens,
    the HTTP status of an external one."""

    ok: bool
    error: str = ""
    target_document: int | None = None
    status_code: int | None = None


class _LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._anchor = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self._anchor = [attrs["href"], Place.LINK, ""]
            self.found.append(self._anchor)
        elif tag == "img" and attrs.get("src"):
            self.found.append([attrs["src"], Place.IMAGE, attrs.get("alt") or ""])

    def handle_data(self, data):
        if self._anchor is not None and len(self._anchor[2]) < 200:
            self._anchor[2] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._anchor = None


def site_hosts():
    """The host patterns of this site: ``PORTAL_BASE_URL``'s host and ``ALLOWED_HOSTS`` (a
    ``*`` there says nothing about which site is this one and is left out)."""
    hosts = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    base = urlsplit(settings.PORTAL_BASE_URL).hostname
    return [base, *hosts] if base else hosts


def _is_this_site(parts):
    base = urlsplit(settings.PORTAL_BASE_URL)
    host = (parts.hostname or "").rstrip(".")
    if host == base.hostname and parts.port == base.port:
        return True
    # Another port of a host of this site is another server (a test server, an intranet tool).
    return parts.port in (None, 80, 443) and validate_host(host, site_hosts())


def classify(url, base_path, place=Place.LINK, text=""):
    """The Link ``url`` written in a page at ``base_path`` is, or None when it is not checked
    (empty, an anchor of the page, mailto:, tel:, an inline image, another scheme)."""
    url = url.strip()
    if not url or url.startswith("#") or len(url) > MAX_URL:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port out of range raises ValueError here
    except ValueError:
        return Link(url, Kind.EXTERNAL if "//" in url else Kind.INTERNAL, place, text)
    scheme = parts.scheme.lower()
    if scheme and scheme not in ("http", "https"):
        return None
    text = " ".join(text.split())[:200]
    if parts.netloc and not _is_this_site(parts):
        return Link(url, Kind.EXTERNAL, place, text)
    path = urlsplit(urljoin(base_path, url)).path if not parts.netloc else parts.path
    return Link(url, Kind.INTERNAL, place, text, unquote(path or "/"))


def extract_links(document, body=None):
    """The checked links of ``document`` (its body, or ``body`` instead): those of the body in
    order, each URL once, then its live attachments; MAX_LINKS at most."""
    collector = _LinkCollector()
    collector.feed(document.body if body is None else body)
    collector.close()
    base = document.get_absolute_url()
    links, seen = [], set()
    for url, place, text in collector.found:
        link = classify(url, base, place, text)
        if link is not None and link.url not in seen and len(links) < MAX_LINKS:
            seen.add(link.url)
            links.append(link)
    return links


def attachment_links(document):
    """Links of ``document``'s live attachments: (Link, Attachment), in their order."""
    attachments = document.attachments.live().only("pk", "document_id", "file", "original_name")
    return [
        (Link(a.get_absolute_url(), Kind.ATTACHMENT, Place.ATTACHMENT, a.original_name), a)
        for a in attachments[:MAX_LINKS]
    ]


# --- internal links, judged without HTTP ----------------------------------------------------


def _stored(file_field_or_name, storage=default_storage):
    name = getattr(file_field_or_name, "name", file_field_or_name)
    try:
        return bool(name) and storage.exists(name)
    except (SuspiciousFileOperation, ValueError, OSError):
        return False


def _not_public(status):
    if status is None:
        return _("链接指向的文件不存在")
    if status == Document.Status.WITHDRAWN:
        return _("链接指向的文件已撤回")
    return _("链接指向的文件尚未公开")


STAFF_ONLY = {"disclosure:preview"}


def _match(link):
    """(the resolver's view name, its kwargs), or (None, None) when no page has this path."""
    if link.path.startswith(settings.STATIC_URL):
        name = link.path[len(settings.STATIC_URL) :]
        return ("static", {"path": name}) if name else (None, None)
    try:
        match = resolve(link.path)
    except Resolver404:
        return None, None
    return match.view_name, match.kwargs


class _Targets:
    """The rows internal links point at, read in one query per kind for a batch of links."""

    def __init__(self, matches, own):
        documents, attachments, columns = set(), set(), set()
        for name, kwargs in matches:
            if name == "disclosure:document":
                documents.add(kwargs["pk"])
            elif name == "disclosure:attachment":
                documents.add(kwargs["document_pk"])
                attachments.add(kwargs["pk"])
            elif name in ("catalog:node", "catalog:subtree"):
                columns.add(kwargs["pk"])
        self.own = own
        self.status = dict(
            Document.objects.filter(pk__in=documents).values_list("pk", "status")
            if documents
            else ()
        )
        self.public = set(
            Document.objects.public().filter(pk__in=documents).values_list("pk", flat=True)
            if documents
            else ()
        )
        self.attachments = (
            Attachment.objects.live().only("pk", "document_id", "file").in_bulk(attachments)
            if attachments
            else {}
        )
        self.columns = set(
            CatalogNode.objects.visible().filter(pk__in=columns).values_list("pk", flat=True)
            if columns
            else ()
        )

    def document(self, pk):
        if pk in self.public or pk == self.own:
            return Outcome(True, target_document=pk)
        return Outcome(False, _not_public(self.status.get(pk)), target_document=pk)

    def attachment(self, document_pk, pk):
        found = self.document(document_pk)
        if not found.ok:
            return found
        attachment = self.attachments.get(pk)
        if attachment is None or attachment.document_id != document_pk:
            return Outcome(False, _("链接指向的附件不存在"), target_document=document_pk)
        if not _stored(attachment.file, attachment.file.storage):
            return Outcome(False, _("附件文件在存储中缺失"), target_document=document_pk)
        return Outcome(True, target_document=document_pk)

    def judge(self, name, kwargs):
        if name is None:
            return Outcome(False, _("本站没有这个页面"))
        if name in STAFF_ONLY or name.startswith("admin:"):
            return Outcome(False, _("链接指向仅工作人员可以打开的页面"))
        if name == "disclosure:document":
            return self.document(kwargs["pk"])
        if name == "disclosure:attachment":
            return self.attachment(kwargs["document_pk"], kwargs["pk"])
        if name in ("catalog:node", "catalog:subtree") and kwargs["pk"] not in self.columns:
            return Outcome(False, _("链接指向的栏目不存在或未公开"))
        if name == "editor-image" and not _stored(f"{EDITOR_DIR}/{kwargs['path']}"):
            return Outcome(False, _("图片文件在存储中缺失"))
        if name == "static" and finders.find(kwargs["path"]) is None:
            return Outcome(False, _("本站没有这个文件"))
        return Outcome(True)


def check_internal(links, own=None):
    """{url: Outcome} of the internal ``links`` (Link), judged without HTTP; ``own`` is the
    document they are in, which counts as public (its publication is what is being checked).
    A few queries whatever the number of links, and a look at storage per file."""
    matches = {link.url: _match(link) for link in links}
    targets = _Targets(matches.values(), own)
    return {url: targets.judge(name, kwargs) for url, (name, kwargs) in matches.items()}


def inspect(document, body=None):
    """[(Link, Outcome or None)] for ``document`` as it is (or with ``body``), without writing:
    internal links and attachments judged, external ones None (checked in the background)."""
    links = extract_links(document, body)
    outcomes = check_internal([link for link in links if link.kind == Kind.INTERNAL], document.pk)
    found = [(link, outcomes.get(link.url)) for link in links]
    for link, attachment in attachment_links(document):
        if _stored(attachment.file, attachment.file.storage):
            found.append((link, Outcome(True, target_document=document.pk)))
        else:
            found.append((link, Outcome(False, _("附件文件在存储中缺失"))))
    return found


def broken_internal(document, body=None):
    """[(Link, Outcome)] of the internal links and attachments of ``document`` that are broken
    now: what the reviewer is warned of before publishing."""
    return [
        (link, outcome) for link, outcome in inspect(document, body) if outcome and not outcome.ok
    ]


# --- results ---------------------------------------------------------------------------------


def apply_outcome(row, outcome, now):
    """Put ``outcome`` on ``row`` (unsaved): a link broken again keeps when it first broke."""
    if outcome.ok:
        row.first_broken_at, row.failures = None, 0
    else:
        if row.ok is not False or row.first_broken_at is None:
            row.first_broken_at = now
        row.failures = min(row.failures + 1, 32767)
    row.ok, row.error, row.status_code = outcome.ok, outcome.error[:200], outcome.status_code
    row.target_document_id = outcome.target_document
    row.checked_at = now


RESULT_FIELDS = [
    "kind", "place", "text", "ok", "error", "status_code", "failures", "first_broken_at",
    "checked_at", "target_document",
]  # fmt: skip


def record(document, found, now=None):
    """Keep ``found`` (inspect's answer) as ``document``'s LinkCheck rows: new links added,
    judged ones updated in place, links no longer in the document removed. External links
    keep their last result. A fixed number of queries."""
    now = now or timezone.now()
    existing = {row.url_key: row for row in document.link_checks.all()}
    new, changed = [], []
    for link, outcome in found:
        key = url_key(link.url)
        row = existing.pop(key, None)
        if row is None:
            row = LinkCheck(document=document, url=link.url, url_key=key)
            new.append(row)
        else:
            changed.append(row)
        row.kind, row.place, row.text = link.kind, link.place, link.text
        if outcome is not None:
            apply_outcome(row, outcome, now)
    if existing:
        LinkCheck.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    # A check running at the same time (the command, another publication) may have added the
    # same link: its row stands.
    LinkCheck.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    LinkCheck.objects.bulk_update(changed, RESULT_FIELDS, batch_size=500)


def check_document(document_pk):
    """Check the internal links and attachments of the document ``document_pk`` now and keep
    the results (its external links are recorded, to be checked in the background)."""
    document = Document.objects.only("pk", "body", "status").filter(pk=document_pk).first()
    if document is None:
        return
    with transaction.atomic():
        record(document, inspect(document))


def recheck_links_to(document_pk):
    """Judge again the links of other documents that open ``document_pk`` (its page or its
    attachments): after it was published or its attachments changed. MAX_LINKS at most;
    the rest wait for ``check_links``."""
    rows = list(
        LinkCheck.objects.filter(target_document_id=document_pk)
        .exclude(document_id=document_pk)
        .order_by("pk")[:MAX_LINKS]
    )
    if not rows:
        return
    links = {}
    for row in rows:
        base = reverse("disclosure:document", args=[row.document_id])
        links[row.pk] = classify(row.url, base, row.place) or Link(row.url, row.kind, row.place)
    outcomes = check_internal([link for link in links.values() if link.kind == Kind.INTERNAL])
    now = timezone.now()
    for row in rows:
        apply_outcome(row, outcomes.get(links[row.pk].url, Outcome(True)), now)
    LinkCheck.objects.bulk_update(rows, RESULT_FIELDS, batch_size=500)


def break_links_to(document_pk, error):
    """The links of other documents to ``document_pk`` are broken from now (it was withdrawn):
    one update, however many there are."""
    now = timezone.now()
    LinkCheck.objects.filter(target_document_id=document_pk, ok=True).exclude(
        document_id=document_pk
    ).update(ok=False, error=error, first_broken_at=now, failures=F("failures") + 1, checked_at=now)


def check_on_commit(document):
    """Once the publication (or approved revision) of ``document`` commits: check its links,
    and mend the links to it. A failure here is logged and leaves the publication done."""
    transaction.on_commit(partial(check_document, document.pk), robust=True)
    transaction.on_commit(partial(recheck_links_to, document.pk), robust=True)


def break_on_commit(document):
    """Once the withdrawal of ``document`` commits, the links to it are broken."""
    transaction.on_commit(
        partial(break_links_to, document.pk, _("链接指向的文件已撤回")), robust=True
    )


def broken_links(viewer):
    """The links of public documents that are broken now, of the documents ``viewer`` (a user,
    or SYSTEM) may see, the longest broken first; each row's ``first_broken_at`` says since
    when. What the self-inspection counts as 不可用链接."""
    return (
        LinkCheck.objects.broken()
        .on_public_documents()
        .for_staff(viewer)
        .select_related("document", "document__agency")
        .order_by("first_broken_at", "pk")
    )


def check_public_documents(limit=None):
    """Check the internal links and attachments of every public document (the first ``limit``
    by id), one document at a time: what catches links broken without a publication (a
    scheduled document come due, a file gone from storage, documents imported from an old
    site). Returns the number of documents checked."""
    ids = Document.objects.public().order_by("pk").values_list("pk", flat=True)
    if limit is not None:
        ids = ids[:limit]
    checked = 0
    for pk in ids.iterator(500):
        check_document(pk)
        checked += 1
    return checked
