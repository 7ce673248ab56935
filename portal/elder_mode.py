"""长辈版: the elderly mode 《互联网网站适老化通用设计规范》 asks of government sites.

Larger type and line spacing, stronger contrast, bigger click targets and simpler page chrome
(static/css/site.css, under ``html.elder``). A plain link on every page switches it: a GET that
sets or clears a cookie and goes back to the page, so it works without JavaScript. Pages are
rendered with the mode the cookie asks for, and the public page cache keeps each mode apart
(``is_on`` is part of its key).
"""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

COOKIE = "portal_elder"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def is_on(request):
    """Whether ``request`` asks for the 长辈版."""
    return request.COOKIES.get(COOKIE) == "1"


def same_site_path(value):
    """``value`` when it is a path on this site ("/catalog/?page=2"), else "/": never a
    redirect to another host, whatever slashes, backslashes or schemes it holds."""
    if (
        value
        and value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    ):
        return value
    return "/"


@never_cache
def switch(request):
    """``?on=1`` (or ``0``) ``&next=/path``: turns the 长辈版 on (off) and goes back to ``next``."""
    response = HttpResponseRedirect(same_site_path(request.GET.get("next")))
    if request.GET.get("on") == "1":
        response.set_cookie(
            COOKIE,
            "1",
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response


def switch_url(request, on):
    """The link that turns the mode on (``on``) or off and comes back to the current page."""
    query = urlencode({"on": "1" if on else "0", "next": request.get_full_path()})
    return f"{reverse('elder-mode')}?{query}"


def context(request):
    """Template context: ``elder_mode`` (on?) and ``elder_switch_url`` (the link that flips it)."""
    on = is_on(request)
    return {"elder_mode": on, "elder_switch_url": switch_url(request, not on)}
