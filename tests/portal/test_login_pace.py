"""The per-account slow-down for logins is no lockout: a guesser who spends each minute's one try
before the owner does must not keep the owner out of an account for as long as it keeps doing
so (``portal.login_guard``)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import login_guard

pytestmark = pytest.mark.django_db

OWNER_ADDRESS = "198.19.0.1"


def login_from(address, password):
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": "clerk", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )
    return response, client


def test_a_guesser_spending_every_minutes_try_does_not_keep_the_owner_out():
    get_user_model().objects.create_user("clerk", password="correct-horse-battery", is_staff=True)
    response, _client = login_from(OWNER_ADDRESS, "correct-horse-battery")
    assert response.status_code == 302  # the owner's usual address, known to the site
    for n in range(login_guard.ACCOUNT_FAILURES):
        login_from(f"203.0.{n}.9", "wrong-password")
    now = timezone.now()
    refused = 0
    for minute in range(1, 4):
        with time_machine.travel(now + timedelta(minutes=minute, seconds=1), tick=False):
            # Four addresses in two /24s: under axes's five per address and 50 per network.
            login_from(f"192.0.2.{minute}", "wrong-password")  # the guesser takes the minute
            response, client = login_from(OWNER_ADDRESS, "correct-horse-battery")
        refused += response.status_code != 302 or "_auth_user_id" not in client.session
    assert refused == 0
