"""What waits for each user on the admin index, and the review queue: who submitted a document
and how long it has waited, the longest first."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.documents import services
from disclosure.documents.models import Document
from portal.roles import EDITOR, REVIEWER
from tests.factories import AgencyFactory, CatalogNodeFactory, DocumentFactory, StaffUserFactory
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    agency = AgencyFactory(name="区政府办公室")
    node = CatalogNodeFactory(name="通知公告")
    editor = StaffUserFactory(role=EDITOR, agencies=[agency], username="editor")
    reviewer = StaffUserFactory(role=REVIEWER, agencies=[agency], username="reviewer")
    return agency, node, editor, reviewer


def panels(client, user):
    client.force_login(user)
    page = client.get(reverse("admin:index"))
    return {
        title: {item["label"]: item["count"] for item in items}
        for title, items in page.context["panels"]
    }


def test_the_reviewer_is_told_what_to_review_and_the_editor_what_came_back(client, office):
    agency, node, editor, reviewer = office
    first = DocumentFactory(agency=agency, node=node, title="先提交的通知")
    second = DocumentFactory(agency=agency, node=node, title="后提交的通知")
    returned = DocumentFactory(agency=agency, node=node, title="被退回的通知")
    DocumentFactory(agency=AgencyFactory(name="别的机关"), node=node)  # not theirs
    # At the day's first moment: three whole days ago whatever the time of day now.
    with on_day(timezone.localdate() - timedelta(days=3), at=time(0)):
        services.submit(first, editor)
    services.submit(second, editor)
    services.submit(returned, editor)
    services.return_to_draft(returned, reviewer, "请补充文号。")

    assert panels(client, reviewer)["公开文件待办"]["待审核的文件"] == 2
    assert panels(client, editor)["公开文件待办"] == {"退回修改的文件": 1}

    client.force_login(reviewer)
    queue = client.get(
        reverse("admin:disclosure_document_changelist"), {"status__exact": "submitted"}
    )
    headers = [str(h["text"]) for h in queue.context["result_headers"]]
    assert "提交人" in headers and "已等待" in headers
    assert [d.title for d in queue.context["cl"].result_list] == ["先提交的通知", "后提交的通知"]
    assert "3天" in queue.content.decode()


def test_the_workflow_step_is_a_button_set_apart_from_history(client, office):
    agency, node, editor, _reviewer = office
    document = DocumentFactory(agency=agency, node=node, status=Document.Status.DRAFT)
    client.force_login(editor)
    page = client.get(reverse("admin:disclosure_document_change", args=[document.pk]))
    assert 'class="workflow-button"' in page.content.decode()
