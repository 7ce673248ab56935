"""Edits of a published document: a pending revision that a second reviewer approves or rejects.

Attachment additions, replacements and deletions of a published document are part of the
revision: the public sees none of them until it is approved.
"""

import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.documents.models import Attachment, Document, DocumentRevision
from disclosure.documents.services import (
    WorkflowError,
    add_attachment,
    approve_revision,
    propose_revision,
    publish,
)
from portal.models import AuditEvent
from portal.roles import REVIEWER
from tests.disclosure.documents.test_workflow import as_user, change_form, org  # noqa: F401
from tests.factories import DocumentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
Status = Document.Status
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def second_reviewer(org):  # noqa: F811
    return StaffUserFactory(role=REVIEWER, agencies=[org["district"]])


@pytest.fixture
def document(org):  # noqa: F811
    return publish(
        DocumentFactory(
            agency=org["district"], node=org["node"], status=Status.SUBMITTED, title="原标题"
        ),
        org["reviewer"],
    )


def public_page(client, document):
    return client.__class__().get(reverse("disclosure:document", args=[document.pk]))


def form_of(document, **changes):
    """The change form as the admin shows it for ``document``, with ``changes`` typed in."""
    unchanged = {"doc_number": document.doc_number, "written_on": document.written_on.isoformat()}
    return change_form(document, **{**unchanged, **changes})


def edit(client, document, **changes):
    return client.post(
        reverse("admin:disclosure_document_change", args=[document.pk]),
        form_of(document, **changes),
    )


def decide(client, revision, decision, comment=""):
    url = reverse("admin:disclosure_document_revision", args=[revision.document_id, revision.pk])
    return client.post(url, {"decision": decision, "comment": comment})


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_reviewers_edit_of_a_published_document_waits_as_a_pending_revision(
    client,
    org,  # noqa: F811
    document,
):
    as_user(client, org["reviewer"])
    response = edit(client, document, title="更正后的标题")
    assert response.status_code == 302
    assert any("待审核的修订" in m for m in messages_of(response))

    document.refresh_from_db()
    assert document.status == Status.PUBLISHED and document.title == "原标题"
    page = public_page(client, document).content.decode()
    assert "原标题" in page and "更正后的标题" not in page

    revision = DocumentRevision.objects.get(document=document)
    assert revision.status == DocumentRevision.Status.PENDING
    assert revision.author == org["reviewer"] and revision.changed_fields == ["title"]
    assert revision.values["title"] == "更正后的标题" and revision.base["title"] == "原标题"
    event = AuditEvent.objects.get(action="propose_revision")
    assert event.details["fields"] == ["title"] and event.actor == org["reviewer"]

    # The history lists the published version and the pending revision.
    history = client.get(reverse("admin:disclosure_document_history", args=[document.pk]))
    html = history.content.decode()
    assert "原标题" in html and "更正后的标题" in html and "待审核" in html
    # The document list filters documents with pending revisions.
    other = DocumentFactory(agency=org["district"], node=org["node"], title="别的草稿")
    listing = client.get(reverse("admin:disclosure_document_changelist"), {"revision": "pending"})
    assert "原标题" in listing.content.decode() and other.title not in listing.content.decode()
    # The change form points at it.
    change = client.get(reverse("admin:disclosure_document_change", args=[document.pk]))
    assert f"待审核的修订 #{revision.pk}" in change.content.decode()


def test_the_author_of_a_revision_cannot_approve_it(client, org, document):  # noqa: F811
    as_user(client, org["reviewer"])
    edit(client, document, title="更正后的标题")
    revision = DocumentRevision.objects.get()
    response = decide(client, revision, "approve")
    assert any("须由另一位审核人员批准" in m for m in messages_of(response))
    revision.refresh_from_db()
    assert revision.status == DocumentRevision.Status.PENDING
    assert "更正后的标题" not in public_page(client, document).content.decode()
    with pytest.raises(WorkflowError, match="须由另一位审核人员批准"):
        approve_revision(revision, org["reviewer"])
    assert not AuditEvent.objects.filter(action="approve_revision").exists()


def test_a_second_reviewer_approves_and_the_page_shows_the_new_title(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
):
    as_user(client, org["reviewer"])
    edit(client, document, title="更正后的标题")
    revision = DocumentRevision.objects.get()

    as_user(client, second_reviewer)
    page = client.get(
        reverse("admin:disclosure_document_revision", args=[document.pk, revision.pk])
    ).content.decode()
    assert "原标题" in page and "更正后的标题" in page and "批准修订" in page
    response = decide(client, revision, "approve")
    assert response.status_code == 302

    revision.refresh_from_db()
    assert revision.status == DocumentRevision.Status.APPROVED
    assert revision.decided_by == second_reviewer
    document.refresh_from_db()
    assert document.title == "更正后的标题" and document.status == Status.PUBLISHED
    page = public_page(client, document).content.decode()
    assert "更正后的标题" in page
    event = AuditEvent.objects.get(action="approve_revision")
    assert event.actor == second_reviewer and event.details["fields"] == ["title"]
    assert event.details["author"] == org["reviewer"].username
    newest = document.history.order_by("-history_date", "-history_id").first()
    assert newest.title == "更正后的标题" and newest.history_user == second_reviewer
    assert f"#{revision.pk}" in newest.history_change_reason
    assert document.history.filter(title="原标题").exists()


def test_a_rejected_revision_leaves_the_page_unchanged(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
):
    as_user(client, org["reviewer"])
    edit(client, document, title="更正后的标题")
    revision = DocumentRevision.objects.get()
    as_user(client, second_reviewer)
    response = decide(client, revision, "reject")
    assert any("请填写审核意见" in m for m in messages_of(response))
    decide(client, revision, "reject", comment="标题无需修改。")
    revision.refresh_from_db()
    assert revision.status == DocumentRevision.Status.REJECTED
    assert revision.comment == "标题无需修改。"
    document.refresh_from_db()
    assert document.title == "原标题"
    assert "更正后的标题" not in public_page(client, document).content.decode()
    assert AuditEvent.objects.get(action="reject_revision").actor == second_reviewer
    # A decided revision cannot be approved afterwards.
    with pytest.raises(WorkflowError, match="已驳回"):
        approve_revision(revision, second_reviewer)


def test_a_typo_fix_in_the_body_is_sanitised_in_the_revision_and_reviewed(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
):
    as_user(client, org["reviewer"])
    edit(
        client,
        document,
        body="<p>各镇街、各部门：现将有关事项通知如下：</p><script>alert(1)</script>",
    )
    revision = DocumentRevision.objects.get()
    assert revision.changed_fields == ["body"]
    assert "<script" not in revision.values["body"] and "alert" not in revision.values["body"]
    document.refresh_from_db()
    assert "如下：" not in document.body and "如下。" in document.body
    approve_revision(revision, second_reviewer)
    document.refresh_from_db()
    assert "如下：" in document.body and "<script" not in document.body


def test_related_fields_of_a_published_document_wait_for_approval_too(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
    site_tree,
):
    as_user(client, org["reviewer"])
    edit(client, document, extra_nodes=[site_tree["replies"].pk])
    assert not document.extra_nodes.exists()
    revision = DocumentRevision.objects.get()
    assert revision.changed_fields == ["extra_nodes"]
    approve_revision(revision, second_reviewer)
    assert list(document.extra_nodes.all()) == [site_tree["replies"]]


def test_a_revision_made_on_an_older_text_cannot_be_approved(
    org,  # noqa: F811
    document,
    second_reviewer,
):
    first = propose_revision(document, org["reviewer"], {"title": "第一次更正"})
    second = propose_revision(document, org["reviewer"], {"summary": "另一处更正。"})
    approve_revision(first, second_reviewer)
    with pytest.raises(WorkflowError, match="文件已被修改"):
        approve_revision(second, second_reviewer)
    document.refresh_from_db()
    assert document.title == "第一次更正" and document.summary != "另一处更正。"


def test_an_unchanged_form_makes_no_revision(client, org, document):  # noqa: F811
    as_user(client, org["reviewer"])
    assert edit(client, document).status_code == 302
    assert not DocumentRevision.objects.exists()


def test_only_reviewers_of_the_documents_agency_decide_revisions(
    client,
    org,  # noqa: F811
    document,
):
    revision = propose_revision(document, org["reviewer"], {"title": "更正后的标题"})
    as_user(client, org["editor"])
    assert decide(client, revision, "approve").status_code == 403
    as_user(client, org["other_reviewer"])
    assert decide(client, revision, "approve").status_code == 404
    revision.refresh_from_db()
    assert revision.status == DocumentRevision.Status.PENDING


def test_drafts_are_still_edited_directly_and_submitted_documents_not_at_all(
    client,
    org,  # noqa: F811
):
    draft = DocumentFactory(agency=org["district"], node=org["node"], title="草稿标题")
    for user in (org["editor"], org["reviewer"]):
        as_user(client, user)
        assert edit(client, draft, title=f"{user.username}改过的标题").status_code == 302
        draft.refresh_from_db()
        assert draft.title == f"{user.username}改过的标题"
    submitted = DocumentFactory(agency=org["district"], node=org["node"], status=Status.SUBMITTED)
    for user in (org["editor"], org["reviewer"]):
        as_user(client, user)
        assert edit(client, submitted, title="改过的标题").status_code == 403
    assert not DocumentRevision.objects.exists()


# --- attachments of a published document --------------------------------------------------


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def attachment_form(document, rows):
    """The change form with the attachment inline: ``rows`` are dicts of one inline form each."""
    data = form_of(document)
    data["attachments-TOTAL_FORMS"] = str(len(rows))
    data["attachments-INITIAL_FORMS"] = str(sum(1 for r in rows if r.get("id")))
    for i, row in enumerate(rows):
        data[f"attachments-{i}-document"] = document.pk
        data[f"attachments-{i}-sort_order"] = "0"
        for key, value in row.items():
            data[f"attachments-{i}-{key}"] = value
    return data


def post_attachments(client, document, rows):
    return client.post(
        reverse("admin:disclosure_document_change", args=[document.pk]),
        attachment_form(document, rows),
    )


def anonymous_get(client, url):
    return client.__class__().get(url)


def public_attachment_names(client, document):
    """The attachment names the public document page lists."""
    page = public_page(client, document).content.decode()
    return [name for name in ("原文.pdf", "更正稿.pdf") if name in page]


def download(client, attachment):
    return anonymous_get(client, attachment.get_absolute_url())


def revision_page(client, revision):
    url = reverse("admin:disclosure_document_revision", args=[revision.document_id, revision.pk])
    return client.get(url).content.decode()


@pytest.fixture
def original(document, media):
    """A published document's attachment, live since publication."""
    return add_attachment(document, SimpleUploadedFile("原文.pdf", PDF))


def test_an_attachment_added_to_a_published_document_waits_for_a_second_reviewer(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
    media,
):
    as_user(client, org["reviewer"])
    response = post_attachments(client, document, [{"file": SimpleUploadedFile("原文.pdf", PDF)}])
    assert response.status_code == 302
    assert any("待审核的修订" in m for m in messages_of(response))

    added = Attachment.objects.get(document=document)
    assert public_attachment_names(client, document) == []
    assert download(client, added).status_code == 404
    revision = DocumentRevision.objects.get(document=document)
    assert revision.status == DocumentRevision.Status.PENDING and revision.changed_fields == []
    assert revision.attachment_summary == ["添加附件：原文.pdf"]
    assert added.pending_revision == revision
    assert not AuditEvent.objects.filter(action="add_attachment").exists()

    # The author cannot approve it; the file stays hidden.
    response = decide(client, revision, "approve")
    assert any("须由另一位审核人员批准" in m for m in messages_of(response))
    assert download(client, added).status_code == 404

    # The second reviewer reads the change and the new file, then approves it.
    as_user(client, second_reviewer)
    page = revision_page(client, revision)
    assert "添加附件" in page and "原文.pdf" in page and added.get_absolute_url() in page
    assert client.get(added.get_absolute_url()).status_code == 200
    assert decide(client, revision, "approve").status_code == 302

    assert public_attachment_names(client, document) == ["原文.pdf"]
    response = download(client, added)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    event = AuditEvent.objects.get(action="add_attachment")
    assert event.actor == second_reviewer and event.details["attachment"] == "原文.pdf"
    assert event.details["revision"] == revision.pk
    newest = document.history.order_by("-history_date", "-history_id").first()
    assert newest.history_change_reason == f"批准修订 #{revision.pk}；添加附件：原文.pdf"


def test_a_replaced_attachment_of_a_published_document_stays_online_until_approved(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
    original,
):
    as_user(client, org["reviewer"])
    correction = SimpleUploadedFile("更正稿.pdf", PDF + b"%")
    post_attachments(client, document, [{"id": original.pk, "file": correction}])

    assert public_attachment_names(client, document) == ["原文.pdf"]
    response = download(client, original)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    new = Attachment.objects.exclude(pk=original.pk).get(document=document)
    assert new.original_name == "更正稿.pdf" and download(client, new).status_code == 404
    revision = DocumentRevision.objects.get(document=document)
    assert revision.attachment_summary == ["替换附件：原文.pdf → 更正稿.pdf"]
    page = revision_page(client, revision)
    assert "替换附件" in page and original.get_absolute_url() in page
    assert "原文.pdf" in page and "更正稿.pdf" in page and new.get_absolute_url() in page
    with pytest.raises(WorkflowError, match="须由另一位审核人员批准"):
        approve_revision(revision, org["reviewer"])

    approve_revision(revision, second_reviewer)
    assert public_attachment_names(client, document) == ["更正稿.pdf"]
    assert download(client, original).status_code == 404
    response = download(client, new)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF + b"%"
    event = AuditEvent.objects.get(action="replace_attachment")
    assert event.details["attachment"] == "更正稿.pdf" and event.details["replaced"] == "原文.pdf"


def test_a_deleted_attachment_of_a_published_document_stays_online_until_approved(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
    original,
):
    as_user(client, org["reviewer"])
    post_attachments(client, document, [{"id": original.pk, "DELETE": "on"}])

    assert public_attachment_names(client, document) == ["原文.pdf"]
    assert download(client, original).status_code == 200
    revision = DocumentRevision.objects.get(document=document)
    assert revision.attachment_summary == ["删除附件：原文.pdf"]
    page = revision_page(client, revision)
    assert "删除附件" in page and "原文.pdf" in page and "（删除）" in page
    with pytest.raises(WorkflowError, match="须由另一位审核人员批准"):
        approve_revision(revision, org["reviewer"])

    approve_revision(revision, second_reviewer)
    assert public_attachment_names(client, document) == []
    assert download(client, original).status_code == 404
    assert AuditEvent.objects.get(action="delete_attachment").details["attachment"] == "原文.pdf"


def test_a_rejected_attachment_change_deletes_the_new_file_and_keeps_the_page(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
    original,
    django_capture_on_commit_callbacks,
):
    as_user(client, org["reviewer"])
    correction = SimpleUploadedFile("更正稿.pdf", PDF + b"%")
    post_attachments(client, document, [{"id": original.pk, "file": correction}])
    new = Attachment.objects.exclude(pk=original.pk).get(document=document)
    stored = Path(new.file.path)
    assert stored.exists()

    as_user(client, second_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, DocumentRevision.objects.get(), "reject", comment="附件无需更换。")

    assert not Attachment.objects.filter(pk=new.pk).exists() and not stored.exists()
    assert public_attachment_names(client, document) == ["原文.pdf"]
    response = download(client, original)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert not AuditEvent.objects.filter(action="replace_attachment").exists()


def test_a_new_attachment_order_waits_for_approval_too(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
    original,
):
    add_attachment(document, SimpleUploadedFile("更正稿.pdf", PDF), sort_order=1)
    as_user(client, org["reviewer"])
    post_attachments(client, document, [{"id": original.pk, "sort_order": "2"}])
    assert public_attachment_names(client, document) == ["原文.pdf", "更正稿.pdf"]
    page = public_page(client, document).content.decode()
    assert page.index("原文.pdf") < page.index("更正稿.pdf")
    revision = DocumentRevision.objects.get()
    assert revision.attachment_summary == ["调整附件排序：原文.pdf（2）"]
    approve_revision(revision, second_reviewer)
    page = public_page(client, document).content.decode()
    assert page.index("更正稿.pdf") < page.index("原文.pdf")


def test_an_attachment_change_with_a_text_change_is_one_revision(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
    media,
):
    as_user(client, org["reviewer"])
    data = attachment_form(document, [{"file": SimpleUploadedFile("原文.pdf", PDF)}])
    data["title"] = "更正后的标题"
    client.post(reverse("admin:disclosure_document_change", args=[document.pk]), data)
    revision = DocumentRevision.objects.get()
    assert revision.changed_fields == ["title"]
    assert revision.attachment_summary == ["添加附件：原文.pdf"]
    assert public_attachment_names(client, document) == []
    approve_revision(revision, second_reviewer)
    page = public_page(client, document).content.decode()
    assert "更正后的标题" in page and "原文.pdf" in page


def test_staff_preview_marks_attachments_waiting_for_a_revision(
    client,
    org,  # noqa: F811
    document,
    media,
):
    as_user(client, org["reviewer"])
    post_attachments(client, document, [{"file": SimpleUploadedFile("原文.pdf", PDF)}])
    revision = DocumentRevision.objects.get()
    preview = client.get(reverse("disclosure:preview", args=[document.pk])).content.decode()
    assert "原文.pdf" in preview and f"待审核的修订 #{revision.pk}" in preview
    # The change form's inline lists only the live attachments.
    change = client.get(reverse("admin:disclosure_document_change", args=[document.pk]))
    assert "原文.pdf" not in change.content.decode().split("待审核的修订")[-1]


def test_an_attachment_added_by_a_command_to_a_published_document_is_audited(document, media):
    add_attachment(document, SimpleUploadedFile("补充.pdf", PDF))
    assert AuditEvent.objects.get(action="add_attachment").details["attachment"] == "补充.pdf"


def test_a_person_cannot_add_an_attachment_to_a_published_document_directly(
    org,  # noqa: F811
    document,
    media,
):
    with pytest.raises(WorkflowError, match="须作为修订"):
        add_attachment(document, SimpleUploadedFile("补充.pdf", PDF), user=org["reviewer"])
    assert not Attachment.objects.exists()


def test_attachments_of_a_draft_leave_no_audit_event(client, org, media):  # noqa: F811
    draft = DocumentFactory(agency=org["district"], node=org["node"])
    as_user(client, org["editor"])
    post_attachments(client, draft, [{"file": SimpleUploadedFile("原文.pdf", PDF)}])
    assert Attachment.objects.filter(document=draft).exists()
    assert not AuditEvent.objects.filter(action__endswith="_attachment").exists()


def test_the_author_of_a_revision_is_not_offered_the_approve_button(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
):
    edit(as_user(client, org["reviewer"]), document, title="新标题")
    revision = DocumentRevision.objects.get()
    url = reverse("admin:disclosure_document_revision", args=[document.pk, revision.pk])
    page = client.get(url).content.decode()
    assert 'value="approve"' not in page and "须由另一位审核人员批准" in page
    assert 'value="reject"' in page
    other = as_user(client.__class__(), second_reviewer).get(url).content.decode()
    assert 'value="approve"' in other


def test_the_author_is_told_on_the_document_that_their_revision_was_rejected(
    client,
    org,  # noqa: F811
    document,
    second_reviewer,
):
    edit(as_user(client, org["reviewer"]), document, title="新标题")
    revision = DocumentRevision.objects.get()
    decide(as_user(client.__class__(), second_reviewer), revision, "reject", "标题不规范")
    change = reverse("admin:disclosure_document_change", args=[document.pk])
    page = client.get(change).content.decode()
    assert f"修订 #{revision.pk}" in page and "驳回" in page and "标题不规范" in page


def test_the_change_form_shows_the_seconds_of_the_publication_time(
    client,
    org,  # noqa: F811
    document,
):
    # Shown without them, an unchanged form would post a new time: a revision of nothing.
    document.published_at = document.published_at.replace(second=22, microsecond=0)
    document.save()
    page = as_user(client, org["reviewer"]).get(
        reverse("admin:disclosure_document_change", args=[document.pk])
    )
    shown = re.search(r'name="published_at_1" value="([^"]*)"', page.content.decode())
    assert shown and re.fullmatch(r"\d\d:\d\d:22", shown.group(1))


def test_view_on_site_of_a_draft_is_its_preview(client, org):  # noqa: F811
    draft = DocumentFactory(agency=org["district"], node=org["node"])
    page = as_user(client, org["editor"]).get(
        reverse("admin:disclosure_document_change", args=[draft.pk])
    )
    assert reverse("disclosure:preview", args=[draft.pk]) in page.content.decode()
