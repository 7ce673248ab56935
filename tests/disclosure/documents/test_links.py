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
        "链接指向的文件尚未公开"
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
    assert rows(document)[f"/documents/{scheduled.pk}/"].error == "链接指向的文件尚未公开"
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
