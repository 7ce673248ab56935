"""Checking external links over HTTP, politely and safely (``check_links --external``).

Each URL is asked with HEAD, then GET when HEAD is refused or fails with a status; redirects are
followed by hand (at most ``max_redirects``, a loop is a loop), each hop checked again. Every
connection goes to an address resolved and vetted here: private, loopback, link-local, shared
and reserved addresses are refused unless ``LINK_CHECK_ALLOWED_NETWORKS`` names them (tests name
127.0.0.1), and the socket is opened to that vetted address, so a name cannot resolve to another
one in between. No proxy from the environment, a short timeout per operation, a User-Agent of
the portal's own, and no body read: the status line and headers say what is needed. A request
ends after two timeouts in all, however slowly a server answers.

Requests are paced (``Pacer``): a rate for the run and an interval between two requests to one
host. ``check_external`` checks at most ``limit`` distinct URLs per run, the least recently
checked first, and keeps the outcome on every row holding the URL.
"""

import http.client
import io
import ipaddress
import socket
import ssl
import time
import urllib.request
from dataclasses import dataclass, field
from functools import partial
from urllib.error import URLError
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.documents.links import Outcome, apply_outcome
from disclosure.documents.models import LinkCheck

REDIRECTS = {301, 302, 303, 307, 308}


class AddressRefused(OSError):
    """The link's host resolves to an address the checker may not connect to."""


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 5.0
    max_redirects: int = 5
    # Networks the checker may connect to although they are not public (tests: 127.0.0.1/32).
    allowed_networks: tuple = ()
    user_agent: str = "ZhengwuGongkaiLinkChecker/1.0"

    @classmethod
    def from_settings(cls, **overrides):
        values = {
            "allowed_networks": tuple(
                ipaddress.ip_network(n, strict=False)
                for n in getattr(settings, "LINK_CHECK_ALLOWED_NETWORKS", ())
            ),
            "user_agent": getattr(settings, "LINK_CHECK_USER_AGENT", cls.user_agent),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def permits(self, address):
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in network for network in self.allowed_networks):
            return True
        return ip.is_global and not ip.is_multicast

    def address_for(self, host, port):
        """The address to connect to for ``host``: the first it resolves to, when every one it
        resolves to is permitted; AddressRefused otherwise."""
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        if not infos or not all(self.permits(info[4][0]) for info in infos):
            raise AddressRefused(host)
        return infos[0][4][0]


class _DeadlineReader(io.RawIOBase):
    """Reads from a socket until a deadline: a server sending its answer a byte at a time
    never holds the checker longer than that, whatever the timeout of each read."""

    def __init__(self, sock, deadline):
        super().__init__()
        self.sock, self.deadline, self.timeout = sock, deadline, sock.gettimeout()

    def readable(self):
        return True

    def readinto(self, buffer):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline")
        self.sock.settimeout(min(self.timeout or remaining, remaining))
        return self.sock.recv_into(buffer)


class _DeadlineSocket:
    """A connected socket whose answer is read through a _DeadlineReader."""

    def __init__(self, sock, deadline):
        self.sock, self.deadline = sock, deadline

    def makefile(self, mode="rb", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self.sock, self.deadline))

    def __getattr__(self, name):
        return getattr(self.sock, name)


def _connect(connection, wrap=None):
    """Open ``connection``'s socket to the address its policy vets, with a deadline for the
    whole request of READS_PER_REQUEST timeouts."""
    address = connection.policy.address_for(connection.host, connection.port)
    deadline = time.monotonic() + READS_PER_REQUEST * connection.timeout
    sock = socket.create_connection((address, connection.port), connection.timeout)
    if wrap is not None:
        sock = wrap(sock, server_hostname=connection.host)
    return _DeadlineSocket(sock, deadline)


# A request (connecting, sending, reading the status and headers) takes at most this many
# timeouts in all.
READS_PER_REQUEST = 2


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy

    def connect(self):
        self.sock = _connect(self)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy

    def connect(self):
        self.sock = _connect(self, self._context.wrap_socket)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, policy):
        super().__init__()
        self.policy = policy

    def http_open(self, req):
        return self.do_open(partial(_GuardedHTTPConnection, policy=self.policy), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, policy):
        super().__init__(context=ssl.create_default_context())
        self.policy = policy

    def https_open(self, req):
        connection = partial(_GuardedHTTPSConnection, policy=self.policy)
        return self.do_open(connection, req, context=self._context)


class Pacer:
    """Waits before each request: at most ``rate`` requests a second in all, and
    ``host_interval`` seconds between two requests to one host. ``requests`` counts them."""

    def __init__(self, rate=2.0, host_interval=1.0, *, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.host_interval = host_interval
        self.clock, self.sleep = clock, sleep
        self.next_any = None
        self.next_for_host = {}
        self.requests = 0

    def wait(self, host):
        now = self.clock()
        due = max(self.next_any or now, self.next_for_host.get(host, now))
        if due > now:
            self.sleep(due - now)
            now = due
        self.next_any = now + self.interval
        self.next_for_host[host] = now + self.host_interval
        self.requests += 1


def _status_words(status):
    words = {
        401: _("需要登录才能访问"),
        403: _("拒绝访问"),
        404: _("页面不存在"),
        410: _("页面已删除"),
        429: _("对方限制访问频率"),
    }
    if status in words:
        return f"{words[status]}（{status}）"
    if status >= 500:
        return _("对方服务器出错（%(status)s）") % {"status": status}
    return _("应答状态 %(status)s") % {"status": status}


def _error_words(exc, timeout):
    reason = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, AddressRefused):
        return _("链接指向内网或本机地址，公众无法访问（未连接）")
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return _("连接超时（%(seconds)s 秒内无应答）") % {"seconds": f"{timeout:g}"}
    if isinstance(reason, ConnectionRefusedError):
        return _("连接被拒绝（对方服务器未开放）")
    if isinstance(reason, socket.gaierror):
        return _("域名无法解析")
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return _("HTTPS 证书或加密连接有误")
    if isinstance(reason, http.client.InvalidURL | ValueError):
        return _("链接地址格式有误")
    if isinstance(reason, http.client.HTTPException):
        return _("对方服务器的应答无法识别")
    return _("连接中断")


@dataclass
class Fetcher:
    """Checks external URLs under ``policy``, pacing requests with ``pacer``."""

    policy: FetchPolicy = field(default_factory=FetchPolicy.from_settings)
    pacer: Pacer = field(default_factory=Pacer)

    def __post_init__(self):
        self.opener = urllib.request.OpenerDirector()
        # No error processor: every status comes back as a response; redirects are ours.
        self.opener.add_handler(_HTTPHandler(self.policy))
        self.opener.add_handler(_HTTPSHandler(self.policy))

    def _ask(self, method, url):
        """(status, Location) of one request; reads no body."""
        # The opener has the http and https handlers only: no file: or other scheme is opened.
        request = urllib.request.Request(  # noqa: S310
            url, method=method, headers={"User-Agent": self.policy.user_agent, "Accept": "*/*"}
        )
        self.pacer.wait(urlsplit(url).hostname)
        with self.opener.open(request, timeout=self.policy.timeout) as response:
            return response.status, response.headers.get("Location")

    def _hop(self, method, url):
        status, location = self._ask(method, url)
        if method == "HEAD" and status >= 400:
            # Many servers answer HEAD with 403, 404 or 405 and GET with the page.
            return ("GET", *self._ask("GET", url))
        return method, status, location

    def check(self, url):
        """The Outcome of ``url``: ok when it ends, after redirects, in a 2xx status."""
        method, current, visited = "HEAD", url.strip(), set()
        if current.startswith("//"):
            current = "https:" + current
        for _hop_number in range(self.policy.max_redirects + 1):
            try:
                scheme = urlsplit(current).scheme.lower()
            except ValueError:
                return Outcome(False, _("链接地址格式有误"))
            if scheme not in ("http", "https"):
                return Outcome(False, _("重定向到了不支持的地址"))
            if current in visited:
                return Outcome(False, _("重定向循环"))
            visited.add(current)
            try:
                method, status, location = self._hop(method, current)
            except (URLError, OSError, http.client.HTTPException, ValueError) as exc:
                return Outcome(False, _error_words(exc, self.policy.timeout))
            if status in REDIRECTS and location:
                current = urljoin(current, location.strip())
                continue
            if 200 <= status < 300:
                return Outcome(True, status_code=status)
            return Outcome(False, _status_words(status), status_code=status)
        return Outcome(
            False, _("重定向次数过多（超过 %(n)s 次）") % {"n": self.policy.max_redirects}
        )


@dataclass
class ExternalRun:
    checked: int = 0
    broken: int = 0
    requests: int = 0


def due_urls(limit):
    """Up to ``limit`` distinct external URLs of public documents, least recently checked first."""
    urls = {}
    for key, url in LinkCheck.objects.external_due().values_list("url_key", "url").iterator(500):
        if len(urls) >= limit:
            break
        urls.setdefault(key, url)
    return urls


def check_external(limit, fetcher=None):
    """Check up to ``limit`` external URLs (``due_urls``) and keep each outcome on every row of
    a document holding that URL. Returns an ExternalRun."""
    fetcher = fetcher or Fetcher()
    run = ExternalRun()
    for key, url in due_urls(limit).items():
        outcome = fetcher.check(url)
        now = timezone.now()
        rows = list(LinkCheck.objects.filter(kind=LinkCheck.Kind.EXTERNAL, url_key=key))
        for row in rows:
            apply_outcome(row, outcome, now)
        LinkCheck.objects.bulk_update(
            rows, ["ok", "error", "status_code", "failures", "first_broken_at", "checked_at"]
        )
        run.checked += 1
        run.broken += not outcome.ok
    run.requests = fetcher.pacer.requests
    return run
