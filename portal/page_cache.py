"""Public pages cached for anonymous visitors, and the one switch that invalidates them all.

What is cached: the response of a view marked with ``public_page``, for a GET without a session
cookie (so never for staff, who are signed in), when it is a 200 that sets no cookie and used no
CSRF token. The key is the full URL (scheme, host, path, sorted query), the display mode (the
长辈版 cookie, ``portal.elder_mode``) and the *public version*.

The public version lives in the "shared" cache (seen by every app server) with the time it was
taken and the next moment a scheduled document falls due. Every change of public content bumps
it, now and again once the transaction commits (``bump_public_version``): ``invalidate_on_change``
wires that to a model's saves and deletes, in the apps' ``ready()``. A scheduled document becomes
public without any write, so the version is also bumped by the first request after the next due
moment, and no page is kept past that moment anyway.

Pages carry an ETag and a Last-Modified (the version's time) and answer conditional requests with
304; anonymous pages are ``public, max-age=60``, pages seen with a session cookie ``private,
no-store``. They all vary on Cookie: staff would see them differently.
"""

import hashlib
import secrets
from functools import wraps
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date

from . import elder_mode

STATE_KEY = "public-version"
# How long a browser or proxy may reuse an anonymous page without asking again.
BROWSER_MAX_AGE = 60
# How long a page stays in the cache at most, whatever happens (also bounds the rare race in
# which a bump computes the next due moment before another transaction's schedule commits).
PAGE_TIMEOUT = 10 * 60

_next_due_sources = []


def public_page(view):
    """Marks ``view`` as a public page: cached for anonymous visitors, with conditional GET."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.public_page = True
    return wrapped


def next_due_from(source):
    """Registers ``source()``: the next moment (aware datetime or None) that public content
    changes by itself, such as a scheduled document's publication time."""
    _next_due_sources.append(source)


def _next_due():
    moments = [moment for moment in (source() for source in _next_due_sources) if moment]
    return min(moments).timestamp() if moments else None


def _new_state():
    state = {
        "version": secrets.token_hex(8),
        "at": timezone.now().timestamp(),
        "due": _next_due(),
    }
    caches["shared"].set(STATE_KEY, state, None)
    return state


def public_state():
    """The current public version: {"version", "at" (its time), "due" (next due moment)}."""
    state = caches["shared"].get(STATE_KEY)
    if state is None or (state["due"] is not None and state["due"] <= timezone.now().timestamp()):
        state = _new_state()
    return state


def bump_public_version():
    """Forgets every cached public page: call it when public content changes.

    Now, so this request's next read is fresh, and again once the transaction commits, so that no
    other server keeps a page it rendered from the rows as they were before the commit.
    """
    _new_state()
    transaction.on_commit(_new_state)


def _m2m_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump_public_version()


def invalidate_on_change(*models, when=None):
    """Bumps the public version on every save and delete of ``models`` (and on changes of
    many-to-many through tables passed here); with ``when``, only for instances for which
    ``when(instance)`` is true. Call it from an AppConfig's ``ready()``."""

    def changed(sender, instance, **kwargs):
        if when is None or when(instance):
            bump_public_version()

    for model in models:
        uid = f"page-cache-{model._meta.label_lower}"
        if model._meta.auto_created:
            m2m_changed.connect(_m2m_changed, sender=model, dispatch_uid=uid)
            continue
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-delete")


# Query parameters public views read (registered by the apps): a page asked for with any other
# parameter, or with one given twice, is served but not kept, so made-up query strings can
# neither fill the cache nor stand for another page.
_known_parameters = set()


def register_query_parameters(*names):
    """Declares query parameters that public views read. Call it from an AppConfig's ``ready()``."""
    _known_parameters.update(names)


def _keepable_query(request):
    names = [name for name, _ in parse_qsl(request.META.get("QUERY_STRING", ""), True)]
    return len(names) == len(set(names)) and set(names) <= _known_parameters


def _page_key(request, version):
    query = urlencode(sorted(parse_qsl(request.META.get("QUERY_STRING", ""), True)))
    url = "|".join(
        [
            version,
            request.scheme,
            request.get_host(),
            "elder" if elder_mode.is_on(request) else "",
            request.path,
            query,
        ]
    )
    return "page:" + hashlib.sha256(url.encode()).hexdigest()


def _may_use_cache(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "PUBLIC_PAGE_CACHE", True)
    )


def _storable(request, response):
    return (
        request.method == "GET"
        and _keepable_query(request)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (hasattr(request, "session") and request.session.modified)
    )


def _within_replica_lag(state):
    """With read replicas, a page rendered just after a change may come from a standby that has
    not replayed it yet: such a page is served, but not kept under the new version."""
    if not getattr(settings, "DATABASE_REPLICA_URLS", None):
        return False
    return timezone.now().timestamp() - state["at"] < settings.PORTAL_REPLICA_LAG_SECONDS


def _headers_for_anonymous(response, state):
    response.headers["Last-Modified"] = http_date(int(state["at"]))
    if not response.has_header("ETag"):
        set_response_etag(response)
    # A longer max-age set by the view (the sitemaps' 300 s) stays.
    if "max-age" not in response.get("Cache-Control", ""):
        patch_cache_control(response, max_age=BROWSER_MAX_AGE)
    patch_cache_control(response, public=True)
    patch_vary_headers(response, ("Cookie",))


class PublicPageCacheMiddleware:
    """Serves and fills the public page cache; place it after CommonMiddleware and before
    CsrfViewMiddleware (it must see the cookies set inside it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        page = getattr(request, "_public_page", None)
        if page is None or page.get("hit"):
            return response
        if not page["cacheable"]:
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Cookie",))
            return response
        if response.status_code != 200 or response.streaming:
            return response
        state = page["state"]
        if _within_replica_lag(state):
            # Perhaps rendered from a standby that has not replayed the change: nobody keeps it,
            # and no Last-Modified lets a proxy confirm it later.
            patch_cache_control(response, no_store=True)
            return response
        _headers_for_anonymous(response, state)
        if _storable(request, response):
            timeout = PAGE_TIMEOUT
            if state["due"] is not None:
                timeout = max(1, min(timeout, int(state["due"] - timezone.now().timestamp())))
            entry = (response.content, list(response.items()))
            caches["default"].set(page["key"], entry, timeout)
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=int(state["at"]),
            response=response,
        )

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "public_page", False):
            return None
        if not _may_use_cache(request):
            request._public_page = {"cacheable": False}
            return None
        state = public_state()
        key = _page_key(request, state["version"])
        request._public_page = {"cacheable": True, "state": state, "key": key}
        entry = caches["default"].get(key)
        if entry is None:
            return None
        request._public_page["hit"] = True
        content, headers = entry
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=int(state["at"]),
            response=response,
        )
