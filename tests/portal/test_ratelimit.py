"""The portal's one limiter: counts per key and period, kept where no cache entry can evict them."""

import threading

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from portal import ratelimit
from portal.models import RateLimit as Counter
from portal.ratelimit import Limited, RateLimit, take_each

pytestmark = pytest.mark.django_db

THREE_A_MINUTE = RateLimit("test:three", 3, 60)


@pytest.fixture
def clock():
    """Time that stands still until a test moves it (``clock.shift(seconds)``)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_a_key_takes_its_limit_then_is_refused_until_its_period_is_over(clock):
    for _ in range(3):
        THREE_A_MINUTE.take("203.0.113.7")
    clock.shift(20)
    with pytest.raises(Limited) as refused:
        THREE_A_MINUTE.take("203.0.113.7")
    assert refused.value.retry_after == 40 and refused.value.minutes == 1
    clock.shift(40)
    THREE_A_MINUTE.take("203.0.113.7")  # a new period
    assert Counter.objects.get(scope="test:three", key="203.0.113.7").count == 1


def test_keys_and_limits_are_counted_apart(clock):
    other_limit = RateLimit("test:other", 1, 60)
    for _ in range(3):
        THREE_A_MINUTE.take("203.0.113.7")
    THREE_A_MINUTE.take("203.0.113.8")
    other_limit.take("203.0.113.7")
    with pytest.raises(Limited):
        other_limit.take("203.0.113.7")


def test_a_slot_given_back_can_be_taken_again_and_is_given_back_once(clock):
    slots = [THREE_A_MINUTE.take("k") for _ in range(3)]
    slots[0].give_back()
    slots[0].give_back()  # twice: still one slot
    THREE_A_MINUTE.take("k")
    with pytest.raises(Limited):
        THREE_A_MINUTE.take("k")


def test_one_at_a_time_frees_when_its_holder_finishes_not_at_the_end_of_a_period(clock):
    running = RateLimit("test:running", 1, 600)
    first = running.take("user:1")
    clock.shift(590)
    first.give_back()
    second = running.take("user:1")  # a period of its own: held for 600 s from now
    clock.shift(20)
    with pytest.raises(Limited) as refused:
        running.take("user:1")
    assert refused.value.retry_after == 580
    second.give_back()
    running.take("user:1")


def test_a_limit_read_from_the_settings_follows_them(clock, settings):
    settings.APPLICATIONS_PER_HOUR = 1
    limit = RateLimit("test:settings", lambda: settings.APPLICATIONS_PER_HOUR, 3600)
    limit.take("k")
    with pytest.raises(Limited):
        limit.take("k")
    settings.APPLICATIONS_PER_HOUR = 2
    limit.take("k")


def test_a_count_survives_a_cache_filled_with_pages(clock, flood_caches):
    for _ in range(3):
        THREE_A_MINUTE.take("2001:db8:1:2::/64")
    flood_caches()
    for alias in ("default", "shared"):
        caches[alias].clear()
    with pytest.raises(Limited):
        THREE_A_MINUTE.take("2001:db8:1:2::/64")


def test_taking_costs_one_query_a_refusal_two_and_a_purge_one_more(
    clock, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the count, and the first purge of this process
        ratelimit.purge_expired(force=True)
        THREE_A_MINUTE.take("k")
    for _ in range(2):
        with django_assert_num_queries(1):
            slot = THREE_A_MINUTE.take("k")
    with django_assert_num_queries(2):
        with pytest.raises(Limited):
            THREE_A_MINUTE.take("k")
    with django_assert_num_queries(1):
        slot.give_back()


def test_rows_whose_period_is_over_are_purged_and_running_ones_kept(clock):
    for n in range(50):
        THREE_A_MINUTE.take(f"198.51.100.{n}")
    clock.shift(30)
    RateLimit("test:long", 1, 3600).take("k")
    clock.shift(31)
    assert Counter.objects.count() == 51
    assert ratelimit.purge_expired(force=True) == 50
    assert list(Counter.objects.values_list("scope", flat=True)) == ["test:long"]


def test_a_new_period_purges_at_most_every_purge_interval(clock, monkeypatch):
    monkeypatch.setattr(ratelimit, "_next_purge", 0.0)
    THREE_A_MINUTE.take("a")
    clock.shift(61)
    THREE_A_MINUTE.take("b")  # within PURGE_SECONDS of the last purge: "a" stays
    assert Counter.objects.filter(key="a").exists()
    monkeypatch.setattr(ratelimit, "_next_purge", 0.0)
    THREE_A_MINUTE.take("c")
    assert sorted(Counter.objects.values_list("key", flat=True)) == ["b", "c"]


# SQLite runs one writing statement at a time, so the upsert is atomic there by construction; its
# in-memory test database refuses concurrent writers ("table is locked") instead of queueing them.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_take_more_than_the_limit():
    limit = RateLimit("test:race", 5, 3600)
    start = threading.Barrier(16)
    taken, refused = [], []

    def request():
        try:
            start.wait()
            limit.take("2001:db8::/64")
            taken.append(1)
        except Limited:
            refused.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(taken), len(refused)) == (5, 11)
    assert Counter.objects.get(scope="test:race").count == 5


def test_slots_taken_together_are_all_or_none(db):
    first, second = RateLimit("test:a", 5, 60), RateLimit("test:b", 1, 60)
    second.take("k")
    with pytest.raises(Limited):
        take_each((first, "k"), (second, "k"))
    assert first.exhausted("k") is None
    slots = take_each((first, "k"), (RateLimit("test:c", 1, 60), "k"))
    slots.give_back()
    assert take_each((first, "k"), (RateLimit("test:c", 1, 60), "k"))


def test_an_exhausted_key_says_how_long_until_it_may_act(db):
    limit = RateLimit("test:d", 2, 60)
    assert limit.exhausted("k") is None
    limit.take("k")
    assert limit.exhausted("k") is None
    limit.take("k")
    assert 0 < limit.exhausted("k") <= 60
