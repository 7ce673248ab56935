"""Rows the portal caches (site settings, the calendar, the listing filters' choices) are
forgotten again once a change commits: a request that read the old rows before the commit may
have cached them."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction

from disclosure.documents.filters import CHOICES_CACHE_KEY, filter_choices
from disclosure.documents.models import Genre
from portal.models import SITE_SETTINGS_CACHE_KEY, CalendarDay, SiteSettings
from portal.page_cache import versioned
from portal.workdays import load_calendar

pytestmark = pytest.mark.django_db


def test_site_settings_cached_by_another_request_before_the_commit_are_forgotten_after_it(
    django_capture_on_commit_callbacks,
):
    SiteSettings.objects.create(site_name="旧名称")
    # The key another request, reading before the commit, keeps the old row under.
    seen_before = versioned(SITE_SETTINGS_CACHE_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            settings = SiteSettings.load()
            settings.site_name = "新名称"
            settings.save()
            cache.set(seen_before, SiteSettings(site_name="旧名称"))  # another request
    assert SiteSettings.load().site_name == "新名称"


def test_the_calendar_is_read_again_after_a_change(django_capture_on_commit_callbacks):
    day = date(2031, 10, 8)
    assert load_calendar().day(day) == (True, True)  # past the package's years: provisional
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(date=day, is_working_day=False)
    assert load_calendar().day(day) == (False, False)


def test_filter_choices_cached_by_another_request_before_the_commit_are_forgotten_after_it(
    django_capture_on_commit_callbacks,
):
    stale = filter_choices()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            Genre.objects.create(name="新体裁")
            cache.set(CHOICES_CACHE_KEY, stale)  # another request, reading before the commit
    assert "新体裁" in [name for _pk, name in filter_choices()["genre"]]
