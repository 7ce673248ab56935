"""The public list of proposals with a public reply, and the reply page."""

import pytest
from django.urls import reverse

from disclosure.documents.services import publish
from tests.factories import ProposalFactory, ProposalReplyFactory

pytestmark = pytest.mark.django_db


def public_reply(session, number, title, **kw):
    reply = ProposalReplyFactory(
        proposal=ProposalFactory(session=session, number=number, title=title, **kw)
    )
    return reply, publish(reply.document)


def test_list_shows_only_proposals_with_a_public_reply(client, session, reply_nodes):
    public_reply(session, 94, "关于进一步加大政务公开力度的建议")
    ProposalReplyFactory(
        proposal=ProposalFactory(session=session, number=95, title="尚未公开答复的建议")
    )
    ProposalFactory(session=session, number=96, title="尚未答复的建议")
    html = client.get(reverse("disclosure:proposals")).content.decode()
    assert "关于进一步加大政务公开力度的建议" in html
    assert "尚未公开答复的建议" not in html and "尚未答复的建议" not in html


def test_list_filters_and_search(client, session, reply_nodes):
    public_reply(session, 94, "关于进一步加大政务公开力度的建议")
    public_reply(session, 12, "关于加快老旧小区改造的建议", lead_delegate="张明")
    url = reverse("disclosure:proposals")
    assert "老旧小区" not in client.get(url, {"q": "94"}).content.decode()
    assert "老旧小区" not in client.get(url, {"q": "第94号"}).content.decode()
    html = client.get(url, {"q": "老旧 改造"}).content.decode()
    assert "老旧小区" in html and "政务公开力度" not in html
    assert "老旧小区" in client.get(url, {"q": "张明"}).content.decode()
    assert "政务公开力度" not in client.get(url, {"body": "cppcc"}).content.decode()


def test_list_query_budget(client, session, reply_nodes, django_assert_max_num_queries):
    for number in range(1, 31):
        public_reply(session, number, f"第{number}件建议")
    # The form's choices (3), the reply columns and their listings (2), the count, the page and
    # the site settings.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("disclosure:proposals"))
    assert response.status_code == 200 and len(response.context["replies"]) == 20


def test_reply_page_shows_letter_and_proposal_metadata(
    client, session, reply_nodes, django_assert_max_num_queries
):
    reply, document = public_reply(session, 94, "关于进一步加大政务公开力度的建议")
    # The side navigation and the two neighbours among them.
    with django_assert_max_num_queries(12):
        html = client.get(document.get_absolute_url()).content.decode().replace("<wbr>", "")
    for text in ["区第十八届人民代表大会第一次会议", "第94号", "范川", reply.proposal.lead_unit.name, document.index_number,
                 "此复函已经区政府办公室主任汪文波审签", "2022年6月6日", "邮政编码：402560"]:  # fmt: skip
        assert text in html, text


def test_odd_digits_in_a_proposal_search_give_a_normal_page(client, session):
    assert client.get(reverse("disclosure:proposals"), {"q": "²"}).status_code == 200


def test_each_row_keeps_its_labels_for_the_phone_layout(client, session, reply_nodes):
    public_reply(session, 94, "关于进一步加大政务公开力度的建议", lead_delegate="范川")
    html = client.get(reverse("disclosure:proposals")).content.decode()
    assert '<td data-label="代表（委员）">范川</td>' in html
    assert 'data-label="主办单位"' in html and 'data-label="答复日期"' in html
