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
