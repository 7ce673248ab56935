"""Reply deadlines counted from the calendar, shown to staff, and overdue proposals reported."""

from datetime import date

import pytest
from django.urls import reverse

from disclosure.reports.compliance import build_report
from tests.factories import ProposalFactory, ProposalReplyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "assigned, complex_, deadline",
    [
        (date(2026, 1, 4), False, date(2026, 4, 7)),  # 4-4 falls in 清明: next working day
        (
            date(2025, 11, 30),
            False,
            date(2026, 2, 28),
        ),  # no 30 February: month end, a 调休 Saturday
        (date(2022, 3, 10), False, date(2022, 6, 10)),
        (date(2022, 3, 10), True, date(2022, 9, 13)),  # 9-10 Saturday, 9-12 中秋: then 9-13
        (date(2025, 8, 31), True, date(2026, 2, 28)),
    ],
)
def test_reply_deadline_counts_months_as_the_civil_code_does(session, assigned, complex_, deadline):
    assert (
        ProposalFactory(session=session, assigned_on=assigned, is_complex=complex_).deadline
        == deadline
    )


def test_co_units_owe_their_opinion_within_a_month(session):
    proposal = ProposalFactory(session=session, assigned_on=date(2022, 3, 10))
    assert proposal.co_unit_deadline == date(2022, 4, 11)  # 4-10 is a Sunday


def test_admin_proposal_page_shows_both_deadlines(client, boss, session):
    proposal = ProposalFactory(session=session, assigned_on=date(2022, 3, 10))
    html = client.get(
        reverse("admin:disclosure_proposal_change", args=[proposal.pk])
    ).content.decode()
    assert "协办单位提出意见：2022-04-11；答复：2022-06-10" in html
    assert client.get(reverse("admin:disclosure_proposal_changelist")).status_code == 200
    assert client.get(reverse("admin:disclosure_proposalreply_changelist")).status_code == 200


def test_overdue_proposal_is_a_compliance_finding(session, reply_nodes):
    ProposalFactory(session=session, number=3, title="逾期未复的建议")
    replied = ProposalFactory(session=session, number=4, title="按时答复的建议")
    ProposalReplyFactory(proposal=replied, letter_date=date(2022, 5, 1))
    findings = [f for f in build_report(date(2022, 7, 1)).findings if f.kind == "overdue_proposal"]
    assert [f.subject for f in findings] == ["区第十八届人民代表大会第一次会议第3号 逾期未复的建议"]
    assert not [f for f in build_report(date(2022, 6, 1)).findings if f.kind == "overdue_proposal"]
