"""The letter import's confirm step: dates the date picker can show, a warning before a second
reply of the same date, and a message that says the document is a draft."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from disclosure.proposals.models import ProposalReply
from tests.disclosure.proposals.test_letters import seed_text
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
URL = "admin:disclosure_proposalreply_import"


def recognised(client):
    """The confirm form as the import fills it from the seed letter, and its data as posted."""
    response = client.post(reverse(URL), {"text": seed_text()})
    form = response.context["form"]
    data = {
        name: form[name].value() for name in form.fields if form[name].value() not in (None, "")
    }
    return response.content.decode(), {**data, "step": "confirm", "assigned_on": "2022-03-10"}


def test_the_recognised_letter_date_is_written_as_the_date_picker_reads_it(client, boss):
    AgencyFactory(name="重庆市铜梁区人民政府办公室")
    html, _ = recognised(client)
    assert 'type="date" name="letter_date" value="2022-06-06"' in html
    assert "2022/06/06" not in html


def test_the_import_saves_the_date_as_rendered_and_says_it_is_a_draft(client, boss):
    AgencyFactory(name="重庆市铜梁区人民政府办公室")
    _, data = recognised(client)
    response = client.post(reverse(URL), data)
    assert response.status_code == 302, response.context["form"].errors
    assert str(ProposalReply.objects.get().letter_date) == "2022-06-06"
    message = [str(m) for m in get_messages(response.wsgi_request)][0]
    assert "草稿" in message and "审核" in message


def test_a_second_letter_of_the_same_date_is_imported_only_once_confirmed(client, boss):
    AgencyFactory(name="重庆市铜梁区人民政府办公室")
    _, data = recognised(client)
    assert client.post(reverse(URL), data).status_code == 302

    response = client.post(reverse(URL), data)
    html = response.content.decode()
    assert response.status_code == 200 and ProposalReply.objects.count() == 1
    assert "已有一份2022-06-06的答复" in html
    assert 'type="checkbox" name="confirm_duplicate"' in html

    response = client.post(reverse(URL), {**data, "confirm_duplicate": "on"})
    assert response.status_code == 302
    assert list(ProposalReply.objects.values_list("round", flat=True)) == [1, 2]


def test_a_letter_of_another_date_needs_no_confirmation(client, boss):
    AgencyFactory(name="重庆市铜梁区人民政府办公室")
    _, data = recognised(client)
    assert client.post(reverse(URL), data).status_code == 302
    assert client.post(reverse(URL), {**data, "letter_date": "2022-09-01"}).status_code == 302
    assert ProposalReply.objects.count() == 2


def test_pasted_text_past_the_files_limit_is_refused_before_it_is_parsed(client, boss, monkeypatch):
    monkeypatch.setattr(
        "disclosure.proposals.admin_pages.parse_reply_letter",
        lambda text: pytest.fail("the parser read an over-long paste"),
    )
    response = client.post(reverse(URL), {"text": seed_text() + "字" * 100_000})
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == [
        "粘贴的文字超过 100000 字，不像一封复函；请只粘贴复函本身。"
    ]
