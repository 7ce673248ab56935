import re

import pytest
from django.conf import settings as django_settings

from disclosure.documents.models import Document
from disclosure.documents.services import set_legacy_index_number
from tests.disclosure.conftest import local
from tests.factories import AttachmentFactory, DocumentFactory, publish_on, published
from tests.qr import decode_svg_qr

pytestmark = pytest.mark.django_db

SEED_BODY = (django_settings.BASE_DIR / "disclosure/samples/reply_94.html").read_text(
    encoding="utf-8"
)
SEED_TITLE = "重庆市铜梁区人民政府办公室关于区第十八届人民代表大会第一次会议第94号建议的复函"


@pytest.fixture
def seed_document(site_tree, seed_meta):
    from datetime import date

    document = DocumentFactory(
        title=SEED_TITLE,
        body=SEED_BODY,
        node=site_tree["replies"],
        written_on=date(2022, 7, 15),
        keywords="人大代表建议 政务公开",
        **seed_meta,
    )
    set_legacy_index_number(document, "115002240093343308/2022-00225")
    return publish_on(document, local(2022, 7, 15))


def text_of(html):
    return re.sub(r"<[^>]+>", "", html)


def test_seed_document_page_shows_everything_the_seed_shows(client, seed_document):
    response = client.get(seed_document.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200

    nav = html[
        html.index('class="breadcrumb"') : html.index("</nav>", html.index('class="breadcrumb"'))
    ]
    crumbs = ["首页", "政务公开", "法定主动公开内容", "其他法定主动公开内容", "人大代表建议办理"]
    positions = [nav.index(c) for c in crumbs]
    assert positions == sorted(positions)

    meta = text_of(html[html.index('class="index-meta"') : html.index("</table>")])
    for label, value in [
        ("索引号", "115002240093343308/2022-00225"),
        ("主题分类", "其他"),
        ("体裁分类", "人大建议办理"),
        ("发布机构", "铜梁区人民政府"),
        ("成文日期", "2022-07-15"),
        ("发布日期", "2022-07-15"),
        ("关键词", "人大代表建议"),
    ]:
        assert re.search(rf"{label}\s*{re.escape(value)}", meta), (label, value)

    body = text_of(html)
    for text in [
        SEED_TITLE,
        "发布日期：2022-07-15",
        "字号",
        "范川代表：",
        "此复函已经区政府办公室主任汪文波审签",
        "请填写回执寄给区人大常委会人代工委",
        "2022年6月6日",
        "联系人：邱源旭，联系电话：023-45632266，邮政编码：402560",
        "渝府办发〔2021〕100号",
        "扫一扫在手机打开当前页",
    ]:
        assert text in body, text


def test_qr_code_decodes_to_the_page_url(client, seed_document):
    html = client.get(seed_document.get_absolute_url()).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    assert decode_svg_qr(svg) == [f"http://testserver{seed_document.get_absolute_url()}"]


def test_font_size_switch_works_without_javascript(client, seed_document):
    url = seed_document.get_absolute_url()
    assert 'class="fs-medium"' in client.get(url).content.decode()
    large = client.get(url, {"fs": "large"}).content.decode()
    assert 'class="fs-large"' in large
    assert 'href="?fs=large" data-font-size="large" aria-current="true"' in large
    assert 'class="fs-medium"' in client.get(url, {"fs": "<script>"}).content.decode()


def test_document_page_lists_attachments_and_other_nodes(client, site_tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    document = DocumentFactory(node=site_tree["replies"])
    document.extra_nodes.add(site_tree["policies"])
    AttachmentFactory(document=document, name="答复附件.pdf", content=b"%PDF-1.4\n" + b"x" * 2048)
    document = Document.objects.get(pk=document.pk)
    from disclosure.documents.services import publish

    published_document = publish(document)
    html = client.get(published_document.get_absolute_url()).content.decode()
    assert "答复附件.pdf" in html and "PDF" in html and "2.0" in html  # 2.0 KB
    assert "同时发布于" in html and "政策文件" in html


def test_document_page_query_budget(client, seed_document, django_assert_max_num_queries):
    # The catalogue's side navigation and the two neighbours (上一篇, 下一篇) among them.
    with django_assert_max_num_queries(10):
        assert client.get(seed_document.get_absolute_url()).status_code == 200


def test_body_is_sanitised_when_stored(site_tree):
    document = DocumentFactory(body='<p onclick="x()">正文</p><script>alert(1)</script>')
    document.refresh_from_db()
    assert document.body == "<p>正文</p>"


def test_a_document_whose_text_contains_markup_shows_it_as_text(client, site_tree):
    document = published(title="<script>alert(1)</script>标题", node=site_tree["replies"])
    html = client.get(document.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>标题" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;标题" in html


def test_the_title_and_body_come_before_the_metadata_box_in_the_page(client, seed_document):
    # On a phone they are read first; on a wide screen the CSS puts the box above the title.
    html = client.get(seed_document.get_absolute_url()).content.decode()
    assert html.index('id="doc-title"') < html.index('class="doc-body"') < html.index("index-meta")
    summary = html[html.index('class="doc-summary"') : html.index('class="doc-body"')]
    assert "铜梁区人民政府" in summary and 'href="#doc-meta"' in summary
