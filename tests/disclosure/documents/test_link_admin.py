"""What staff see of the link checks: the list of broken links, scoped to their agencies and
their permission, the 链接检查 section of a document, and the reviewer's warning."""

import pytest
from django.urls import reverse

from disclosure.documents.links import broken_links
from disclosure.documents.models import LinkCheck
from disclosure.documents.services import submit
from portal.actors import SYSTEM
from portal.roles import AUDITOR, CATALOGUER, EDITOR, REVIEWER
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory, published

pytestmark = pytest.mark.django_db

LIST = "admin:disclosure_linkcheck_changelist"


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ALLOWED_HOSTS = ["gk.tongliang.gov.cn", "testserver"]
    settings.PORTAL_BASE_URL = "https://gk.tongliang.gov.cn"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def two_agencies(on_commit):
    ours, theirs = AgencyFactory(name="区教委"), AgencyFactory(name="区卫健委")
    with on_commit():
        mine = published(agency=ours, title="教委通知", body='<a href="/no/such/">坏链接</a>')
        other = published(agency=theirs, title="卫健委通知", body='<a href="/gone/">他们的</a>')
    return {"ours": ours, "theirs": theirs, "mine": mine, "other": other}


def login(client, role, agencies):
    user = StaffUserFactory(role=role, agencies=agencies)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", [EDITOR, REVIEWER])
def test_staff_see_the_broken_links_of_their_own_agencies_only(client, two_agencies, role):
    user = login(client, role, [two_agencies["ours"]])
    response = client.get(reverse(LIST))
    page = response.content.decode()
    assert response.status_code == 200
    assert "教委通知" in page and "/no/such/" in page and "本站没有这个页面" in page
    assert "卫健委通知" not in page and "/gone/" not in page
    assert list(broken_links(user)) == list(LinkCheck.objects.filter(document=two_agencies["mine"]))


def test_the_agency_filter_offers_the_users_agencies_only(client, two_agencies):
    login(client, REVIEWER, [two_agencies["ours"]])
    page = client.get(reverse(LIST)).content.decode()
    assert "区教委" in page and "区卫健委" not in page
    theirs = client.get(reverse(LIST), {"agency": two_agencies["theirs"].pk})
    assert "卫健委通知" not in theirs.content.decode()


def test_the_document_list_links_to_the_broken_links(client, two_agencies):
    login(client, REVIEWER, [two_agencies["ours"]])
    documents = reverse("admin:disclosure_document_changelist")
    assert reverse(LIST) in client.get(documents).content.decode()


def test_auditors_see_every_agency(client, two_agencies):
    login(client, AUDITOR, [])
    page = client.get(reverse(LIST)).content.decode()
    assert "教委通知" in page and "卫健委通知" in page


def test_staff_without_the_permission_are_refused(client, two_agencies):
    login(client, CATALOGUER, [two_agencies["ours"]])
    assert client.get(reverse(LIST)).status_code == 403


def test_the_list_cannot_be_changed(client, two_agencies):
    login(client, REVIEWER, [two_agencies["ours"]])
    row = LinkCheck.objects.get(document=two_agencies["mine"])
    assert client.get(reverse("admin:disclosure_linkcheck_add")).status_code == 403
    change = client.post(reverse("admin:disclosure_linkcheck_change", args=[row.pk]), {})
    assert change.status_code in (302, 403)
    assert LinkCheck.objects.filter(pk=row.pk, url="/no/such/").exists()


def test_links_of_withdrawn_documents_leave_the_list(client, two_agencies, on_commit):
    from disclosure.documents.services import withdraw

    login(client, AUDITOR, [])
    with on_commit():
        withdraw(two_agencies["mine"], SYSTEM, "已失效")
    assert "教委通知" not in client.get(reverse(LIST)).content.decode()


def test_the_list_costs_the_same_for_more_rows(client, two_agencies, on_commit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, AUDITOR, [])
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(LIST)).status_code == 200
        counts.append(len(queries))
        with on_commit():
            for n in range(5):
                published(agency=two_agencies["ours"], body=f'<a href="/x/{n}/">坏</a>')
    assert counts[0] == counts[1]


def test_the_document_page_shows_its_link_checks(client, two_agencies):
    login(client, REVIEWER, [two_agencies["ours"]])
    url = reverse("admin:disclosure_document_change", args=[two_agencies["mine"].pk])
    page = client.get(url).content.decode()
    assert "链接检查" in page and "/no/such/" in page and "无法访问" in page


# Committed for real: the check runs when the publication commits, inside the request.
@pytest.mark.django_db(transaction=True)
def test_the_reviewer_is_warned_of_broken_links_before_and_after_publishing(client):
    agency = AgencyFactory()
    editor = StaffUserFactory(role=EDITOR, agencies=[agency])
    withdrawn_target = published(agency=agency)
    from disclosure.documents.services import withdraw

    withdraw(withdrawn_target, SYSTEM, "已废止")
    document = DocumentFactory(
        agency=agency, body=f'<a href="/documents/{withdrawn_target.pk}/">原文</a>'
    )
    submit(document, editor)
    login(client, REVIEWER, [agency])
    url = reverse("admin:disclosure_document_transition", args=[document.pk, "publish"])
    page = client.get(url).content.decode()
    assert "目前无法访问" in page and "链接指向的文件已撤回" in page
    response = client.post(url, {}, follow=True)
    document.refresh_from_db()
    assert document.status == document.Status.PUBLISHED  # a warning, not a refusal
    shown = [str(m) for m in response.context["messages"]]
    assert any("1 个本站链接或附件无法访问" in m for m in shown)


def test_the_revision_page_warns_of_broken_links_in_the_new_body(client):
    from disclosure.documents.services import propose_revision

    agency = AgencyFactory()
    author = StaffUserFactory(role=REVIEWER, agencies=[agency])
    document = published(agency=agency)
    revision = propose_revision(document, author, {"body": '<a href="/no/such/">新增链接</a>'})
    login(client, REVIEWER, [agency])
    url = reverse("admin:disclosure_document_revision", args=[document.pk, revision.pk])
    page = client.get(url).content.decode()
    assert "目前无法访问" in page and "不影响批准" in page and "新增链接" in page
    assert "本站没有这个页面" in page
