from datetime import date, timedelta

import pytest
from django.template import Context, Template
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.models import CalendarDay, HolidayNotice
from portal.workdays import (
    Calendar,
    WorkdayIndex,
    add_working_days,
    is_working_day,
    next_working_day,
    provisional_mark,
    working_days_between,
)

pytestmark = pytest.mark.django_db


def test_national_day_week_is_skipped_and_the_adjusted_saturday_is_worked():
    result = add_working_days(date(2025, 9, 26), 20)
    assert result == date(2025, 10, 30)
    assert not result.provisional
    assert is_working_day(date(2025, 10, 11))  # Saturday, worked (调休)
    assert not is_working_day(date(2025, 10, 3))


def test_an_adjusted_sunday_is_a_working_day():
    assert is_working_day(date(2026, 9, 20))


def test_deadlines_into_an_unknown_year_are_provisional_until_staff_enter_it():
    start = date(2026, 12, 20)
    before = add_working_days(start, 20)
    assert before.provisional
    assert before == date(2027, 1, 15)  # 9 working days left in 2026, then weekdays

    notice = HolidayNotice.objects.create(
        year=2027, title="国务院办公厅关于2027年部分节假日安排的通知"
    )
    for day in [date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 5)]:
        CalendarDay.objects.create(date=day, is_working_day=False, note="元旦", notice=notice)
    after = add_working_days(start, 20)
    assert not after.provisional
    assert after == date(2027, 1, 20)  # moved by the three holidays


def test_a_staff_entry_overrides_the_package():
    assert is_working_day(date(2026, 6, 3))
    CalendarDay.objects.create(date=date(2026, 6, 3), is_working_day=False, note="临时放假")
    assert not is_working_day(date(2026, 6, 3))


def test_next_working_day_after_qingming():
    assert next_working_day(date(2026, 4, 4)) == date(2026, 4, 7)
    assert next_working_day(date(2026, 4, 7)) == date(2026, 4, 7)


def test_working_days_between_counts_the_half_open_interval():
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 30)) == 20
    assert working_days_between(date(2025, 10, 30), date(2025, 9, 26)) == 0
    assert working_days_between(date(2025, 9, 26), date(2025, 9, 26)) == 0


CALENDAR = Calendar(overrides={}, known_years=frozenset())
days = st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(min_value=0, max_value=120))
def test_adding_then_counting_back_gives_n(start, n):
    end = add_working_days(start, n, calendar=CALENDAR)
    assert working_days_between(start, end, calendar=CALENDAR) == n


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=120))
def test_the_result_is_always_a_working_day(start, n):
    end = add_working_days(start, n, calendar=CALENDAR)
    assert CALENDAR.day(end)[0]


INDEX = WorkdayIndex(date(2003, 12, 1), date(2029, 1, 31), calendar=CALENDAR)


@settings(max_examples=100, deadline=None)
@given(a=days, b=days)
def test_the_index_agrees_with_counting(a, b):
    assert INDEX.between(a, b) == working_days_between(a, b, calendar=CALENDAR)
    assert (
        INDEX.between(a, b).provisional == working_days_between(a, b, calendar=CALENDAR).provisional
    )


def test_dates_far_outside_the_package_use_the_weekend_rule():
    saturday = date(2030, 6, 1)
    assert not CALENDAR.day(saturday)[0] and CALENDAR.day(saturday)[1]
    assert CALENDAR.day(saturday + timedelta(days=2)) == (True, True)


def test_entering_a_notice_for_a_year_the_package_knows_changes_nothing():
    HolidayNotice.objects.create(year=2025, title="国务院办公厅关于2025年部分节假日安排的通知")
    assert not is_working_day(date(2025, 10, 1))
    assert add_working_days(date(2025, 9, 26), 20) == date(2025, 10, 30)


def test_the_index_refuses_dates_it_does_not_cover():
    with pytest.raises(ValueError):
        INDEX.between(date(2003, 1, 1), date(2004, 1, 1))


def test_a_provisional_date_or_count_is_marked_and_a_settled_one_is_not():
    settled = add_working_days(date(2025, 9, 26), 20)
    unknown = add_working_days(date(2099, 1, 5), 3)  # past the package: the weekend rule
    assert unknown.provisional and not settled.provisional
    assert provisional_mark(settled) == ""
    assert provisional_mark(unknown) == "（暂定）"
    assert provisional_mark(settled, unknown) == "（暂定）"
    assert provisional_mark(date(2025, 1, 2), None) == ""
    rendered = Template("{% load workdays %}{{ d|provisional_mark }}|{{ s|provisional_mark }}")
    assert rendered.render(Context({"d": unknown, "s": settled})) == "（暂定）|"
