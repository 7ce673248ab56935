"""The law's clock for one application (条例 Arts. 30-33, 国办函〔2020〕109号), in working days.

Nothing is stored per deadline: the due date is computed when read from the dates the steps
recorded, on ``portal.workdays``' calendar, so a holiday entered later moves it, and a date
counted by the weekend rule in a year not yet entered is marked 暂定.

- The answer is due 20 working days after the clock's start: the receipt date, or, after a
  补正, the day the supplement was received (Art. 30 restarts the clock).
- Days spent waiting for consulted parties (Arts. 32, 34) and for a fee (109号) do not count:
  each such working day moves the due date one working day on.
- One extension adds at most 20 working days (Art. 33).
"""

from dataclasses import dataclass

from django.utils import timezone

from disclosure.applications.models import (
    ANSWER_DAYS,
    CONFIRM_RECEIPT_DAYS,
    CONSULTATION_DAYS,
    NEARLY_DUE_DAYS,
    SUPPLEMENT_NOTICE_DAYS,
    Application,
)
from portal.workdays import (
    CalendarDate,
    WorkdayCount,
    add_working_days,
    load_calendar,
    working_days_between,
)


def today():
    return timezone.localdate()


def _paused_intervals(application, on):
    """(start, end) pairs of waiting time: consultations and an unpaid fee, up to ``on``."""
    intervals = [
        (c.sent_on, c.replied_on or on)
        for c in application.consultations.all()
        if c.sent_on is not None
    ]
    if application.fee_notice_on:
        intervals.append((application.fee_notice_on, application.fee_paid_on or on))
    return intervals


def _merged(intervals):
    merged = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def paused_working_days(application, on=None, calendar=None):
    """Working days the clock stood still (overlapping waits counted once)."""
    calendar = calendar or load_calendar()
    on = on or today()
    total, provisional = 0, False
    for start, end in _merged(_paused_intervals(application, on)):
        # Days in (start, end]: the day a request went out counts for the office, the day
        # the answer came back for the wait.
        count = working_days_between(start, end, calendar)
        total += count
        provisional = provisional or count.provisional
    return WorkdayCount.make(total, provisional)


def clock_start(application):
    """The day the 20 working days run from, or None while nothing has been received."""
    if application.supplement_requested_on:
        return application.supplement_received_on  # None while the 补正 is awaited
    return application.received_on


@dataclass(frozen=True)
class Clock:
    due_on: CalendarDate | None  # None: the clock is not running (not received, 补正 awaited)
    days_left: int | None  # working days from today to due_on; negative when overdue
    paused_days: int
    provisional: bool
    running: bool  # False while waiting for a supplement, a consulted party or a fee

    @property
    def overdue(self):
        return self.days_left is not None and self.days_left < 0

    @property
    def nearly_due(self):
        return self.days_left is not None and 0 <= self.days_left <= NEARLY_DUE_DAYS


def clock(application, on=None, calendar=None):
    """Where ``application``'s clock stands on ``on`` (today by default)."""
    calendar = calendar or load_calendar()
    on = on or today()
    start = clock_start(application)
    if start is None:
        return Clock(None, None, 0, False, False)
    paused = paused_working_days(application, on, calendar)
    due = add_working_days(start, ANSWER_DAYS + application.extension_days + paused, calendar)
    end = application.closed_on or on
    if end <= due:
        left = working_days_between(end, due, calendar)
    else:
        left = WorkdayCount.make(-working_days_between(due, end, calendar), False)
    running = application.status == Application.Status.IN_PROGRESS
    provisional = bool(due.provisional or paused.provisional or left.provisional)
    return Clock(due, int(left), int(paused), provisional, running)


def supplement_notice_deadline(application, calendar=None):
    """The last day a 补正 may be asked for: 7 working days after receipt (Art. 30)."""
    if application.received_on is None:
        return None
    return add_working_days(application.received_on, SUPPLEMENT_NOTICE_DAYS, calendar)


def consultation_due(sent_on, calendar=None):
    return add_working_days(sent_on, CONSULTATION_DAYS, calendar)


def confirmation_overdue(application, on=None, calendar=None):
    """An application waiting for 确认收到 longer than one working day is flagged."""
    if application.status != Application.Status.SUBMITTED:
        return False
    submitted = timezone.localtime(application.submitted_at).date()
    return (on or today()) > add_working_days(submitted, CONFIRM_RECEIPT_DAYS, calendar)


@dataclass(frozen=True)
class Flags:
    """The ids of open applications that need attention, as the list filter and dashboard show."""

    overdue: frozenset
    nearly_due: frozenset  # due within NEARLY_DUE_DAYS working days
    unconfirmed: frozenset  # waiting for 确认收到 longer than one working day


def flags(applications, on=None, calendar=None):
    """Flags of the open ones among ``applications`` (a queryset), computed from the calendar."""
    calendar = calendar or load_calendar()
    on = on or today()
    overdue, nearly_due, unconfirmed = set(), set(), set()
    for application in applications.open().prefetch_related("consultations"):
        if confirmation_overdue(application, on, calendar):
            unconfirmed.add(application.pk)
            continue
        state = clock(application, on, calendar)
        if state.overdue:
            overdue.add(application.pk)
        elif state.nearly_due:
            nearly_due.add(application.pk)
    return Flags(frozenset(overdue), frozenset(nearly_due), frozenset(unconfirmed))
