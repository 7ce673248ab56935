"""External links checked over HTTP against a server of the test's own on 127.0.0.1 (the only
address the checker is allowed to reach here): statuses, timeouts, redirects, refusals, the
address policy, and the bounds of a run."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from disclosure.documents.external_links import Fetcher, FetchPolicy, Pacer, check_external
from disclosure.documents.models import LinkCheck
from portal.actors import SYSTEM
from tests.factories import DocumentFactory, published

LOCAL = ("127.0.0.1/32",)


class Handler(BaseHTTPRequestHandler):
    seen = []  # (method, path, User-Agent) of every request, set per server

    def log_message(self, *args):
        pass

    def _answer(self):
        self.seen.append((self.command, self.path, self.headers.get("User-Agent")))
        path = self.path
        if path == "/slow":
            time.sleep(1)
        if path == "/drip":
            return self._drip(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
        if path.startswith("/missing") or path == "/slow":
            return self._send(404)
        if path == "/head-refused" and self.command == "HEAD":
            return self._send(405)
        if path == "/loop":
            return self._send(302, "/loop")
        if path.startswith("/chain/"):
            return self._send(302, f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        if path == "/moved":
            return self._send(301, "/ok")
        if path == "/to-intranet":
            return self._send(302, "http://10.1.2.3/oa/")
        return self._send(200)

    def _send(self, status, location=None):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _drip(self, answer):
        try:
            for byte in answer:
                self.wfile.write(bytes([byte]))
                time.sleep(0.05)
        except OSError:
            pass  # the checker gave up

    do_HEAD = do_GET = _answer


@pytest.fixture
def server():
    seen = []
    handler = type("LocalHandler", (Handler,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, seen
    httpd.shutdown()
    httpd.server_close()


def fetcher(**policy):
    policy = {"allowed_networks": _networks(LOCAL), "timeout": 2.0, **policy}
    return Fetcher(FetchPolicy(**policy), Pacer(rate=1000, host_interval=0))


def _networks(names):
    import ipaddress

    return tuple(ipaddress.ip_network(n) for n in names)


def test_a_page_that_answers_200_is_fine_and_the_checker_names_itself(server):
    base, seen = server
    outcome = fetcher(user_agent="TestChecker/1").check(f"{base}/ok")
    assert (outcome.ok, outcome.status_code) == (True, 200)
    assert seen == [("HEAD", "/ok", "TestChecker/1")]


def test_a_missing_page_is_broken_after_head_then_get(server):
    base, seen = server
    outcome = fetcher().check(f"{base}/missing")
    assert (outcome.ok, outcome.status_code, outcome.error) == (False, 404, "页面不存在（404）")
    assert [method for method, _path, _agent in seen] == ["HEAD", "GET"]


def test_a_server_refusing_head_is_asked_with_get(server):
    base, seen = server
    assert fetcher().check(f"{base}/head-refused").ok is True
    assert [method for method, _path, _agent in seen] == ["HEAD", "GET"]


def test_a_slow_server_times_out(server):
    base, _seen = server
    outcome = fetcher(timeout=0.2).check(f"{base}/slow")
    assert outcome.ok is False
    assert outcome.error == "连接超时（0.2 秒内无应答）"


def test_a_server_answering_a_byte_at_a_time_cannot_hold_the_checker(server):
    # Each byte comes well within the timeout; the whole answer does not come within two.
    base, _seen = server
    outcome = fetcher(timeout=0.2).check(f"{base}/drip")
    assert (outcome.ok, outcome.error) == (False, "连接超时（0.2 秒内无应答）")


def test_a_redirect_is_followed(server):
    base, seen = server
    outcome = fetcher().check(f"{base}/moved")
    assert (outcome.ok, outcome.status_code) == (True, 200)
    assert [path for _method, path, _agent in seen] == ["/moved", "/ok"]


def test_a_redirect_loop_is_broken(server):
    base, seen = server
    outcome = fetcher().check(f"{base}/loop")
    assert (outcome.ok, outcome.error) == (False, "重定向循环")
    assert len(seen) == 1


def test_endless_redirects_stop_at_the_bound(server):
    base, seen = server
    outcome = fetcher(max_redirects=3).check(f"{base}/chain/0")
    assert (outcome.ok, outcome.error) == (False, "重定向次数过多（超过 3 次）")
    assert len(seen) == 4


def test_a_refused_connection_is_broken():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = fetcher().check(f"http://127.0.0.1:{port}/")
    assert (outcome.ok, outcome.error) == (False, "连接被拒绝（对方服务器未开放）")


@pytest.mark.parametrize("url", ["http://[::1", "https://exa mple.gov.cn/"])
def test_a_malformed_address_is_broken_without_a_request(url):
    outcome = fetcher().check(url)
    assert (outcome.ok, outcome.error) == (False, "链接地址格式有误")


def test_private_addresses_are_refused_by_default(server):
    base, seen = server
    default = Fetcher(FetchPolicy(), Pacer(rate=1000, host_interval=0))
    for url in (f"{base}/ok", f"http://localhost:{base.rsplit(':', 1)[1]}/ok"):
        outcome = default.check(url)
        assert (outcome.ok, outcome.error) == (
            False,
            "链接指向内网或本机地址，公众无法访问（未连接）",
        )
    assert seen == []  # never connected


NOT_PUBLIC = [
    "10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0",  # noqa: S104 - an address refused, nothing binds
    "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "224.0.0.1",
]  # fmt: skip


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_the_default_policy_permits_no_private_loopback_or_link_local_address(address):
    assert FetchPolicy().permits(address) is False


def test_the_default_policy_permits_public_addresses():
    assert FetchPolicy().permits("202.108.22.5") is True
    assert FetchPolicy().permits("2400:da00::6666") is True


def test_a_redirect_to_the_intranet_is_refused_before_connecting(server):
    base, seen = server
    outcome = fetcher().check(f"{base}/to-intranet")
    assert outcome.error == "链接指向内网或本机地址，公众无法访问（未连接）"
    assert len(seen) == 1


def test_the_settings_name_the_networks_allowed(settings):
    settings.LINK_CHECK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    policy = FetchPolicy.from_settings(timeout=1.5)
    assert policy.permits("127.0.0.1") and not policy.permits("127.0.0.2")
    assert policy.timeout == 1.5


def test_the_pacer_keeps_the_rate_and_the_interval_per_host():
    now, slept = [0.0], []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(rate=4, host_interval=2, clock=lambda: now[0], sleep=sleep)
    for host in ["a.gov.cn", "b.gov.cn", "a.gov.cn"]:
        pacer.wait(host)
    # b waits the run's interval (1/4 s); the second a waits for its host's 2 s.
    assert slept == [0.25, 1.75]
    assert pacer.requests == 3


# --- a run ----------------------------------------------------------------------------------


@pytest.fixture
def site(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ALLOWED_HOSTS = ["gk.tongliang.gov.cn"]
    settings.PORTAL_BASE_URL = "https://gk.tongliang.gov.cn"
    settings.LINK_CHECK_ALLOWED_NETWORKS = list(LOCAL)


def external_rows(document):
    return {row.url: row for row in LinkCheck.objects.filter(document=document)}


def test_a_run_checks_at_most_its_limit_least_recently_checked_first(
    site, server, django_capture_on_commit_callbacks
):
    base, seen = server
    urls = [f"{base}/ok", f"{base}/missing/1", f"{base}/ok?2", f"{base}/ok?3"]
    with django_capture_on_commit_callbacks(execute=True):
        document = published(body="".join(f'<a href="{u}">{n}</a>' for n, u in enumerate(urls)))
        other = published(body=f'<a href="{urls[1]}">同一链接</a>')
    run = check_external(2, fetcher())
    assert (run.checked, run.broken) == (2, 1)
    assert run.requests == len(seen) == 3  # HEAD /ok; HEAD and GET /missing/1
    found = external_rows(document)
    assert found[urls[0]].ok is True
    assert (found[urls[1]].ok, found[urls[1]].status_code) == (False, 404)
    assert external_rows(other)[urls[1]].ok is False  # one fetch, every row of the URL
    assert found[urls[2]].checked_at is None and found[urls[3]].checked_at is None
    check_external(2, fetcher())
    assert {path for _m, path, _a in seen[3:]} == {"/ok?2", "/ok?3"}


def test_links_of_documents_the_public_cannot_see_are_not_fetched(
    site, server, django_capture_on_commit_callbacks
):
    base, seen = server
    with django_capture_on_commit_callbacks(execute=True):
        document = published(body=f'<a href="{base}/ok">链接</a>')
    from disclosure.documents.services import withdraw

    withdraw(document, SYSTEM, "已失效")
    DocumentFactory(body=f'<a href="{base}/ok?draft">草稿</a>')
    assert check_external(10, fetcher()).checked == 0
    assert seen == []


def test_the_command_checks_and_reports_in_chinese(
    site, server, django_capture_on_commit_callbacks, capsys
):
    base, seen = server
    with django_capture_on_commit_callbacks(execute=True):
        document = published(body=f'<a href="{base}/missing">坏</a><a href="/no/page/">本站</a>')
    call_command(
        "check_links", "--external", "--limit", "5", "--rate", "100", "--host-interval", "0"
    )
    out = capsys.readouterr().out
    assert "已检查 1 个外部链接（2 次请求），其中 1 个无法访问。" in out
    assert "目前公开文件中共有 2 个无法访问的链接。" in out
    assert external_rows(document)[f"{base}/missing"].error == "页面不存在（404）"


def test_the_command_refuses_a_limit_of_nothing(site):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--limit 必须大于 0"):
        call_command("check_links", "--limit", "0")
