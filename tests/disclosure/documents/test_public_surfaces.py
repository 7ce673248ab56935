"""The leak matrix: nothing that is not public reaches an anonymous user, on any surface.

Each surface is one entry in SURFACES: a function that returns the text an anonymous visitor
gets (or None when the surface answers 404 for the document).
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from disclosure.documents.models import Document
from disclosure.documents.services import publish
from portal.actors import SYSTEM
from tests.factories import AttachmentFactory, DocumentFactory, published


def detail(client, doc, nodes):
    response = client.get(reverse("disclosure:document", args=[doc.pk]))
    return None if response.status_code == 404 else response.content.decode()


def node_listing(client, doc, nodes):
    return client.get(nodes["root"].get_absolute_url()).content.decode()


def tree_counts(client, doc, nodes):
    return client.get(reverse("catalog:tree")).content.decode()


def home(client, doc, nodes):
    return client.get(reverse("home")).content.decode()


def rss(client, doc, nodes):
    return client.get(reverse("disclosure:feed-rss")).content.decode()


def atom(client, doc, nodes):
    return client.get(reverse("disclosure:feed-atom")).content.decode()


def node_feed(client, doc, nodes):
    return client.get(reverse("disclosure:node-feed-rss", args=[nodes["root"].pk])).content.decode()


def sitemap(client, doc, nodes):
    index = client.get(reverse("sitemap")).content.decode()
    pages = [
        client.get(reverse("sitemap-section", args=[section])).content.decode()
        for section in ("documents", "catalog")
    ]
    return index + "".join(pages)


def attachment(client, doc, nodes):
    att = doc.attachments.first()
    response = client.get(reverse("disclosure:attachment", args=[doc.pk, att.pk]))
    return None if response.status_code == 404 else response.getvalue().decode("latin-1")


def proposals(client, doc, nodes):
    from disclosure.proposals.models import ProposalReply
    from tests.factories import ProposalFactory

    if ProposalReply.objects.filter(document=doc).exists():  # a second visit
        return client.get(reverse("disclosure:proposals")).content.decode()
    proposal = ProposalFactory(number=doc.pk, title=f"{doc.title}的建议", lead_delegate="范川",
                               assigned_on=doc.written_on, lead_unit=doc.agency)  # fmt: skip
    # The reply is attached to the document under test as it is, not drafted through save_reply.
    ProposalReply.objects.create(proposal=proposal, document=doc, issuing_office="区政府办公室", body="<p>x</p>",
                                 signing_office="区政府办公室", letter_date=doc.written_on)  # fmt: skip
    return client.get(reverse("disclosure:proposals")).content.decode()


def search(client, doc, nodes):
    return client.get(reverse("search"), {"q": doc.title[:6]}).content.decode()


def public_export(client, doc, nodes):
    import io

    from openpyxl import load_workbook

    url = reverse("disclosure:export")
    text = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    xlsx = b"".join(client.get(url, {"format": "xlsx"}).streaming_content)
    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).worksheets[0]
    return text + repr(list(sheet.iter_rows(values_only=True)))


# A new public surface is one more entry here.
SURFACES = [
    detail,
    node_listing,
    tree_counts,
    home,
    rss,
    atom,
    node_feed,
    sitemap,
    attachment,
    proposals,
    search,
    public_export,
]


def make_draft(**kw):
    return DocumentFactory(**kw)


def make_future(**kw):
    return publish(DocumentFactory(**kw), at=timezone.now() + timedelta(days=2))


def make_on_request(**kw):
    return published(disclosure_mode=Document.DisclosureMode.ON_REQUEST, **kw)


def make_exempt(**kw):
    return published(disclosure_mode=Document.DisclosureMode.EXEMPT, **kw)


def make_submitted(**kw):
    return DocumentFactory(status=Document.Status.SUBMITTED, **kw)


def make_withdrawn(**kw):
    from disclosure.documents.services import withdraw

    return withdraw(published(**kw), SYSTEM, "政策调整")


HIDDEN_STATES = [
    make_draft,
    make_submitted,
    make_future,
    make_withdrawn,
    make_on_request,
    make_exempt,
]
SECRET_TITLE = "内部不公开的文件标题XYZ"


@pytest.fixture
def with_attachment(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path

    def add(document):
        AttachmentFactory(
            document=document, name="秘密附件.pdf", content=b"%PDF-1.7\nSECRETBYTES\n%%EOF"
        )
        return document

    return add


@pytest.mark.django_db
@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("make", HIDDEN_STATES, ids=lambda f: f.__name__[5:])
def test_non_public_document_is_absent_from_every_surface(
    client, site_tree, with_attachment, make, surface
):
    doc = with_attachment(make(title=SECRET_TITLE, node=site_tree["replies"]))
    text = surface(client, doc, site_tree)
    if text is None:
        return  # 404
    assert SECRET_TITLE not in text
    assert f"/documents/{doc.pk}/" not in text
    assert "SECRETBYTES" not in text
    if surface is tree_counts:
        # Its column counts no public document: 人大代表建议办理 leads to the replies' page
        # (shown even when empty), with no count beside it.
        assert "(1)" not in text
        assert '?body=congress">人大代表建议办理</a></li>' in text


@pytest.mark.django_db
@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("make", HIDDEN_STATES, ids=lambda f: f.__name__[5:])
def test_a_second_visit_served_from_the_page_cache_shows_no_more(
    client, site_tree, with_attachment, make, surface
):
    doc = with_attachment(make(title=SECRET_TITLE, node=site_tree["replies"]))
    first = surface(client, doc, site_tree)
    second = surface(client, doc, site_tree)
    assert second == first
    if second is not None:
        assert SECRET_TITLE not in second and f"/documents/{doc.pk}/" not in second


@pytest.mark.django_db
@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
def test_a_document_withdrawn_after_a_visit_is_gone_from_every_surface(
    client, site_tree, with_attachment, surface
):
    from disclosure.documents.services import withdraw

    doc = with_attachment(published(title="公开后撤回的文件标题", node=site_tree["replies"]))
    surface(client, doc, site_tree)  # the page is cached now
    withdraw(doc, SYSTEM, "政策调整")
    text = surface(client, doc, site_tree)
    if text is not None:
        assert "公开后撤回的文件标题" not in text
        assert f"/documents/{doc.pk}/" not in text
        assert "SECRETBYTES" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
def test_a_document_withdrawn_while_its_pages_are_rendered_afresh_is_gone_from_every_surface(
    client, site_tree, with_attachment, surface, monkeypatch, django_capture_on_commit_callbacks
):
    from disclosure.documents.services import withdraw
    from portal import page_cache

    def committed(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    # While another request renders a page afresh, a visit gets the page kept if the cache may
    # serve it (the clock stands still: its minute never passes).
    another_renders = {"now": True}
    monkeypatch.setattr(page_cache, "_take_render_lock", lambda key: not another_renders["now"])
    with time_machine.travel(timezone.now(), tick=False):
        title = "公开后撤回的文件标题"
        doc = committed(lambda: with_attachment(published(title=title, node=site_tree["replies"])))
        newer = DocumentFactory(title="同一栏目新发布的文件", node=site_tree["replies"])
        surface(client, doc, site_tree)  # the page is cached now
        committed(lambda: publish(newer))  # a change of the same pages, served while rendered
        stale = surface(client, doc, site_tree)
        if surface in (home, node_listing, rss, atom, node_feed):
            assert title in stale and "同一栏目新发布的文件" not in stale
        another_renders["now"] = False
        surface(client, doc, site_tree)  # this visit renders it afresh, and keeps it
        another_renders["now"] = True
        committed(lambda: withdraw(doc, SYSTEM, "政策调整"))
        text = surface(client, doc, site_tree)
    if text is not None:
        assert title not in text
        assert f"/documents/{doc.pk}/" not in text
        assert "SECRETBYTES" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
def test_public_document_is_present_on_every_surface(client, site_tree, with_attachment, surface):
    doc = with_attachment(published(title="公开的文件标题", node=site_tree["replies"]))
    text = surface(client, doc, site_tree)
    assert text is not None
    if surface is attachment:
        assert "SECRETBYTES" in text
    elif surface is tree_counts:
        assert "(1)" in text
    elif surface in (sitemap, search):
        assert f"/documents/{doc.pk}/" in text
    else:
        assert "公开的文件标题" in text


@pytest.mark.django_db
def test_a_scheduled_document_appears_by_itself_when_its_time_comes(client, site_tree):
    doc = publish(
        DocumentFactory(node=site_tree["replies"]), at=timezone.now() + timedelta(hours=1)
    )
    url = reverse("disclosure:document", args=[doc.pk])
    assert client.get(url).status_code == 404
    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        assert client.get(url).status_code == 200


HIDDEN_COLUMN = "内部栏目甲XYZ"
COLUMN_UNDER_HIDDEN = "内部子栏目乙XYZ"


@pytest.mark.django_db
@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
def test_a_hidden_column_is_named_on_no_surface(client, site_tree, with_attachment, surface):
    from catalog.models import CatalogNode

    hidden = CatalogNode.objects.create(
        name=HIDDEN_COLUMN, parent=site_tree["legal"], is_visible=False
    )
    beneath = CatalogNode.objects.create(name=COLUMN_UNDER_HIDDEN, parent=hidden)
    # Public documents filed in the hidden columns, and one also listed there.
    filed = with_attachment(published(title="公开文件一号通知", node=beneath))
    listed = with_attachment(published(title="公开文件二号通知", node=site_tree["replies"]))
    listed.extra_nodes.add(hidden)
    texts = [surface(client, doc, site_tree) for doc in (filed, listed)]
    assert None not in texts  # the documents are public: every surface answers for them
    for text in texts:
        assert HIDDEN_COLUMN not in text
        assert COLUMN_UNDER_HIDDEN not in text
