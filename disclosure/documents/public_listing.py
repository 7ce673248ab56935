"""The public catalogue listing as files, built once per change of what is public.

Every request to the public download is answered from a file under ``settings.EXPORT_ROOT``
(outside MEDIA_ROOT: no media URL serves it). A file is named by its normalised filters and by a
fingerprint of the public state, so the first request after a publish, a withdrawal, a scheduled
document falling due or a change of the catalogue builds a new one; every other request reads the
file, and a client that has it gets 304.

What anonymous filters can be (``PublicListingForm``): at most one filter per download (a column,
an agency, a whole calendar year, a genre, a topic or a validity), and dates only as one whole
year. So the files one public state can have are at most 3 (CSV UTF-8, CSV GB18030, XLSX) × (1 complete listing + visible columns + agencies + 152 years
1949–2100 + genres + topics + 4 validities): about 3 × 600 for a district catalogue, not the
billions that free date ranges and combined filters would allow.

Who may cause a build:
- The complete (unfiltered) listing is built for anyone, whenever its file is missing for the
  current public state; there are at most three of them per state, and they are never evicted by
  filtered files (only a change of state removes them).
- A filtered file is built for a client (``portal.clients.client_key``: an IPv4 address or an
  IPv6 /64) only while that client has caused fewer than CLIENT_BUILDS builds in its period of
  CLIENT_PERIOD_SECONDS (the portal's limiter, ``portal.ratelimit``). Beyond that it answers
  ListingLimited (429, pointing to the complete listing); files already built are still served
  to anyone. At most MAX_FILES filtered files are kept, the
  oldest deleted first.

One build at a time on the whole site (``portal.built_files``: a lock kept by the portal's
limiter in the database, where no cache entry can evict it, then an atomic rename), so listings use at most one worker's
CPU; which file is being built, and the complete listing's flag, are hints in the shared cache. The complete listing has priority over filtered ones: a
request for it that finds another listing being built raises a flag and waits for the lock; while
the flag is up no filtered build starts, so the complete listing is built right after the build
under way, however many filtered requests arrive. A filtered request that finds the lock taken
waits briefly when the same file is being built and otherwise answers ListingBusy (503), so
anonymous downloads never hold more than one worker for long.
"""

import hashlib
import os
from datetime import date

from django import forms
from django.conf import settings
from django.db.models import Count, Max, Sum
from django.utils.http import quote_etag
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency, CatalogNode
from disclosure.documents.listings import (
    ExportFilters,
    ExportForm,
    listing_download,
    listing_filename,
    too_large_for_xlsx,
)
from disclosure.documents.models import Document, Genre, Topic
from portal import built_files, downloads
from portal.clients import client_key, network_key
from portal.downloads import PUBLIC, XLSX_TYPE
from portal.ratelimit import Limited, RateLimit, take_each

LOCK_KEY = "public-listing:building"
PRIORITY_KEY = "public-listing:complete-wanted"
MAX_FILES = 200  # filtered files kept per public state, the oldest deleted first
CLIENT_BUILDS = 3  # filtered builds one client address may cause ...
CLIENT_PERIOD_SECONDS = 600  # ... in this many seconds
CLIENT_BUILD_LIMIT = RateLimit("public-listing:build", CLIENT_BUILDS, CLIENT_PERIOD_SECONDS)
# A network (``portal.clients.network_key``) shares four clients' builds.
NETWORK_BUILD_LIMIT = RateLimit(
    "public-listing:build-network", 4 * CLIENT_BUILDS, CLIENT_PERIOD_SECONDS
)
FIRST_YEAR, LAST_YEAR = 1949, 2100


# Another public listing is being built; the caller should try again shortly.
ListingBusy = built_files.Busy


class ListingLimited(Exception):
    """This client has caused its share of builds; ``retry_after`` is in seconds."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after


class PublicListingForm(ExportForm):
    """The public download's filters: one at a time, and dates only as a whole calendar year.

    ``year=2024`` and ``date_from=2024-01-01&date_to=2024-12-31`` are the same filter.
    """

    year = forms.IntegerField(label=_("年度"), required=False)

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if year is None and (start or end):
            year = start.year if start else end.year
        if year is not None:
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise forms.ValidationError(_("日期应在1949年至2100年之间。"))
            whole = (date(year, 1, 1), date(year, 12, 31))
            if (start or end) and (start, end) != whole:
                raise forms.ValidationError(
                    _(
                        "公开目录只能按整年筛选发布日期：请选择年度（如 year=2024），"
                        "或把起止日期设为同一年的1月1日和12月31日。"
                        "需要其他日期范围的，请下载完整目录后自行筛选。"
                    )
                )
            cleaned["year"] = year
            cleaned["date_from"], cleaned["date_to"] = whole
        chosen = [
            name
            for name in ("node", "agency", "year", "genre", "topic", "validity")
            if cleaned.get(name) not in (None, "")
        ]
        if len(chosen) > 1:
            raise forms.ValidationError(
                _(
                    "公开目录每次只能按一个条件筛选（栏目、发布机构、年度、体裁分类、主题分类或"
                    "有效性）；需要组合筛选的，请下载完整目录后自行筛选。"
                )
            )
        return cleaned


def public_fingerprint():
    """A short hash of everything a public listing shows; it changes when any of it changes.

    Counted at the current time, so a scheduled document changes it when it falls due.
    """
    documents = Document.objects.public().aggregate(
        count=Count("pk"), ids=Sum("pk"), updated=Max("updated_at"), published=Max("published_at")
    )
    listed = Document.extra_nodes.through.objects.filter(
        document__in=Document.objects.public()
    ).aggregate(count=Count("pk"), nodes=Sum("catalognode_id"), documents=Sum("document_id"))
    state = (
        sorted(documents.items()),
        sorted(listed.items()),
        list(
            CatalogNode.objects.order_by("pk").values_list("pk", "parent_id", "name", "is_visible")
        ),
        list(Agency.objects.order_by("pk").values_list("pk", "name")),
        list(Topic.objects.order_by("pk").values_list("pk", "name")),
        list(Genre.objects.order_by("pk").values_list("pk", "name")),
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()[:20]


def listing_key(filters, file_format, encoding, base_url):
    """The normalised filters of a public download, as a short hash."""
    parts = [
        file_format,
        encoding if file_format == "csv" else "",
        base_url,
        filters.node and filters.node.pk,
        filters.agency and filters.agency.pk,
        filters.date_from and filters.date_from.isoformat(),
        filters.date_to and filters.date_to.isoformat(),
        filters.genre and filters.genre.pk,
        filters.topic and filters.topic.pk,
        filters.validity,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def write_listing_file(filters, file_format, encoding, base_url, handle):
    """Write the public listing into the open binary ``handle``."""
    download, documents = listing_download(filters, PUBLIC, base_url)
    if file_format == "xlsx" and too_large_for_xlsx(documents):
        raise downloads.TooLarge
    downloads.write_file(download, file_format, handle, PUBLIC, encoding)


COMPLETE, FILTERED = "all", "part"  # file name prefixes: complete listings are never evicted


def _prune(folder, keep):
    """Delete files of another public state, then the oldest filtered ones beyond MAX_FILES."""
    files = []
    for entry in os.scandir(folder):
        if not entry.is_file():
            continue
        stale_temp = built_files.is_stale_temporary(entry)
        other_state = not entry.name.endswith(".tmp") and f"-{keep}." not in entry.name
        if stale_temp or other_state:
            os.unlink(entry.path)
        elif entry.name.startswith(f"{FILTERED}-") and not entry.name.endswith(".tmp"):
            files.append((entry.stat().st_mtime, entry.path))
    for _mtime, path in sorted(files)[:-MAX_FILES]:
        os.unlink(path)


def _client_build_slot(request):
    """Take one of the client's CLIENT_BUILDS builds of its period and one of its network's
    (``portal.ratelimit``; an IPv6 client by its /64, its network by its /48, an IPv4 network by
    its /24); returns the function that gives them back. Raises ListingLimited."""
    try:
        return take_each(
            (CLIENT_BUILD_LIMIT, client_key(request)),
            (NETWORK_BUILD_LIMIT, network_key(request)),
        ).give_back
    except Limited as exc:
        raise ListingLimited(exc.retry_after) from None


def _build(path, fingerprint, write, priority=False):
    """``(open file at path, whether this request built it)``, built under the listings' lock
    (``built_files.build``); ``priority`` for the complete listing."""
    return built_files.build(
        path,
        write,
        lock_key=LOCK_KEY,
        priority_key=PRIORITY_KEY,
        priority=priority,
        prune=lambda folder: _prune(folder, fingerprint),
    )


def public_listing_response(request, filters, file_format="csv", encoding="utf-8"):
    """The public listing for ``filters`` as a download, from its file (built if need be).

    Raises downloads.TooLarge (XLSX past Excel's row limit), ListingBusy and ListingLimited.
    """
    # The site's own address, not the request's host: every spelling of the host (a port, a
    # name a wildcard admits) would otherwise be a listing of its own, built and kept.
    base_url = settings.PORTAL_BASE_URL
    key = listing_key(filters, file_format, encoding, base_url)
    fingerprint = public_fingerprint()
    complete = filters == ExportFilters()
    kind = COMPLETE if complete else FILTERED
    path = settings.EXPORT_ROOT / "public" / f"{kind}-{key}-{fingerprint}.{file_format}"
    # Weak: an XLSX rebuilt from the same state holds the same rows but other bytes.
    etag = "W/" + quote_etag(f"{key}-{fingerprint}")
    handle = built_files.open_file(path)
    if handle is None:
        not_modified = built_files.not_modified(request, etag)
        if not_modified is not None:
            return not_modified
        give_back = (lambda: None) if complete else _client_build_slot(request)
        try:
            handle, built = _build(
                path,
                fingerprint,
                lambda target: write_listing_file(filters, file_format, encoding, base_url, target),
                priority=complete,
            )
        except ListingBusy:
            give_back()
            raise
        if not built:
            give_back()  # only a build this request ran counts against the client
    return built_files.file_response(
        request,
        handle,
        etag=etag,
        filename=f"{listing_filename()}.{file_format}",
        content_type=XLSX_TYPE if file_format == "xlsx" else f"text/csv; charset={encoding}",
    )
