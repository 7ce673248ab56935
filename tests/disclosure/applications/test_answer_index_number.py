"""An answer names the public document it points to by the 索引号 its page shows."""

import pytest

from disclosure.applications.models import Application
from disclosure.services import publish, set_legacy_index_number
from tests.disclosure.applications.test_admin_walk import register, step
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed", ["5101230000/2019-000417", "索引号：５１０１２３００００/2019-000417"]
)
def test_an_answer_finds_a_document_by_a_number_kept_from_the_old_site(client, world, typed):
    document = DocumentFactory(agency=world["office"])
    set_legacy_index_number(document, "5101230000/2019-000417")
    publish(document)
    client.force_login(world["handler"])
    register(client, world)
    response = step(
        client,
        Application.objects.get(),
        "answer",
        {"result": "disclosed", "related_document": typed},
    )
    assert response.status_code == 200
    assert response.context["form"].cleaned_data["related_document"] == document


def test_an_answer_naming_no_public_number_says_so(client, world):
    client.force_login(world["handler"])
    register(client, world)
    response = step(
        client,
        Application.objects.get(),
        "answer",
        {"result": "disclosed", "related_document": "001/2021-0034"},
    )
    assert "没有找到已公开的索引号为 001/2021-0034 的文件" in response.content.decode()
