"""The links of a document: which are checked and how, and what a publication, an approved
revision and a withdrawal do to the results."""

import pytest
from django.urls import reverse

from disclosure.documents import links
from disclosure.documents.links import Kind, broken_links, classify, extract_links
from disclosure.documents.models import LinkCheck
from disclosure.documents.services import (
    approve_revision,
    propose_revision,
    publish,
    withdraw,
)
from portal.actors import SYSTEM
from portal.roles import REVIEWER
from portal.sanitize import clean_html
from tests.factories import (
    AgencyFactory,
    AttachmentFactory,
    DocumentFactory,
    StaffUserFactory,
    published,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ALLOWED_HOSTS = ["gk.tongliang.gov.cn", ".tongliang.gov.cn"]
    settings.PORTAL_BASE_URL = "https://gk.tongliang.gov.cn"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the services leave for after the commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


BASE = "/documents/7/"


@pytest.mark.parametrize(
    "url, kind, path",
    [
        ("/documents/8/", Kind.INTERNAL, "/documents/8/"),
        ("../8/", Kind.INTERNAL, "/documents/8/"),
        ("attachments/3/", Kind.INTERNAL, "/documents/7/attachments/3/"),
        ("https://gk.tongliang.gov.cn/catalog/2/?page=2#top", Kind.INTERNAL, "/catalog/2/"),
        ("http://www.tongliang.gov.cn/documents/9/", Kind.INTERNAL, "/documents/9/"),
        ("https://www.gov.cn/zhengce/", Kind.EXTERNAL, ""),
        ("//www.cq.gov.cn/a.html", Kind.EXTERNAL, ""),
        ("https://gk.tongliang.gov.cn:8443/x/", Kind.EXTERNAL, ""),
        ("/media/editor/%E5%9B%BE.png", Kind.INTERNAL, "/media/editor/图.png"),
    ],
)
def test_links_are_internal_on_this_site_and_external_elsewhere(url, kind, path):
    link = classify(url, BASE)
    assert link.kind == kind
    assert link.path == path


@pytest.mark.parametrize(
    "url", ["#section-2", "mailto:gongkai@tongliang.gov.cn", "tel:023-45632266", "", "  "]
)
def test_anchors_mail_and_phone_links_are_not_checked(url):
    assert classify(url, BASE) is None


def test_the_sanitiser_leaves_no_javascript_link_to_check():
    body = clean_html(
        '<a href="javascript:alert(1)">x</a><a href="vbscript:x">y</a>'
        '<img src="data:text/html;base64,PHNjcmlwdD4="><a href="/documents/1/">原文</a>'
    )
    document = DocumentFactory(body=body)
    assert [link.url for link in extract_links(document)] == ["/documents/1/"]


def test_links_and_images_of_the_body_are_extracted_once_each_with_their_text():
    document = DocumentFactory(
        body=(
            '<p><a href="https://www.gov.cn/zhengce/">国务院 <b>政策</b></a>'
            '<img src="/media/editor/1/a.png" alt="示意图">'
            '<a href="https://www.gov.cn/zhengce/">again</a><a href="#x">目录</a></p>'
        )
    )
    found = extract_links(document)
    assert [(link.url, link.place, link.text) for link in found] == [
        ("https://www.gov.cn/zhengce/", LinkCheck.Place.LINK, "国务院 政策"),
        ("/media/editor/1/a.png", LinkCheck.Place.IMAGE, "示意图"),
    ]


def test_no_more_than_the_bound_of_links_is_read(monkeypatch):
    monkeypatch.setattr(links, "MAX_LINKS", 3)
    body = "".join(f'<a href="https://example.org/{n}">{n}</a>' for n in range(10))
    assert len(extract_links(DocumentFactory(body=body))) == 3


def rows(document):
    return {row.url: row for row in LinkCheck.objects.filter(document=document)}


def test_a_publication_checks_internal_links_and_records_external_ones(on_commit):
    target = published()
    withdrawn = published()
    withdraw(withdrawn, SYSTEM, "已失效")
    draft = DocumentFactory()
    document = DocumentFactory(
        body=(
            f'<a href="/documents/{target.pk}/">有效</a>'
            f'<a href="/documents/{withdrawn.pk}/">已撤回</a>'
            f'<a href="https://gk.tongliang.gov.cn/documents/{draft.pk}/">草稿</a>'
            '<a href="/no/such/page/">无</a>'
            '<a href="https://www.gov.cn/zhengce/">外部</a>'
        )
    )
    with on_commit():
        publish(document)
    found = rows(document)
    assert found[f"/documents/{target.pk}/"].ok is True
    assert found[f"/documents/{withdrawn.pk}/"].ok is False
    assert found[f"/documents/{withdrawn.pk}/"].error == "链接指向的文件已撤回"
    assert found[f"https://gk.tongliang.gov.cn/documents/{draft.pk}/"].error == (
        "链接指向的文件不存在或尚未公开"
    )
    assert found["/no/such/page/"].error == "本站没有这个页面"
    external = found["https://www.gov.cn/zhengce/"]
    assert (external.kind, external.ok, external.checked_at) == (Kind.EXTERNAL, None, None)
    assert found[f"/documents/{withdrawn.pk}/"].first_broken_at is not None


def test_a_missing_attachment_file_is_broken_and_a_stored_one_is_not(on_commit):
    document = DocumentFactory()
    kept = AttachmentFactory(document=document)
    lost = AttachmentFactory(document=document)
    lost.file.storage.delete(lost.file.name)
    with on_commit():
        publish(document)
    found = rows(document)
    assert found[kept.get_absolute_url()].ok is True
    assert found[lost.get_absolute_url()].ok is False
    assert found[lost.get_absolute_url()].error == "附件文件在存储中缺失"
    assert found[lost.get_absolute_url()].kind == Kind.ATTACHMENT


def test_a_link_to_another_documents_attachment_needs_the_file_and_a_public_document(on_commit):
    other = DocumentFactory()
    attachment = AttachmentFactory(document=other)
    with on_commit():
        publish(other)
    url = reverse("disclosure:attachment", args=[other.pk, attachment.pk])
    document = DocumentFactory(body=f'<a href="{url}">附件</a><a href="{url}999/">无</a>')
    with on_commit():
        publish(document)
    assert rows(document)[url].ok is True
    with on_commit():
        withdraw(other, SYSTEM, "已失效")
    assert rows(document)[url].ok is False


def test_withdrawing_a_document_breaks_the_links_to_it_at_once(on_commit):
    target = published()
    document = DocumentFactory(body=f'<a href="/documents/{target.pk}/">原文</a>')
    with on_commit():
        publish(document)
    assert rows(document)[f"/documents/{target.pk}/"].ok is True
    with on_commit():
        withdraw(target, SYSTEM, "已废止")
    row = rows(document)[f"/documents/{target.pk}/"]
    assert (row.ok, row.error) == (False, "链接指向的文件已撤回")
    assert row.first_broken_at is not None
    assert list(broken_links(SYSTEM)) == [row]


def test_publishing_the_target_mends_the_links_to_it(on_commit):
    target = DocumentFactory()
    document = DocumentFactory(body=f'<a href="/documents/{target.pk}/">解读</a>')
    with on_commit():
        publish(document)
    assert rows(document)[f"/documents/{target.pk}/"].ok is False
    with on_commit():
        publish(target)
    row = rows(document)[f"/documents/{target.pk}/"]
    assert (row.ok, row.first_broken_at) == (True, None)


def test_an_approved_revision_checks_the_new_body_and_drops_links_it_removed(on_commit):
    agency = AgencyFactory()
    author = StaffUserFactory(role=REVIEWER, agencies=[agency])
    reviewer = StaffUserFactory(role=REVIEWER, agencies=[agency])
    document = published(agency=agency, body='<a href="/gone/">旧链接</a>')
    with on_commit():
        publish(DocumentFactory())  # nothing to do with it
    revision = propose_revision(document, author, {"body": '<a href="/elsewhere/">新链接</a>'})
    with on_commit():
        approve_revision(revision, reviewer)
    assert set(rows(document)) == {"/elsewhere/"}
    assert rows(document)["/elsewhere/"].ok is False


def test_a_link_broken_again_keeps_when_it_first_broke(on_commit):
    document = DocumentFactory(body='<a href="/no/such/page/">无</a>')
    with on_commit():
        publish(document)
    first = rows(document)["/no/such/page/"].first_broken_at
    links.check_document(document.pk)
    assert rows(document)["/no/such/page/"].first_broken_at == first
    assert rows(document)["/no/such/page/"].failures == 2


def test_staff_only_pages_and_missing_editor_images_are_broken(on_commit):
    document = DocumentFactory(
        body=(
            '<a href="/documents/1/preview/">预览</a><a href="/admin/">后台</a>'
            '<img src="/media/editor/1/2026/01/none.png" alt="图">'
        )
    )
    found = dict(links.broken_internal(document))
    errors = {link.url: outcome.error for link, outcome in found.items()}
    assert errors == {
        "/documents/1/preview/": "链接指向仅工作人员可以打开的页面",
        "/admin/": "链接指向仅工作人员可以打开的页面",
        "/media/editor/1/2026/01/none.png": "图片文件在存储中缺失",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/static/..%2f..%2f..%2fetc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static//etc/passwd",
    ],
)
def test_a_static_path_leaving_the_static_files_is_broken_not_an_error(url, on_commit):
    document = DocumentFactory(body=f'<a href="{url}">x</a><a href="/no/such/">y</a>')
    errors = {link.url: outcome.error for link, outcome in links.broken_internal(document)}
    assert errors == {url: "本站没有这个文件", "/no/such/": "本站没有这个页面"}
    with on_commit():
        publish(document)
    assert rows(document)[url].error == "本站没有这个文件"


def test_a_static_path_leaving_the_static_files_does_not_stop_the_internal_run():
    from django.core.management import call_command

    first = published(body='<a href="/static/..%2f..%2fetc/passwd">x</a>')
    second = published(body='<a href="/no/such/">y</a>')
    call_command("check_links", "--internal")
    assert rows(first)["/static/..%2f..%2fetc/passwd"].ok is False
    assert rows(second)["/no/such/"].ok is False


HUGE = "9" * 25  # no row has such an id: the database cannot even hold it


@pytest.mark.parametrize(
    "url, error",
    [
        (f"/documents/{HUGE}/", "链接指向的文件不存在或尚未公开"),
        (f"/documents/{HUGE}/attachments/{HUGE}/", "链接指向的文件不存在或尚未公开"),
        (f"/catalog/{HUGE}/", "链接指向的栏目不存在或未公开"),
    ],
)
def test_an_id_too_large_for_the_database_is_a_broken_link_not_an_error(url, error):
    document = DocumentFactory(body=f'<a href="{url}">x</a>')
    errors = {link.url: outcome.error for link, outcome in links.broken_internal(document)}
    assert errors == {url: error}


def test_an_id_too_large_for_the_database_does_not_stop_the_internal_run():
    from django.core.management import call_command

    first = published(body=f'<a href="/documents/{HUGE}/">x</a>')
    second = published(body='<a href="/no/such/">y</a>')
    call_command("check_links", "--internal")
    assert rows(first)[f"/documents/{HUGE}/"].error == "链接指向的文件不存在或尚未公开"
    assert rows(second)["/no/such/"].ok is False


def test_a_stored_editor_image_and_a_visible_column_are_fine(tmp_path):
    from catalog.models import CatalogNode

    image = tmp_path / "editor" / "1" / "a.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    column = CatalogNode.objects.create(name="政策文件")
    hidden = CatalogNode.objects.create(name="内部", is_visible=False)
    document = DocumentFactory(
        body=(
            f'<img src="/media/editor/1/a.png"><a href="/catalog/{column.pk}/">栏目</a>'
            f'<a href="/catalog/{hidden.pk}/">隐藏栏目</a>'
        )
    )
    broken = [link.url for link, _outcome in links.broken_internal(document)]
    assert broken == [f"/catalog/{hidden.pk}/"]


def publish_with_links(count, on_commit):
    targets = [published() for _ in range(count)]
    body = "".join(f'<a href="/documents/{t.pk}/">{t.pk}</a>' for t in targets)
    body += "".join(f'<a href="https://example.org/{n}">{n}</a>' for n in range(count))
    document = DocumentFactory(body=body)
    for _ in range(2):
        AttachmentFactory(document=document)
    return document


def test_the_queries_of_a_publication_do_not_grow_with_its_links(
    on_commit, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for count in (2, 20):
        document = publish_with_links(count, on_commit)
        with CaptureQueriesContext(connection) as queries, on_commit():
            publish(document)
        counts.append(len(queries))
        assert LinkCheck.objects.filter(document=document).count() == 2 * count + 2
    assert counts[0] == counts[1]


def test_the_internal_run_mends_links_to_a_scheduled_document_once_it_is_due(on_commit):
    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    later = timezone.now() + timezone.timedelta(days=1)
    scheduled = published(published_at=later)
    document = DocumentFactory(body=f'<a href="/documents/{scheduled.pk}/">明日公开</a>')
    with on_commit():
        publish(document)
    assert rows(document)[f"/documents/{scheduled.pk}/"].error == "链接指向的文件不存在或尚未公开"
    with time_machine.travel(later + timezone.timedelta(minutes=1)):
        call_command("check_links", "--internal")
        assert rows(document)[f"/documents/{scheduled.pk}/"].ok is True


def test_the_internal_run_checks_documents_that_were_never_checked():
    from django.core.management import call_command

    target = published()
    document = published(body=f'<a href="/documents/{target.pk}/">原文</a>')  # no commit: unchecked
    withdraw(target, SYSTEM, "已废止")
    assert not LinkCheck.objects.exists()
    call_command("check_links", "--internal")
    assert rows(document)[f"/documents/{target.pk}/"].error == "链接指向的文件已撤回"
    assert [row.document for row in broken_links(SYSTEM)] == [document]


def test_a_document_whose_check_fails_is_logged_and_the_run_goes_on(monkeypatch, caplog):
    first = published(body='<a href="/no/such/">x</a>')
    second = published(body='<a href="/no/such/">y</a>')
    check = links.check_document

    def failing(pk):
        if pk == first.pk:
            raise RuntimeError("storage unreachable")
        check(pk)

    monkeypatch.setattr(links, "check_document", failing)
    assert links.check_public_documents() == 1
    assert rows(second)["/no/such/"].ok is False
    assert f"文件 {first.pk} 的链接检查失败" in caplog.text


def test_a_draft_of_another_agency_and_a_missing_document_read_alike():
    # The check's words must not tell staff which ids of other agencies are drafts.
    other = DocumentFactory(agency=AgencyFactory())
    missing = other.pk + 1000
    document = DocumentFactory(
        body=f'<a href="/documents/{other.pk}/">草稿</a><a href="/documents/{missing}/">无</a>'
    )
    errors = {link.url: outcome.error for link, outcome in links.broken_internal(document)}
    assert errors[f"/documents/{other.pk}/"] == errors[f"/documents/{missing}/"]
