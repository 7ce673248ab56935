"""The site import in the admin: upload, preview, map every unknown value, then import."""

import re
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.documents import actions as document_actions
from disclosure.documents.models import Document, Topic
from disclosure.site_import import uploads
from portal.models import AuditEvent
from portal.roles import EDITOR, REVIEWER, sync_roles
from tests.disclosure.site_import.packages import index_number, package, row
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:disclosure_document_site_import")
MAP = reverse("admin:disclosure_document_site_import_map")
APPLY = reverse("admin:disclosure_document_site_import_apply")


def staff(*roles, agencies=()):
    sync_roles()
    user = StaffUserFactory()
    user.groups.add(*Group.objects.filter(name__in=roles))
    user.agencies.add(*agencies)
    return user


@pytest.fixture
def reviewer(client, portal_site):
    user = staff(EDITOR, REVIEWER, agencies=[portal_site["agency"]])
    client.force_login(user)
    return user


def zip_upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")


def ticket_of(response):
    return re.search(r'name="ticket" value="([^"]+)"', response.content.decode())[1]


def test_anonymous_users_cannot_reach_the_import_pages(client, portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225)])
    for url in (UPLOAD, MAP, APPLY):
        response = client.post(url, {"file": zip_upload(path), "status": "published"})
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    assert not Document.objects.exists()


def test_staff_who_may_not_add_documents_are_refused(client, portal_site):
    client.force_login(StaffUserFactory())

    assert client.get(UPLOAD).status_code == 403
    assert client.post(APPLY, {"ticket": "x"}).status_code == 403


def test_an_editor_who_may_not_publish_is_offered_drafts_only(client, portal_site):
    client.force_login(staff(EDITOR, agencies=[portal_site["agency"]]))

    page = client.get(UPLOAD).content.decode()

    assert 'value="draft"' in page
    assert 'value="published"' not in page


def test_preview_then_map_an_unknown_topic_then_import(client, reviewer, portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225, 主题分类="城建"), row(226)])

    preview = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"})

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "主题分类“城建”（第2行）" in page
    assert "确认导入" not in page
    assert not Document.objects.exists()

    building = Topic.objects.get(name="城乡建设", parent__name="城乡建设、环境保护")
    mapped = client.post(MAP, {"ticket": ticket_of(preview), "topic-0": building.pk})

    page = mapped.content.decode()
    assert "确认导入" in page
    assert "城建" not in page
    assert not Document.objects.exists()

    done = client.post(APPLY, {"ticket": ticket_of(mapped)})

    assert done.status_code == 302
    assert Document.objects.get(index_serial=225).topic == building
    assert Document.objects.filter(status=Document.Status.PUBLISHED).count() == 2
    event = AuditEvent.objects.get(action=document_actions.IMPORT_DOCUMENTS)
    assert event.actor == reviewer
    assert event.details["index_numbers"] == [index_number(225), index_number(226)]
    assert not list(uploads.upload_folder().iterdir())


def test_a_confirmed_preview_imported_again_skips_everything(client, reviewer, tmp_path):
    path = package(tmp_path / "old.zip", [row(225)])
    preview = client.post(UPLOAD, {"file": zip_upload(path), "status": "draft"})
    client.post(APPLY, {"ticket": ticket_of(preview)})

    again = client.post(UPLOAD, {"file": zip_upload(path), "status": "draft"})

    assert "已导入过（跳过）<strong>1</strong> 份" in again.content.decode()
    assert "确认导入" not in again.content.decode()
    assert Document.objects.get().status == Document.Status.DRAFT


def test_a_bad_row_is_shown_and_no_import_is_offered(client, reviewer, tmp_path):
    path = package(tmp_path / "old.zip", [row(225), row(226, 发布日期="不详")])

    page = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"}).content

    assert "发布日期“不详”无法识别" in page.decode()
    assert "确认导入" not in page.decode()


def test_an_apply_after_the_data_changed_shows_the_new_preview_and_writes_nothing(
    client, reviewer, tmp_path
):
    path = package(tmp_path / "old.zip", [row(225)])
    preview = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"})
    Topic.objects.filter(name="其他", parent=None).delete()

    response = client.post(APPLY, {"ticket": ticket_of(preview)})

    assert response.status_code == 200
    assert "预览之后数据已有变化" in response.content.decode()
    assert not Document.objects.exists()


def test_a_hostile_zip_is_refused_at_upload(client, reviewer, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.csv", "标题\n")
        archive.writestr("bodies/a.html", b"\0" * (32 * 1024 * 1024))

    response = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"})

    assert "压缩比" in response.content.decode()
    assert not uploads.upload_folder().exists()


def test_a_file_that_is_not_a_zip_is_refused(client, reviewer):
    fake = SimpleUploadedFile("old.zip", b"%PDF-1.4 not a zip")

    response = client.post(UPLOAD, {"file": fake, "status": "published"})

    assert "不是 zip 压缩包" in response.content.decode()


def test_a_forged_or_foreign_ticket_starts_again(client, reviewer, portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225)])
    preview = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"})
    client.force_login(staff(EDITOR, REVIEWER, agencies=[portal_site["agency"]]))

    for ticket in (ticket_of(preview), "forged"):
        response = client.post(APPLY, {"ticket": ticket})
        assert response.status_code == 302
        assert response["Location"] == UPLOAD
    assert not Document.objects.exists()


def test_a_preview_of_another_agencys_documents_lists_them_as_not_allowed(
    client, portal_site, tmp_path
):
    from tests.factories import AgencyFactory

    client.force_login(staff(EDITOR, REVIEWER, agencies=[AgencyFactory()]))
    path = package(tmp_path / "old.zip", [row(225)])

    page = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"}).content

    assert "您无权在发布机构“铜梁区人民政府”下导入文件。" in page.decode()


def test_an_unknown_agency_column_and_genre_are_each_chosen_once_for_every_row(
    client, reviewer, portal_site, tmp_path
):
    rows = [
        row(225, 发布机构="铜梁区政府", 栏目="信息公开 > 建议提案", 体裁分类="复函"),
        row(226, 发布机构="铜梁区政府", 栏目="信息公开 > 建议提案", 体裁分类="复函"),
    ]
    path = package(tmp_path / "old.zip", rows)
    preview = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"})
    page = preview.content.decode()
    assert "发布机构“铜梁区政府”（第2、3行）" in page
    assert "栏目“信息公开 &gt; 建议提案”（第2、3行）" in page
    assert "体裁分类“复函”（第2、3行）" in page

    mapped = client.post(
        MAP,
        {
            "ticket": ticket_of(preview),
            "agency-0": portal_site["agency"].pk,
            "node-0": portal_site["replies"].pk,
            "genre-0": portal_site["genre"].pk,
        },
    )
    client.post(APPLY, {"ticket": ticket_of(mapped)})

    assert set(Document.objects.values_list("agency", "node", "genre")) == {
        (portal_site["agency"].pk, portal_site["replies"].pk, portal_site["genre"].pk)
    }


def test_a_column_outside_the_staff_members_scope_cannot_be_chosen(
    client, reviewer, portal_site, tmp_path
):
    from catalog.models import CatalogNode
    from tests.factories import AgencyFactory

    theirs = CatalogNode.objects.create(
        name="别的机构的栏目", parent=portal_site["policies"], agency=AgencyFactory()
    )
    path = package(tmp_path / "old.zip", [row(225, 栏目="信息公开 > 建议提案")])
    preview = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"})
    assert f'value="{theirs.pk}"' not in preview.content.decode()

    mapped = client.post(MAP, {"ticket": ticket_of(preview), "node-0": theirs.pk})

    assert "确认导入" not in mapped.content.decode()
    assert not Document.objects.exists()


def test_the_preview_costs_at_most_two_queries_a_row(
    client, reviewer, tmp_path, django_assert_max_num_queries
):
    small = package(tmp_path / "small.zip", [row(s) for s in range(225, 227)])
    large = package(tmp_path / "large.zip", [row(s) for s in range(225, 245)])
    with django_assert_max_num_queries(1000) as counted:
        client.post(UPLOAD, {"file": zip_upload(small), "status": "published"})
    base = len(counted.captured_queries)

    with django_assert_max_num_queries(base + 2 * 18):
        client.post(UPLOAD, {"file": zip_upload(large), "status": "published"})


def test_many_unknown_columns_are_asked_a_hundred_at_a_time(client, reviewer, tmp_path):
    rows = [row(1000 + n, 栏目=f"信息公开 > 栏目{n:03d}") for n in range(105)]
    path = package(tmp_path / "old.zip", rows)

    page = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"}).content

    assert "未对应的值 <strong>105</strong> 个" in page.decode()
    assert page.decode().count('<select name="node-') == 100


def test_a_migrated_documents_change_page_says_where_it_came_from(client, reviewer, tmp_path):
    path = package(tmp_path / "旧网站导出.zip", [row(225)])
    preview = client.post(UPLOAD, {"file": zip_upload(path), "status": "draft"})
    client.post(APPLY, {"ticket": ticket_of(preview)})
    document = Document.objects.get()

    page = client.get(reverse("admin:disclosure_document_change", args=[document.pk]))

    assert "旧网站导出.zip" in page.content.decode()
    assert index_number(225) in page.content.decode()


def test_the_reviewer_is_told_which_documents_wait_as_drafts_for_their_wording(
    client, reviewer, tmp_path
):
    from django.contrib.messages import get_messages

    from disclosure.documents import wording
    from disclosure.documents.models import WordRule

    wording._compiled = (None, None)
    WordRule.objects.create(wrong="台湾政府", right="台湾当局", severity="severe")
    try:
        path = package(tmp_path / "old.zip", [row(225, 标题="台湾政府来函的复函"), row(226)])
        preview = client.post(UPLOAD, {"file": zip_upload(path), "status": "published"})
        response = client.post(APPLY, {"ticket": ticket_of(preview)})
    finally:
        wording._compiled = (None, None)
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "其中 1 份含有严重错敏词，已作为草稿导入，须审核后发布。" in said
    assert Document.objects.get(migrated_index_number=index_number(225)).status == "draft"
