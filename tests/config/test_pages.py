import pytest
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_public_pages_carry_a_content_security_policy(client):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src http://testserver/static/" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_the_admin_is_left_to_its_own_policy(client):
    assert "Content-Security-Policy" not in client.get(reverse("admin:login"))


def test_the_500_page_renders_without_the_database():
    # Django renders 500.html with an empty context: no request, no site settings.
    html = get_template("500.html").template.render(Context())
    assert "系统暂时出现故障" in html and "政务公开门户" in html


def test_the_site_has_a_favicon(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
    html = client.get(reverse("home")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html


def test_the_home_page_has_one_search_box_and_names_the_site_once(client):
    html = client.get(reverse("home")).content.decode()
    assert html.count('role="search"') == 1
    assert html.count("<h1") == 1
    assert '<h1 class="site-name">' in html


@pytest.mark.parametrize("language", ["en", "en-US,en;q=0.9", "fr", "zh-tw"])
def test_pages_are_chinese_whatever_language_the_browser_asks_for(client, language):
    headers = {"accept-language": language}
    home = client.get(reverse("home"), headers=headers)
    assert "首页" in home.content.decode()
    assert "Accept-Language" not in home.get("Vary", "")
    login = client.get(reverse("admin:login"), headers=headers).content.decode()
    assert "用户名" in login and "Username" not in login
