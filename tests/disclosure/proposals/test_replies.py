"""Saving a reply: its parts, its letter layout, its document, and the delegate's feedback."""

from datetime import date

import pytest

from disclosure.documents.models import Document
from disclosure.proposals.models import Proposal
from disclosure.proposals.services import compose_letter_html, record_feedback
from tests.factories import CongressSessionFactory, ProposalFactory, ProposalReplyFactory

pytestmark = pytest.mark.django_db


def test_reply_parts_title_salutation_and_letter_layout(session, reply_nodes):
    proposal = ProposalFactory(
        session=session, number=94, lead_delegate="范川", co_signers="张三、李四"
    )
    reply = ProposalReplyFactory(proposal=proposal)
    assert reply.title == "关于区第十八届人民代表大会第一次会议第94号建议的复函"
    assert reply.salutation == "范川、张三、李四代表："
    assert reply.sign_off == "此复函已经区政府办公室主任汪文波审签。"
    html = compose_letter_html(reply)
    order = ["重庆市铜梁区人民政府办公室", reply.title, "范川、张三、李四代表：", "现函复如下", "汪文波审签",
             "2022年6月6日", "联系人：邱源旭，联系电话：023-45632266，邮政编码：402560"]  # fmt: skip
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert reply.document.body.count('style="text-align:right"') == 2


def test_cppcc_replies_say_ti_an_and_wei_yuan(reply_nodes):
    cppcc = CongressSessionFactory(body="cppcc", level="区", term=16, session=1, year=2022)
    reply = ProposalReplyFactory(
        proposal=ProposalFactory(session=cppcc, number=8, lead_delegate="刘洋")
    )
    assert reply.title == "关于区政协第十六届一次会议第8号提案的答复"
    assert reply.salutation == "刘洋委员："
    assert (
        reply.document.node == reply_nodes["cppcc"] and reply.document.genre.name == "政协提案办理"
    )


def test_summary_and_withheld_replies(session, reply_nodes):
    summary = ProposalReplyFactory(
        proposal=ProposalFactory(session=session, number=1),
        disclosure="summary",
        summary="已纳入明年计划。",
    )
    assert "已纳入明年计划。" in summary.document.body and "现函复如下" not in summary.document.body
    withheld = ProposalReplyFactory(
        proposal=ProposalFactory(session=session, number=2),
        disclosure="none",
        non_disclosure_reason="涉及第三方",
    )
    assert withheld.document.disclosure_mode == Document.DisclosureMode.EXEMPT


def test_dissatisfied_feedback_reopens_and_both_replies_are_kept(session, reply_nodes):
    proposal = ProposalFactory(session=session)
    ProposalReplyFactory(proposal=proposal)
    assert Proposal.objects.get().status == Proposal.Status.REPLIED
    record_feedback(proposal, Proposal.Feedback.DISSATISFIED, "答复不具体", date(2022, 6, 20))
    assert Proposal.objects.get().status == Proposal.Status.REOPENED
    ProposalReplyFactory(proposal=proposal, round=2, letter_date=date(2022, 8, 1))
    assert Proposal.objects.get().status == Proposal.Status.REPLIED
    assert list(proposal.replies.values_list("round", flat=True)) == [1, 2]
