"""China's working-day calendar: the one place deadlines are counted.

Sources, in order: the CalendarDay table staff keep in the admin; the chinesecalendar package
(2004 through 2026); for any other date the weekend rule, marked provisional — unless a
HolidayNotice says the year has been entered. Nothing is stored per deadline: deadlines are
computed when read, so a holiday entered later moves every open deadline.
"""

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.core.cache import cache

OVERRIDES_CACHE_KEY = "portal:calendar-overrides"


class CalendarDate(date):
    """A date with ``provisional``: True when an unknown day was counted by the weekend rule."""

    provisional = False

    @classmethod
    def make(cls, value, provisional):
        result = cls(value.year, value.month, value.day)
        result.provisional = provisional
        return result


PROVISIONAL_MARK = "（暂定）"


def provisional_mark(*values):
    """ "（暂定）" when any of the given dates or counts is provisional, else ""."""
    return PROVISIONAL_MARK if any(getattr(v, "provisional", False) for v in values) else ""


class WorkdayCount(int):
    provisional = False

    @classmethod
    def make(cls, value, provisional):
        result = cls(value)
        result.provisional = provisional
        return result


@dataclass(frozen=True)
class Calendar:
    overrides: dict  # date -> is working day
    known_years: frozenset  # years entered by staff (HolidayNotice)

    def day(self, day):
        """(is working day, provisional)."""
        if day in self.overrides:
            return self.overrides[day], False
        try:
            return chinese_calendar.is_workday(day), False
        except NotImplementedError:
            # Past the package's years: the weekend rule, settled once staff entered the year.
            return day.weekday() < 5, day.year not in self.known_years


def load_calendar():
    """The staff-kept part of the calendar, cached under the public version, which each change
    of a CalendarDay or HolidayNotice changes (deadlines show on public pages too)."""
    from portal.page_cache import versioned  # it imports models, and models import this module

    key = versioned(OVERRIDES_CACHE_KEY)
    data = cache.get(key)
    if data is None:
        from portal.models import CalendarDay, HolidayNotice

        data = (
            dict(CalendarDay.objects.values_list("date", "is_working_day")),
            frozenset(HolidayNotice.objects.values_list("year", flat=True)),
        )
        cache.set(key, data, 3600)
    return Calendar(*data)


def forget_calendar(**kwargs):
    """Reads the calendar again at the next call (a change does it by itself)."""
    from portal.page_cache import versioned

    cache.delete(versioned(OVERRIDES_CACHE_KEY))


def is_working_day(day, calendar=None):
    return (calendar or load_calendar()).day(day)[0]


def is_provisional(day, calendar=None):
    return (calendar or load_calendar()).day(day)[1]


def next_working_day(day, calendar=None):
    """``day`` itself when it is a working day, else the next one (a CalendarDate)."""
    calendar = calendar or load_calendar()
    provisional = False
    while True:
        working, unsure = calendar.day(day)
        provisional = provisional or unsure
        if working:
            return CalendarDate.make(day, provisional)
        day += timedelta(days=1)


def add_working_days(start, n, calendar=None):
    """The n-th working day after ``start`` (``start`` itself does not count)."""
    if n < 0:
        raise ValueError("n must not be negative")
    calendar = calendar or load_calendar()
    day, counted, provisional = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        working, unsure = calendar.day(day)
        provisional = provisional or unsure
        counted += working
    return CalendarDate.make(day, provisional)


def working_days_between(start, end, calendar=None):
    """Working days in (start, end]: add_working_days(start, n) == end gives n. 0 if end <= start."""
    calendar = calendar or load_calendar()
    count, provisional, day = 0, False, start
    while day < end:
        day += timedelta(days=1)
        working, unsure = calendar.day(day)
        provisional = provisional or unsure
        count += working
    return WorkdayCount.make(count, provisional)


class WorkdayIndex:
    """Fast working_days_between for many pairs within [first, last]: prefix sums of working days."""

    def __init__(self, first, last, calendar=None):
        calendar = calendar or load_calendar()
        self.first = first
        self.cumulative = [0]
        self.unsure = [0]
        day = first
        while day <= last:
            working, unsure = calendar.day(day)
            self.cumulative.append(self.cumulative[-1] + working)
            self.unsure.append(self.unsure[-1] + unsure)
            day += timedelta(days=1)

    def _index(self, day):
        return (day - self.first).days + 1

    def between(self, start, end):
        if end <= start:
            return WorkdayCount.make(0, False)
        if start < self.first - timedelta(days=1) or self._index(end) >= len(self.cumulative):
            raise ValueError(f"{start}–{end} lies outside the index")
        a, b = self._index(start), self._index(end)
        return WorkdayCount.make(
            self.cumulative[b] - self.cumulative[a], self.unsure[b] > self.unsure[a]
        )


def add_months(start, months):
    """民法典 Art. 202: the corresponding day of the month ``months`` later, or that month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = month_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def statutory_deadline(start, months, calendar=None):
    """A period of months counted as 民法典 Arts. 201-203 count it: from the day after ``start``,
    ending on the corresponding day (Art. 202), moved to the next working day when that is a
    rest day (Art. 203)."""
    return next_working_day(add_months(start, months), calendar)
