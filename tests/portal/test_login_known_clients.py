"""A client the owner signs in from stays known for KNOWN_DAYS after the *last* sign-in from it
(``portal.login_guard``): an owner who signs in from the office every week must not fall out of
being known on a fixed day, when a guesser holding the account's slow-down would keep them out
for as long as it likes (they could not sign in to become known again)."""

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
PASSWORD = "correct-horse-battery"


def login_from(address, password):
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": "clerk", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_an_owner_signing_in_every_week_stays_known_while_a_guesser_spends_each_minute():
    get_user_model().objects.create_user("clerk", password=PASSWORD, is_staff=True)
    start = timezone.now()
    # The owner signs in from the office every week for longer than KNOWN_DAYS.
    last_week = login_guard.KNOWN_DAYS // 7  # 12: day 84, the last sign-in before the attack
    for week in range(0, last_week + 1):
        with time_machine.travel(start + timedelta(weeks=week), tick=False):
            assert login_from(OWNER_ADDRESS, PASSWORD), week
    attack = start + timedelta(weeks=last_week, days=7)  # day 91, a week after the last sign-in
    with time_machine.travel(attack, tick=False):
        for n in range(login_guard.ACCOUNT_FAILURES):
            login_from(f"203.0.{n}.9", "wrong-password")
    refused = 0
    for minute in range(1, 4):
        with time_machine.travel(attack + timedelta(minutes=minute, seconds=1), tick=False):
            login_from(f"192.0.2.{minute}", "wrong-password")  # the guesser takes the minute
            refused += not login_from(OWNER_ADDRESS, PASSWORD)
    # The owner signed in from this address a week ago: known, so spared the slow-down.
    assert refused == 0
