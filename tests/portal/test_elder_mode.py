"""长辈版: a plain link switches it (a cookie, then back to the same page), it never redirects
off the site, and the public page cache keeps each mode to the visitors who asked for it."""

import pytest
from django.urls import reverse

from catalog.models import CatalogNode
from portal import elder_mode
from tests.factories import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = CatalogNode.objects.create(name="政务公开")
    return {"root": root, "column": CatalogNode.objects.create(name="通知公告", parent=root)}


@pytest.fixture
def document(tree):
    return published(title="关于开展城乡环境整治的通知", node=tree["column"])


SWITCH = reverse("elder-mode")


def is_elder(response):
    return '<html lang="zh-CN" class="elder">' in response.content.decode()


def test_every_public_page_links_to_the_switch_and_back_to_itself(client, tree, document):
    for url in (reverse("home"), reverse("catalog:tree"), document.get_absolute_url()):
        html = client.get(url).content.decode()
        assert f'href="{SWITCH}?on=1&amp;next={url.replace("/", "%2F")}"' in html
        assert ">长辈版</a>" in html


def test_the_switch_sets_the_cookie_and_goes_back(client, tree, document):
    url = document.get_absolute_url()
    response = client.get(SWITCH, {"on": "1", "next": url + "?fs=large"})
    assert response.status_code == 302
    assert response["Location"] == url + "?fs=large"
    cookie = response.cookies[elder_mode.COOKIE]
    assert cookie.value == "1" and cookie["httponly"] and cookie["max-age"] > 30 * 86400
    assert "no-store" in response["Cache-Control"]
    page = client.get(url)
    assert is_elder(page)
    assert ">退出长辈版</a>" in page.content.decode()

    off = client.get(SWITCH, {"on": "0", "next": url})
    assert off["Location"] == url and off.cookies[elder_mode.COOKIE].value == ""
    assert not is_elder(client.get(url))


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "",
    ],
)
def test_the_switch_never_leaves_the_site(client, next_url):
    response = client.get(SWITCH, {"on": "1", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_page_cache_keeps_each_mode_to_its_own_visitors(client, tree, document):
    url = document.get_absolute_url()
    # An elderly visitor fills the cache first ...
    client.cookies[elder_mode.COOKIE] = "1"
    assert is_elder(client.get(url))
    assert is_elder(client.get(url))  # (from the cache)
    # ... another visitor still gets the ordinary page, and the other way round.
    del client.cookies[elder_mode.COOKIE]
    ordinary = client.get(url)
    assert not is_elder(ordinary)
    assert "Cookie" in ordinary["Vary"]
    client.cookies[elder_mode.COOKIE] = "1"
    assert is_elder(client.get(url))
    client.cookies[elder_mode.COOKIE] = "0"
    assert not is_elder(client.get(url))


@pytest.mark.parametrize(
    "value, expected",
    [("/catalog/3/?page=2", "/catalog/3/?page=2"), ("/", "/"), (None, "/"), ("//x", "/")],
)
def test_same_site_path(value, expected):
    assert elder_mode.same_site_path(value) == expected
