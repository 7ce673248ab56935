import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import authenticate, get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal import audit, login_guard
from portal.models import AuditEvent, LoginFailureCounter
from portal.signals import record_failed_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _start_of_a_counting_period():
    # Failures are summarised per 15-minute period: each test starts at one's beginning, so that
    # a run crossing a boundary of the wall clock never splits its counts.
    with time_machine.travel(datetime(2026, 1, 5, 2, 0, 1, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user(
        "clerk", password="correct-horse-battery", is_staff=True
    )


def login(client, password):
    return client.post(
        reverse("admin:login"),
        {"username": "clerk", "password": password, "next": "/admin/"},
        REMOTE_ADDR="198.51.100.7",
    )


def test_repeated_failures_lock_the_account_from_that_address(client, clerk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong-password")
    response = login(client, "correct-horse-battery")
    assert response.status_code == 429
    assert "账号已被暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_login_works_and_the_session_expires_after_30_idle_minutes(client, clerk):
    response = login(client, "correct-horse-battery")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(clerk.pk)
    assert client.session.get_expiry_age() == 30 * 60
    response = client.get(reverse("admin:index"))
    assert response.cookies["sessionid"]["max-age"] in (
        "",
        1800,
    )  # browser-session cookie, 30-minute server expiry
    assert client.session.get_expire_at_browser_close()


def test_weak_staff_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["12345678", "password1", "clerk2024"]:
        with pytest.raises(ValidationError):
            validate_password(weak, get_user_model()(username="clerk2024"))


def test_a_thousand_failed_logins_for_unknown_names_add_only_a_few_audit_events():
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="203.0.113.66")
    assert authenticate(request, username="nobody", password="guess-123456") is None
    for i in range(999):  # as Django reports them, without the cost of hashing each password
        name = f"nobody-{random.getrandbits(48):x}-{i}"
        record_failed_login(sender=None, credentials={"username": name}, request=request)
    assert AuditEvent.objects.filter(action="login_failed").count() <= 2
    counter = LoginFailureCounter.objects.get(scope="address", key="203.0.113.66")
    assert counter.count == 1000
    assert not LoginFailureCounter.objects.filter(scope="account").exists()
    assert audit.verify_chain() is None


def test_failures_on_a_locked_account_are_counted_not_logged_one_by_one(client, clerk):
    for _ in range(30):
        login(client, "wrong-password")
    assert AuditEvent.objects.filter(action="login_failed").count() == 1
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor_name == "clerk" and event.ip == "198.51.100.7"
    assert event.details["counters"] == ["address", "account"]
    counts = dict(LoginFailureCounter.objects.values_list("scope", "count"))
    assert counts == {"address": 30, "account": 30}


def test_a_period_that_is_over_is_summarised_with_its_count(client, clerk):
    for _ in range(3):
        login(client, "wrong-password")
    later = timezone.now() + audit.LOGIN_FAILURE_PERIOD
    with time_machine.travel(later, tick=False):
        login(client, "wrong-password")

    summaries = AuditEvent.objects.filter(action="login_failed", details__has_key="summary")
    assert sorted((e.details["summary"], e.details["count"]) for e in summaries) == [
        ("account", 3),
        ("address", 3),
    ]
    assert LoginFailureCounter.objects.filter(closed=False).count() == 2  # the new period's
    assert audit.verify_chain() is None


def test_failures_from_many_addresses_add_one_event_and_one_summary_per_period():
    for i in range(2, 32):
        request = RequestFactory().post("/admin/login/", REMOTE_ADDR=f"127.0.0.{i}")
        record_failed_login(
            sender=None, credentials={"username": f"nosuchuser{i}"}, request=request
        )
    for i in range(20):  # one IPv6 client holds a whole /64
        request = RequestFactory().post("/admin/login/", REMOTE_ADDR=f"2001:db8:0:1::{i + 1:x}")
        record_failed_login(sender=None, credentials={"username": "x"}, request=request)
    assert AuditEvent.objects.filter(action="login_failed").count() == 1
    assert LoginFailureCounter.objects.filter(scope="address").count() == 31
    assert LoginFailureCounter.objects.get(key="2001:db8:0:1::/64").count == 20

    later = timezone.now() + audit.LOGIN_FAILURE_PERIOD
    with time_machine.travel(later, tick=False):
        audit.close_login_failure_counters(before=audit.login_failure_period(later))
    (summary,) = AuditEvent.objects.filter(action="login_failed", details__has_key="summary")
    assert summary.details["addresses"] == 31 and summary.details["count"] == 50
    assert summary.details["busiest"][0] == ["2001:db8:0:1::/64", 20]
    assert audit.verify_chain() is None


def login_from(client, address, password):
    return client.post(
        reverse("admin:login"),
        {"username": "clerk", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_guesses_from_addresses_rotated_inside_one_ipv6_network_lock_the_account(client, clerk):
    for n in range(60):
        login_from(client, f"2001:db8:9:9:{n:x}::{n + 1:x}", "wrong-password")
    right = login_from(client, "2001:db8:9:9:ffff::1", "correct-horse-battery")
    assert right.status_code == 429
    assert "账号已被暂时锁定" in right.content.decode()
    assert "_auth_user_id" not in client.session
    # Axes keeps the network's first address; the audit log and its counter the real ones.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"2001:db8:9:9::"}
    event = AuditEvent.objects.get(action="login_failed")
    assert event.ip == "2001:db8:9:9::1"
    counter = LoginFailureCounter.objects.get(scope="address")
    assert counter.key == "2001:db8:9:9::/64" and counter.count == 61  # the refused one too
    assert counter.last_ip == "2001:db8:9:9:ffff::1"
    # The same account from another network is not locked (the guesses' /48 is: see below).
    elsewhere = login_from(Client(), "2001:db8:77:a::1", "correct-horse-battery")
    assert elsewhere.status_code == 302


def test_guesses_spread_over_the_64s_of_one_48_stop_every_login_from_that_48(client, clerk):
    for n in range(40):  # four tries per /64, under axes's five
        for _ in range(4):
            login_from(client, f"2001:db8:5:{n:x}::1", "wrong-password")
    assert AccessAttempt.objects.filter(failures_since_start__gte=5).count() == 0
    right = login_from(Client(), "2001:db8:5:ffff::1", "correct-horse-battery")
    assert right.status_code == 200 and "_auth_user_id" not in right.client.session
    # The account itself is slowed to a try a minute (see below); after it, from another /48:
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        other_network = login_from(Client(), "2001:db8:6::1", "correct-horse-battery")
    assert other_network.status_code == 302


def test_guesses_for_one_account_from_many_networks_slow_it_to_one_try_a_minute(client, clerk):
    for n in range(login_guard.ACCOUNT_FAILURES):
        login_from(client, f"203.0.{n}.9", "wrong-password")
    guesser = login_from(Client(), "198.18.0.1", "wrong-password")  # the minute's one try
    assert guesser.status_code == 200
    owner = login_from(Client(), "198.19.0.1", "correct-horse-battery")
    assert owner.status_code == 200 and "_auth_user_id" not in owner.client.session
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        owner = login_from(Client(), "198.19.0.1", "correct-horse-battery")
    assert owner.status_code == 302


def test_an_ipv4_mapped_address_is_locked_as_its_ipv4_address(client, clerk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_from(client, "::ffff:198.51.100.20", "wrong-password")
    assert login_from(client, "198.51.100.20", "correct-horse-battery").status_code == 429
