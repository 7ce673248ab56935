"""Settings of bench/load with LOAD_UNCACHED=1: the portal's own, with the public page cache off,
so that every request of the mix is rendered as for an anonymous visitor whose page is not cached
yet (no cookie, no session). Only the load bench's server reads this module; no request, header
or cookie turns the cache off on a real server."""

from config.settings import *  # noqa: F403

PUBLIC_PAGE_CACHE = False
