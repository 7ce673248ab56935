"""Every key the login guard counts fits the limiter's column (``RateLimit.key``, 100
characters): usernames may have 150 (``account_key`` keeps 150, and casefolding can lengthen
them), and a known client's key is the account and the client together. On PostgreSQL a longer
key makes the counting statement fail: a wrong password under a long name answers 500 and is
never counted, and an owner with a long name signing in from IPv6 gets 500 after being signed
in, and never becomes known."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from portal.models import RateLimit

pytestmark = pytest.mark.django_db

KEY_LENGTH = RateLimit._meta.get_field("key").max_length
PASSWORD = "correct-horse-battery"


def sign_in(username, password, address):
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )
    return response, client


def test_a_wrong_password_under_a_long_name_is_counted_within_the_column():
    response, _client = sign_in("w" * 140, "wrong-password", "203.0.113.9")
    assert response.status_code == 200  # the form again, with its error
    keys = list(RateLimit.objects.values_list("key", flat=True))
    assert keys  # the failure was counted (network and account)
    assert max(len(key) for key in keys) <= KEY_LENGTH, keys


def test_an_owner_with_a_long_name_signing_in_from_ipv6_becomes_known_within_the_column():
    name = "district.office." + "k" * 70  # 86 characters: a valid username
    get_user_model().objects.create_user(name, password=PASSWORD, is_staff=True)
    response, client = sign_in(name, PASSWORD, "2001:db8:1:2::7")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    keys = list(RateLimit.objects.values_list("key", flat=True))
    assert keys  # the client is remembered
    assert max(len(key) for key in keys) <= KEY_LENGTH, keys
