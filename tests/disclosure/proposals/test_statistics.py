"""A session's public handling statistics."""

from datetime import date

import pytest
from django.urls import reverse

from disclosure.proposals.models import Proposal, ReplyClassification
from disclosure.proposals.services import record_feedback
from tests.factories import ProposalFactory, ProposalReplyFactory

pytestmark = pytest.mark.django_db


def test_statistics_add_up(client, session, reply_nodes, monkeypatch):
    solved = ReplyClassification.objects.get(code="A")
    on_time = ProposalFactory(session=session, number=1, classification=solved)
    ProposalReplyFactory(proposal=on_time, letter_date=date(2022, 5, 1))
    record_feedback(on_time, Proposal.Feedback.SATISFIED)
    late = ProposalFactory(session=session, number=2)
    ProposalReplyFactory(proposal=late, letter_date=date(2022, 7, 1))
    record_feedback(late, Proposal.Feedback.DISSATISFIED)
    ProposalFactory(session=session, number=3)  # not replied, deadline passed
    context = client.get(reverse("disclosure:proposal-statistics", args=[session.pk])).context
    totals = context["totals"]
    assert (totals["received"], totals["replied"], totals["in_time"], totals["overdue"]) == (
        3,
        2,
        1,
        1,
    )
    assert totals["in_time_rate"] == round(100 * 1 / 3, 1)
    assert totals["feedback"] == 2 and totals["satisfaction_rate"] == 50.0
    rows = context["rows"]
    assert totals["received"] == len(rows) and totals["in_time"] == sum(r["in_time"] for r in rows)
    assert sum(u["received"] for u in context["units"]) == totals["received"]
    assert sum(c["count"] for c in context["classifications"]) == totals["received"]


def test_statistics_breadcrumb_and_right_aligned_counts(client, session, reply_nodes):
    ProposalReplyFactory(proposal=ProposalFactory(session=session, number=1))
    html = client.get(reverse("disclosure:proposal-statistics", args=[session.pk])).content.decode()
    nav = html[
        html.index('class="breadcrumb"') : html.index("</nav>", html.index('class="breadcrumb"'))
    ]
    assert f'<a href="{reverse("disclosure:proposals")}">建议提案办理</a>' in nav
    assert nav.index("首页") < nav.index("建议提案办理") < nav.index("办理情况统计")
    assert '<td class="num" data-label="收到">1</td>' in html
    assert '<th scope="col" class="num">已答复</th>' in html
