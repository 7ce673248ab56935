"""The publishing workflow walked through the admin as staff would, with agency scoping."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from disclosure.documents.models import Document
from portal.models import AuditEvent
from portal.roles import AUDITOR, EDITOR, REVIEWER
from tests.factories import (
    AgencyFactory,
    DocumentFactory,
    GenreFactory,
    StaffUserFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db
Status = Document.Status


@pytest.fixture
def org(site_tree):
    district = AgencyFactory(name="区政府办公室")
    town = AgencyFactory(name="巴川街道", parent=district)
    other = AgencyFactory(name="区教委")

    def staff(role, *agencies):
        return StaffUserFactory(role=role, agencies=agencies)

    return {
        "district": district,
        "town": town,
        "other": other,
        "editor": staff(EDITOR, district),
        "reviewer": staff(REVIEWER, district),
        "other_reviewer": staff(REVIEWER, other),
        "other_editor": staff(EDITOR, other),
        "auditor": staff(AUDITOR),
        "node": site_tree["policies"],
    }


def as_user(client, user):
    client.force_login(user)
    return client


def add_form(org, **overrides):
    data = {
        "title": "关于做好防汛工作的通知",
        "summary": "防汛安排。",
        "body": "<p>各镇街：请做好防汛工作。</p>",
        "agency": org["district"].pk,
        "node": org["node"].pk,
        "topic": TopicFactory().pk,
        "genre": GenreFactory().pk,
        "doc_number": "铜府办发〔2025〕9号",
        "written_on": "2025-05-01",
        "published_at_0": "",
        "published_at_1": "",
        "validity": "valid",
        "keywords": "",
        "disclosure_mode": "active",
        "legacy_index_number": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def change_form(document, **overrides):
    data = add_form(
        {"district": document.agency, "node": document.node},
        title=document.title,
        summary=document.summary,
        body=document.body,
        topic=document.topic_id,
        genre=document.genre_id,
    )
    data["agency"], data["node"] = document.agency_id, document.node_id
    if document.published_at:
        local = timezone.localtime(document.published_at)
        data["published_at_0"], data["published_at_1"] = (
            local.strftime("%Y-%m-%d"),
            local.strftime("%H:%M:%S"),
        )
        data["written_on"] = local.strftime("%Y-%m-%d")
    data.update(overrides)
    return data


def transition(client, document, name, **data):
    return client.post(
        reverse("admin:disclosure_document_transition", args=[document.pk, name]), data
    )


def public_status(client, document):
    return client.get(reverse("disclosure:document", args=[document.pk])).status_code


def test_the_whole_workflow_through_the_admin(client, org):
    anonymous = client.__class__()

    # The editor drafts.
    as_user(client, org["editor"])
    assert client.post(reverse("admin:disclosure_document_add"), add_form(org)).status_code == 302
    document = Document.objects.get()
    assert document.status == Status.DRAFT and public_status(anonymous, document) == 404

    # … and submits.
    assert transition(client, document, "submit").status_code == 302
    document.refresh_from_db()
    assert document.status == Status.SUBMITTED and public_status(anonymous, document) == 404

    # The reviewer returns it with a comment.
    as_user(client, org["reviewer"])
    assert transition(client, document, "return", text="文号有误，请核对。").status_code == 302
    document.refresh_from_db()
    assert document.status == Status.DRAFT and document.review_comment == "文号有误，请核对。"
    assert public_status(anonymous, document) == 404

    # The editor corrects and resubmits.
    as_user(client, org["editor"])
    response = client.post(
        reverse("admin:disclosure_document_change", args=[document.pk]),
        change_form(document, doc_number="铜府办发〔2025〕10号"),
    )
    assert response.status_code == 302
    transition(client, document, "submit")
    document.refresh_from_db()
    assert document.status == Status.SUBMITTED and document.doc_number == "铜府办发〔2025〕10号"

    # The reviewer publishes: it gets its index number and goes public.
    as_user(client, org["reviewer"])
    transition(client, document, "publish")
    document.refresh_from_db()
    assert document.status == Status.PUBLISHED and document.index_serial == 1
    assert public_status(anonymous, document) == 200

    # … and withdraws it: 410 with a short notice that does not repeat the title.
    transition(client, document, "withdraw", text="政策已调整。")
    document.refresh_from_db()
    assert document.status == Status.WITHDRAWN
    response = anonymous.get(reverse("disclosure:document", args=[document.pk]))
    assert response.status_code == 410
    assert (
        "该信息已撤回" in response.content.decode()
        and document.title not in response.content.decode()
    )

    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    for expected in ["submit", "return", "publish", "withdraw"]:
        assert expected in actions


def test_an_editor_cannot_publish_by_any_path(client, org):
    document = DocumentFactory(agency=org["district"], node=org["node"], status=Status.SUBMITTED)
    as_user(client, org["editor"])
    assert transition(client, document, "publish").status_code == 403
    client.post(
        reverse("admin:disclosure_document_changelist"),
        {"action": "publish_selected", "_selected_action": [document.pk]},
    )
    # A submitted document is out of the editor's hands; a crafted change POST is refused.
    response = client.post(
        reverse("admin:disclosure_document_change", args=[document.pk]),
        change_form(document, published_at_0="2025-01-01", published_at_1="09:00:00"),
    )
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.status == Status.SUBMITTED and document.index_serial is None
    assert not AuditEvent.objects.filter(action="publish").exists()


def test_an_editor_proposes_a_correction_of_a_published_document_a_reviewer_approves(client, org):
    from disclosure.documents.services import approve_revision, publish

    document = DocumentFactory(agency=org["district"], node=org["node"], status=Status.SUBMITTED)
    document = publish(document, org["reviewer"])
    as_user(client, org["editor"])
    url = reverse("admin:disclosure_document_change", args=[document.pk])
    assert "须由另一位审核人员批准后才对外生效" in client.get(url).content.decode()
    response = client.post(url, change_form(document, title="改过的标题"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    # Nothing unreviewed goes online: the correction waits as the editor's revision.
    assert Document.objects.get(pk=document.pk).title != "改过的标题"
    revision = document.revisions.get()
    assert revision.author == org["editor"] and revision.is_pending
    approve_revision(revision, org["reviewer"])
    assert Document.objects.get(pk=document.pk).title == "改过的标题"


def test_a_reviewer_edit_of_a_published_document_keeps_it_published_and_is_recorded(client, org):
    from disclosure.documents.services import publish

    document = publish(
        DocumentFactory(agency=org["district"], node=org["node"], status=Status.SUBMITTED),
        org["reviewer"],
    )
    as_user(client, org["reviewer"])
    response = client.post(
        reverse("admin:disclosure_document_change", args=[document.pk]),
        change_form(document, title="更正后的标题"),
    )
    assert response.status_code == 302
    document.refresh_from_db()
    # The edit waits as a revision for a second reviewer (tests/disclosure/test_revisions.py).
    assert document.status == Status.PUBLISHED and document.title != "更正后的标题"
    event = AuditEvent.objects.get(action="propose_revision")
    assert "title" in event.details["fields"] and event.actor == org["reviewer"]
    assert document.revisions.get().values["title"] == "更正后的标题"


def test_whoever_submitted_cannot_also_publish(org):
    from disclosure.documents.services import WorkflowError, publish, submit

    both = org["reviewer"]
    both.groups.add(Group.objects.get(name=EDITOR))
    document = submit(DocumentFactory(agency=org["district"], node=org["node"]), both)
    with pytest.raises(WorkflowError, match="须由另一位审核人员发布"):
        publish(document, both)


def test_illegal_transitions_raise_a_clear_error_and_change_nothing(org):
    from disclosure.documents.services import WorkflowError, publish, return_to_draft, withdraw

    draft = DocumentFactory(agency=org["district"], node=org["node"])
    with pytest.raises(WorkflowError, match="当前状态为“草稿”，不能发布"):
        publish(draft, org["reviewer"])
    with pytest.raises(WorkflowError, match="不能撤回"):
        withdraw(draft, org["reviewer"], "原因")
    submitted = DocumentFactory(agency=org["district"], node=org["node"], status=Status.SUBMITTED)
    with pytest.raises(WorkflowError, match="请填写审核意见"):
        return_to_draft(submitted, org["reviewer"], "  ")
    with pytest.raises(WorkflowError, match="不属于您所在的机构"):
        publish(submitted, org["other_reviewer"])
    assert set(Document.objects.values_list("status", flat=True)) == {
        Status.DRAFT,
        Status.SUBMITTED,
    }
    assert not AuditEvent.objects.filter(action__in=["publish", "return", "withdraw"]).exists()


def test_scheduled_publication_appears_by_itself(client, org):
    document = DocumentFactory(agency=org["district"], node=org["node"], status=Status.SUBMITTED)
    as_user(client, org["reviewer"])
    when = timezone.localtime() + timedelta(days=1)
    transition(
        client, document, "publish", at_0=when.strftime("%Y-%m-%d"), at_1=when.strftime("%H:%M:%S")
    )
    document.refresh_from_db()
    assert document.status == Status.PUBLISHED and document.is_scheduled
    anonymous = client.__class__()
    assert public_status(anonymous, document) == 404
    assert document.title not in anonymous.get(reverse("disclosure:feed-rss")).content.decode()
    later = timezone.now() + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        assert public_status(anonymous, document) == 200
        assert document.title in anonymous.get(reverse("disclosure:feed-rss")).content.decode()
        sitemap = anonymous.get(reverse("sitemap-section", args=["documents"])).content.decode()
        assert document.get_absolute_url() in sitemap


def test_preview_is_for_staff_who_may_see_the_document(client, org):
    document = DocumentFactory(agency=org["town"], node=org["node"], title="待审核的文件")
    url = reverse("disclosure:preview", args=[document.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    as_user(client, org["editor"])  # works for the town's parent agency
    html = client.get(url).content.decode()
    assert "预览" in html and "待审核的文件" in html
    as_user(client, org["other_editor"])
    assert client.get(url).status_code == 404


# --- agency scoping, path by path --------------------------------------------------------


@pytest.fixture
def foreign(org):
    return DocumentFactory(agency=org["other"], node=org["node"], title="区教委的文件")


def test_changelist_shows_own_and_sub_agencies_only(client, org, foreign):
    DocumentFactory(agency=org["district"], title="办公室的文件")
    DocumentFactory(agency=org["town"], title="街道的文件")
    as_user(client, org["editor"])
    html = client.get(reverse("admin:disclosure_document_changelist")).content.decode()
    assert "办公室的文件" in html and "街道的文件" in html and "区教委的文件" not in html


@pytest.mark.parametrize("view", ["change", "delete", "history", "compare"])
def test_another_agencys_document_pages_are_404(client, org, foreign, view):
    as_user(client, org["editor"])
    url = reverse(f"admin:disclosure_document_{view}", args=[foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, change_form(foreign, title="篡改") | {"post": "yes"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.title == "区教委的文件" and Document.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("name", ["submit", "publish", "return", "withdraw"])
def test_another_agencys_document_transitions_are_404(client, org, foreign, name):
    as_user(client, org["reviewer"])
    assert transition(client, foreign, name, text="x").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.DRAFT


@pytest.mark.parametrize("action", ["submit_selected", "publish_selected"])
def test_actions_naming_another_agencys_document_are_403(client, org, foreign, action):
    own = DocumentFactory(agency=org["district"], status=Status.SUBMITTED)
    user = org["editor"] if action == "submit_selected" else org["reviewer"]
    as_user(client, user)
    response = client.post(
        reverse("admin:disclosure_document_changelist"),
        {"action": action, "_selected_action": [own.pk, foreign.pk]},
    )
    assert response.status_code == 403
    assert set(Document.objects.values_list("status", flat=True)) == {
        Status.DRAFT,
        Status.SUBMITTED,
    }


def test_form_choices_offer_only_the_users_agencies_and_nodes(client, org, site_tree):
    from catalog.models import CatalogNode

    own_node = CatalogNode.objects.create(
        name="办公室专栏", parent=site_tree["root"], agency=org["district"]
    )
    foreign_node = CatalogNode.objects.create(
        name="教委专栏", parent=site_tree["root"], agency=org["other"]
    )
    as_user(client, org["editor"])
    form = client.get(reverse("admin:disclosure_document_add")).context["adminform"].form
    agencies = set(form.fields["agency"].queryset)
    assert agencies == {org["district"], org["town"]}
    nodes = set(form.fields["node"].queryset)
    assert own_node in nodes and site_tree["policies"] in nodes and foreign_node not in nodes

    response = client.post(
        reverse("admin:disclosure_document_add"), add_form(org, agency=org["other"].pk)
    )
    assert response.status_code == 200 and not Document.objects.exists()
    response = client.post(
        reverse("admin:disclosure_document_add"), add_form(org, node=foreign_node.pk)
    )
    assert response.status_code == 200 and not Document.objects.exists()


def test_autocomplete_is_scoped(client, org):
    as_user(client, org["editor"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "disclosure", "model_name": "document", "field_name": "agency", "term": ""},
    )
    names = {r["text"] for r in response.json()["results"]}
    assert names == {org["district"].name, org["town"].name}


def test_the_auditor_reads_everything_and_changes_nothing(client, org, foreign):
    as_user(client, org["auditor"])
    assert (
        "区教委的文件"
        in client.get(reverse("admin:disclosure_document_changelist")).content.decode()
    )
    assert (
        client.get(reverse("admin:disclosure_document_change", args=[foreign.pk])).status_code
        == 200
    )
    response = client.post(
        reverse("admin:disclosure_document_change", args=[foreign.pk]),
        change_form(foreign, title="改"),
    )
    assert response.status_code == 403
    assert transition(client, foreign, "submit").status_code == 403
    assert client.get(reverse("admin:portal_auditevent_changelist")).status_code == 200


# --- policy interpretations -------------------------------------------------------------


def test_policy_and_interpretation_link_each_other(client, org):
    from tests.factories import published

    normative = GenreFactory(name="行政规范性文件")
    policy = published(title="某管理办法", genre=normative, agency=org["district"])
    reading = published(
        title="《某管理办法》政策解读", genre=GenreFactory(name="政策解读"), agency=org["district"]
    )
    reading.interprets.add(policy)
    policy_page = client.get(policy.get_absolute_url()).content.decode()
    assert "相关解读" in policy_page and "《某管理办法》政策解读" in policy_page
    reading_page = client.get(reading.get_absolute_url()).content.decode()
    assert "原文" in reading_page and reading_page.count("某管理办法") >= 2

    lacking = published(title="另一办法", genre=normative, agency=org["district"])
    as_user(client, org["reviewer"])
    listing = client.get(
        reverse("admin:disclosure_document_changelist"), {"interpretation": "missing"}
    )
    html = listing.content.decode()
    assert "另一办法" in html and "某管理办法</a>" not in html
    assert lacking.pk


def test_only_an_interpretation_may_name_documents_it_interprets(client, org):
    from tests.factories import published

    policy = published(title="某管理办法", agency=org["district"])
    as_user(client, org["editor"])
    response = client.post(
        reverse("admin:disclosure_document_add"),
        add_form(org, genre=GenreFactory(name="通知").pk, interprets=[policy.pk]),
    )
    assert "只有体裁为“政策解读”的文件" in response.content.decode()


def test_versions_are_kept_and_can_be_compared(client, org):
    document = DocumentFactory(agency=org["district"], body="<p>第一版正文</p>")
    document.body = "<p>第二版正文</p>"
    document.save()
    as_user(client, org["editor"])
    assert document.history.count() == 2
    html = client.get(
        reverse("admin:disclosure_document_compare", args=[document.pk])
    ).content.decode()
    assert "第<del>一</del>版正文" in html and "第<ins>二</ins>版正文" in html


# --- version history is read-only and scoped --------------------------------------------


def test_an_old_version_of_another_agencys_document_is_404(client, org, foreign):
    version = foreign.history.first().history_id
    as_user(client, org["editor"])
    url = reverse("admin:disclosure_document_simple_history", args=[foreign.pk, version])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["editor", "auditor", "reviewer"])
def test_an_old_version_cannot_be_restored_by_anyone(client, org, who):
    from disclosure.documents.services import publish, withdraw

    document = publish(
        DocumentFactory(agency=org["district"], node=org["node"], status=Status.SUBMITTED),
        org["reviewer"],
    )
    version = document.history.first().history_id  # the published version
    withdraw(document, org["reviewer"], "政策调整")
    as_user(client, org[who])
    url = reverse("admin:disclosure_document_simple_history", args=[document.pk, version])
    response = client.post(url, change_form(document, title="恢复的旧版本"))
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.status == Status.WITHDRAWN and document.title != "恢复的旧版本"


def test_a_reviewer_cannot_rewrite_a_submission_and_publish_it(client, org):
    document = DocumentFactory(agency=org["district"], node=org["node"], status=Status.SUBMITTED)
    as_user(client, org["reviewer"])
    response = client.post(
        reverse("admin:disclosure_document_change", args=[document.pk]),
        change_form(document, title="审核人改写"),
    )
    assert response.status_code == 403
    assert Document.objects.get(pk=document.pk).title != "审核人改写"


def test_the_interprets_choices_hold_nothing_the_public_cannot_see(client, org):
    from tests.factories import published

    published(agency=org["other"], node=org["node"], title="教委公开办法")
    published(
        agency=org["other"],
        node=org["node"],
        title="教委不予公开文件",
        disclosure_mode=Document.DisclosureMode.EXEMPT,
    )
    from disclosure.documents.services import publish

    publish(
        DocumentFactory(agency=org["other"], node=org["node"], title="教委定时文件"),
        at=timezone.now() + timedelta(days=9),
    )
    as_user(client, org["editor"])
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "disclosure",
            "model_name": "document",
            "field_name": "interprets",
            "term": "教委",
        },
    )
    titles = {r["text"] for r in response.json()["results"]}
    assert titles == {"教委公开办法"}


def test_the_publish_page_loads_the_translations_its_date_widgets_need(client, org):
    document = DocumentFactory(status=Status.SUBMITTED, agency=org["district"])
    as_user(client, org["reviewer"])
    page = client.get(
        reverse("admin:disclosure_document_transition", args=[document.pk, "publish"])
    ).content.decode()
    # DateTimeShortcuts.js calls gettext(); without the catalogue the 今天/现在 links never show.
    assert "DateTimeShortcuts.js" in page
    assert page.index(reverse("admin:jsi18n")) < page.index("DateTimeShortcuts.js")
