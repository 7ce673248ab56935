"""The law's clock on real dates, counted by hand from the State Council's holiday notices.

2026: 春节 2月15日至23日 off, 2月14日 and 2月28日 (Saturdays) worked; 清明 4月4日至6日;
端午 6月19日至21日; 国庆 10月1日至7日 off, 9月20日 (Sunday) and 10月10日 (Saturday) worked.
"""

from datetime import date, datetime

import pytest
from django.utils import timezone

from disclosure.applications import services
from disclosure.applications.clock import (
    clock,
    confirmation_overdue,
    supplement_notice_deadline,
)
from disclosure.applications.models import Application, Consultation
from portal.actors import SYSTEM
from portal.models import CalendarDay, HolidayNotice
from portal.workdays import add_working_days, forget_calendar, provisional_mark
from tests.disclosure.applications.helpers import give_information
from tests.factories import ApplicationFactory
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db


def test_receipt_on_a_saturday_that_is_a_working_day():
    # 2026-02-28 is a Saturday worked in exchange for the Spring Festival: it counts as a
    # working day, so the 7 days for a 补正 and the 20 days for the answer run from it.
    application = ApplicationFactory(received_on=date(2026, 2, 28))
    assert supplement_notice_deadline(application) == date(2026, 3, 10)
    state = clock(application, on=date(2026, 3, 2))
    # 3月2日-6日 (5), 9日-13日 (10), 16日-20日 (15), 23日-27日 (20)
    assert state.due_on == date(2026, 3, 27)
    assert state.days_left == 19
    assert not state.provisional


def test_online_application_unconfirmed_after_a_working_day_is_flagged():
    # Submitted Friday 2026-02-27; the Saturday after is a working day, so by Monday 3月2日
    # more than one working day has passed.
    application = ApplicationFactory(
        channel=Application.Channel.ONLINE,
        status=Application.Status.SUBMITTED,
        received_on=None,
        submitted_at=timezone.make_aware(datetime(2026, 2, 27, 16, 0)),
    )
    assert not confirmation_overdue(application, on=date(2026, 2, 28))
    assert confirmation_overdue(application, on=date(2026, 3, 2))
    assert clock(application, on=date(2026, 3, 2)).due_on is None


def test_receipt_before_national_day_is_due_after_the_holiday():
    application = ApplicationFactory(received_on=date(2026, 9, 30))
    # 10月8日 (1), 9日 (2), 10日 Saturday worked (3), 12日-16日 (8), 19日-23日 (13),
    # 26日-30日 (18), 11月2日 (19), 3日 (20)
    assert clock(application, on=date(2026, 10, 1)).due_on == date(2026, 11, 3)


def test_supplement_answered_ten_days_later_restarts_the_clock():
    application = ApplicationFactory(received_on=date(2026, 3, 2))
    with on_day(date(2026, 3, 4)):
        services.request_supplement(
            application, SYSTEM, "请写明所需信息的年份和具体项目。", date(2026, 3, 20)
        )
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT
    assert clock(application, on=date(2026, 3, 10)).due_on is None  # stopped while waiting
    with on_day(date(2026, 3, 16)):
        services.receive_supplement(
            application, SYSTEM, "补正：2025年的清单。", on=date(2026, 3, 14)
        )
    application.refresh_from_db()
    # From 3月14日: 16日-20日 (5), 23日-27日 (10), 30日-4月3日 (15), 清明 4日-6日 off,
    # 4月7日-10日 (19), 13日 (20). Without the restart it would have been 3月30日.
    assert clock(application, on=date(2026, 3, 16)).due_on == date(2026, 4, 13)


def test_twelve_working_days_of_consultation_move_the_due_date_by_twelve():
    application = ApplicationFactory(received_on=date(2026, 6, 1))
    # 6月2日-5日 (4), 8日-12日 (9), 15日-18日 (13), 端午 19日 off, 22日-26日 (18), 29日-30日 (20)
    before = clock(application, on=date(2026, 6, 2)).due_on
    assert before == date(2026, 6, 30)
    with on_day(date(2026, 6, 3)):
        services.start_consultation(
            application, SYSTEM, Consultation.Party.THIRD_PARTY, "重庆某建设有限公司"
        )
    # Replied 12 working days later: 6月4日,5日,8日-12日,15日-18日,22日.
    with on_day(date(2026, 6, 22)):
        services.end_consultation(application, SYSTEM, "不同意公开报价明细。")
    application.refresh_from_db()
    state = clock(application, on=date(2026, 6, 23))
    assert state.paused_days == 12
    assert state.due_on == add_working_days(before, 12) == date(2026, 7, 16)


def test_consultation_still_open_keeps_the_clock_standing():
    application = ApplicationFactory(received_on=date(2026, 6, 1))
    with on_day(date(2026, 6, 3)):
        services.start_consultation(application, SYSTEM, Consultation.Party.AGENCY, "区财政局")
    application.refresh_from_db()
    # On 6月10日, five working days (4日,5日,8日,9日,10日) have been waited.
    state = clock(application, on=date(2026, 6, 10))
    assert state.paused_days == 5
    assert not state.running


def test_an_extension_adds_twenty_working_days_once():
    application = ApplicationFactory(received_on=date(2026, 6, 1))
    with on_day(date(2026, 6, 25)):
        services.extend(application, SYSTEM, 20, "需要调取档案并逐页审查", "李主任")
    application.refresh_from_db()
    # 6月30日 + 20: 7月1日-3日 (3), 6日-10日 (8), 13日-17日 (13), 20日-24日 (18), 27日-28日 (20)
    assert clock(application, on=date(2026, 6, 25)).due_on == date(2026, 7, 28)
    with on_day(date(2026, 6, 26)):
        with pytest.raises(services.ApplicationError, match="只能延长一次"):
            services.extend(application, SYSTEM, 5, "再延", "李主任")


def test_an_extension_is_refused_beyond_twenty_days_and_without_approval():
    application = ApplicationFactory(received_on=date(2026, 6, 1))
    with on_day(date(2026, 6, 10)):
        with pytest.raises(services.ApplicationError, match="1至20个工作日"):
            services.extend(application, SYSTEM, 21, "复杂", "李主任")
        with pytest.raises(services.ApplicationError, match="批准人"):
            services.extend(application, SYSTEM, 10, "复杂", " ")
    application.refresh_from_db()
    assert application.extension_days == 0


def test_a_december_receipt_is_provisional_until_next_years_holidays_are_entered():
    forget_calendar()
    application = ApplicationFactory(received_on=date(2026, 12, 15))
    # 12月16日-18日 (3), 21日-25日 (8), 28日-31日 (12); 2027 is not entered, so by the weekend
    # rule 1月1日 counts (13), 4日-8日 (18), 11日-12日 (20): 暂定.
    state = clock(application, on=date(2026, 12, 16))
    assert state.due_on == date(2027, 1, 12)
    assert state.provisional
    assert provisional_mark(state.due_on) == "（暂定）"

    notice = HolidayNotice.objects.create(
        year=2027, title="国务院办公厅关于2027年部分节假日安排的通知"
    )
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, notice=notice)
    forget_calendar()
    state = clock(application, on=date(2026, 12, 16))
    assert state.due_on == date(2027, 1, 13)
    assert not state.provisional
    assert provisional_mark(state.due_on) == ""


def test_supplement_is_refused_after_seven_working_days_and_only_once():
    # Received Monday 3月2日: the seventh working day after is 3月11日.
    application = ApplicationFactory(received_on=date(2026, 3, 2))
    with on_day(date(2026, 3, 12)):
        with pytest.raises(services.ApplicationError, match="7个工作日内"):
            services.request_supplement(application, SYSTEM, "补充", date(2026, 3, 30))
    with on_day(date(2026, 3, 11)):
        services.request_supplement(application, SYSTEM, "补充", date(2026, 3, 30))
        services.receive_supplement(
            application, SYSTEM, "补正：2025年的清单。", on=date(2026, 3, 11)
        )
        with pytest.raises(services.ApplicationError):
            services.request_supplement(application, SYSTEM, "再补充", date(2026, 3, 30))


def test_missing_the_supplement_deadline_closes_as_no_supplement():
    application = ApplicationFactory(received_on=date(2026, 3, 2))
    with on_day(date(2026, 3, 3)):
        services.request_supplement(application, SYSTEM, "补充", date(2026, 3, 20))
    with on_day(date(2026, 3, 20)):
        with pytest.raises(services.ApplicationError, match="尚未届满"):
            services.close_unsupplemented(application, SYSTEM)
    with on_day(date(2026, 3, 23)):
        services.close_unsupplemented(application, SYSTEM)
    application.refresh_from_db()
    assert application.status == Application.Status.CLOSED
    assert application.result == Application.Result.OTHER
    assert application.reason == Application.Reason.NO_SUPPLEMENT
    assert application.closed_on == date(2026, 3, 23)


def test_answer_after_the_due_date_shows_as_late():
    application = ApplicationFactory(received_on=date(2026, 6, 1))
    with on_day(date(2026, 7, 2)):
        give_information(application)
        services.answer(application, SYSTEM, Application.Result.DISCLOSED)
    application.refresh_from_db()
    state = clock(application, on=date(2026, 8, 1))
    assert state.due_on == date(2026, 6, 30)
    assert state.days_left == -2 and state.overdue
