"""The 错敏词 check in the workflow: a warning at submit, a block at publication and at a
revision's approval until a reviewer gives a reason, and the matches shown to the reviewer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disclosure.documents import wording
from disclosure.documents.models import Document, DocumentRevision, WordRule
from disclosure.documents.services import (
    AttachmentEdit,
    WorkflowError,
    approve_revision,
    propose_revision,
    publish,
)
from portal.actors import SYSTEM
from portal.models import AuditEvent
from portal.roles import REVIEWER
from tests.disclosure.documents.test_revisions import decide, messages_of
from tests.disclosure.documents.test_workflow import as_user, org, transition  # noqa: F401
from tests.factories import DocumentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
Status = Document.Status


@pytest.fixture(autouse=True)
def rules():
    wording._compiled = (None, None)
    WordRule.objects.create(wrong="台湾政府", right="台湾当局", severity="severe")
    WordRule.objects.create(wrong="按装", right="安装", severity="hint")
    yield
    wording._compiled = (None, None)


def draft(org, **fields):  # noqa: F811
    values = {"agency": org["district"], "node": org["node"], "body": "<p>正文。</p>"}
    return DocumentFactory(**{**values, **fields})


def submitted(org, **fields):  # noqa: F811
    return draft(org, status=Status.SUBMITTED, submitted_by=org["editor"], **fields)


def page(client, document, key):
    return client.get(reverse("admin:disclosure_document_transition", args=[document.pk, key]))


def test_submit_shows_the_matches_and_goes_through_with_a_warning(client, org):  # noqa: F811
    document = draft(org, title="关于台湾政府的说明", body="<p>请按装设备。</p>")
    as_user(client, org["editor"])
    response = page(client, document, "submit")
    content = response.content.decode()
    assert "错敏词检查：发现 2 处" in content and "严重 1 处" in content
    assert 'name="override"' not in content  # the editor is not asked for a reason
    response = transition(client, document, "submit")
    document.refresh_from_db()
    assert document.status == Status.SUBMITTED
    warning = [m for m in messages_of(response) if "错敏词" in m]
    assert warning and "“台湾政府”" in warning[0] and "严重 1 处" in warning[0]
    event = AuditEvent.objects.filter(action="submit").latest("pk")
    assert event.details["word_matches"] == [
        {"field": "title", "wrong": "台湾政府", "right": "台湾当局", "severity": "severe"},
        {"field": "body", "wrong": "按装", "right": "安装", "severity": "hint"},
    ]


def test_a_severe_match_blocks_publication_without_a_reason(client, org):  # noqa: F811
    document = submitted(org, body="<p>关于台湾政府的表述。</p>")
    as_user(client, org["reviewer"])
    content = page(client, document, "publish").content.decode()
    assert 'name="override"' in content and "严重 1 处" in content
    response = transition(client, document, "publish")
    assert response.status_code == 200  # the form asks for the reason again
    assert "这个字段是必填项" in response.content.decode()
    with pytest.raises(
        WorkflowError, match="含有 1 处严重错敏词（“台湾政府”应为“台湾当局”），不能发布"
    ):
        publish(document, org["reviewer"])
    document.refresh_from_db()
    assert document.status == Status.SUBMITTED and document.index_number_text == ""
    assert not AuditEvent.objects.filter(action__in=["publish", "word_override"]).exists()


def test_a_blocked_publication_from_the_bulk_action_says_why(client, org):  # noqa: F811
    document = submitted(org, title="台湾政府")
    as_user(client, org["reviewer"])
    response = client.post(
        reverse("admin:disclosure_document_changelist"),
        {"action": "publish_selected", "_selected_action": [document.pk]},
        follow=True,
    )
    assert any("严重错敏词" in m for m in messages_of(response))
    document.refresh_from_db()
    assert document.status == Status.SUBMITTED


def test_a_reviewers_reason_lets_it_through_and_is_audited(client, org):  # noqa: F811
    document = submitted(org, title="关于台湾政府一词的更正说明")
    as_user(client, org["reviewer"])
    response = transition(client, document, "publish", override="引用原文，加引号说明。")
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.PUBLISHED
    event = AuditEvent.objects.get(action="word_override")
    assert event.object_id == str(document.pk)
    assert event.details["reason"] == "引用原文，加引号说明。"
    assert event.details["words"] == [{"field": "title", "wrong": "台湾政府", "right": "台湾当局"}]
    assert event.actor == org["reviewer"]


def test_hints_do_not_block_and_ask_for_no_reason(client, org):  # noqa: F811
    document = submitted(org, body="<p>请按装设备。</p>")
    as_user(client, org["reviewer"])
    assert 'name="override"' not in page(client, document, "publish").content.decode()
    assert transition(client, document, "publish").status_code == 302
    document.refresh_from_db()
    assert document.status == Status.PUBLISHED
    assert not AuditEvent.objects.filter(action="word_override").exists()


def test_the_system_publishing_old_documents_is_not_stopped(org):  # noqa: F811
    document = publish(draft(org, title="台湾政府"), SYSTEM)
    assert document.status == Status.PUBLISHED


def test_the_review_page_marks_matches_and_keeps_text_as_text(client, org):  # noqa: F811
    WordRule.objects.create(wrong="<script>", right="", severity="severe")
    document = submitted(org, body="<p>&lt;script&gt;alert(1)&lt;/script&gt; 请按装。</p>")
    as_user(client, org["reviewer"])
    content = page(client, document, "publish").content.decode()
    assert "<script>alert(1)" not in content
    assert '<mark class="word-severe" title="不应使用">&lt;script&gt;</mark>alert(1)' in content
    assert '<mark class="word-hint" title="建议：安装">按装</mark>' in content
    assert "（不应使用）" in content and "建议写法" in content


@pytest.fixture
def live(org):  # noqa: F811
    return publish(submitted(org, title="原标题"), org["reviewer"])


def test_a_revision_bringing_a_severe_match_is_not_approved_without_a_reason(
    client,
    org,  # noqa: F811
    live,
):
    revision = propose_revision(live, org["reviewer"], {"title": "关于台湾政府的说明"})
    second = StaffUserFactory(role=REVIEWER, agencies=[org["district"]])
    with pytest.raises(WorkflowError, match="不能批准修订"):
        approve_revision(revision, second)
    as_user(client, second)
    url = reverse("admin:disclosure_document_revision", args=[live.pk, revision.pk])
    content = client.get(url).content.decode()
    assert (
        'name="override"' in content
        and '…关于<mark class="word-severe">台湾政府</mark>的说明…' in content
    )
    assert "台湾政府" in content and "严重 1 处" in content
    response = decide(client, revision, "approve")
    assert any("严重错敏词" in m for m in messages_of(response))
    live.refresh_from_db()
    revision.refresh_from_db()
    assert live.title == "原标题" and revision.status == DocumentRevision.Status.PENDING
    response = client.post(url, {"decision": "approve", "override": "更正说明须引用原词。"})
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.title == "关于台湾政府的说明"
    event = AuditEvent.objects.get(action="word_override")
    assert event.details["revision"] == revision.pk
    assert event.details["reason"] == "更正说明须引用原词。"


def test_a_revision_without_severe_matches_is_approved_as_before(org, live):  # noqa: F811
    revision = propose_revision(live, org["reviewer"], {"body": "<p>请按装设备。</p>"})
    second = StaffUserFactory(role=REVIEWER, agencies=[org["district"]])
    approve_revision(revision, second)
    live.refresh_from_db()
    assert live.body == "<p>请按装设备。</p>"


def test_an_attachment_a_revision_adds_is_checked_by_its_name(org, live, tmp_path, settings):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("台湾政府来函.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n")
    revision = propose_revision(live, org["reviewer"], {}, [AttachmentEdit("add", upload=upload)])
    second = StaffUserFactory(role=REVIEWER, agencies=[org["district"]])
    with pytest.raises(WorkflowError, match="“台湾政府”"):
        approve_revision(revision, second)
    approve_revision(revision, second, override="来函原件名称，不作改动。")
    assert AuditEvent.objects.get(action="word_override").details["words"] == [
        {"field": "attachment", "wrong": "台湾政府", "right": "台湾当局"}
    ]


def test_the_review_page_costs_the_same_whatever_the_number_of_matches(client, org):  # noqa: F811
    few = submitted(org, body="<p>请按装设备。</p>")
    many = submitted(org, body="<p>" + "请按装设备。" * 200 + "</p>")
    as_user(client, org["reviewer"])
    page(client, few, "publish")  # the dictionary compiled
    counts = []
    for document in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert page(client, document, "publish").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
