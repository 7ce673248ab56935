"""网页元数据 on every kind of public page, and the site's inspection settings in the footer."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import CatalogNode, ColumnKind
from disclosure.documents.services import publish
from portal.models import ERROR_REPORT_URL, SiteSettings
from tests.disclosure.conftest import local
from tests.factories import (
    AgencyFactory,
    CongressSessionFactory,
    ProposalFactory,
    ProposalReplyFactory,
    published,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def metas(html):
    """{name: content} of the page's <meta name=…> tags, with the content as written."""
    return dict(re.findall(r'<meta name="([A-Za-z]+)" content="([^"]*)">', html))


@pytest.fixture
def site(db):
    return SiteSettings.objects.create(
        site_name="铜梁区人民政府 政务公开",
        site_code="5002240001",
        site_domain="gk.tongliang.example.gov.cn",
        icp_number="渝ICP备12345678号",
        police_number="渝公网安备 50022402000001号",
    )


@pytest.fixture
def column(db):
    root = CatalogNode.objects.create(name="政务公开")
    return CatalogNode.objects.create(
        name="通知公告", parent=root, kind=ColumnKind.NOTICE, description="区政府的通知和公告"
    )


@pytest.fixture
def document(column):
    return published(
        title='关于"清明"假期<安排>的通知',
        node=column,
        agency=AgencyFactory(name="重庆市铜梁区人民政府办公室"),
        keywords="清明 放假",
        summary="清明节放假安排。",
        published_at=local(2025, 3, 28, 9),
    )


def assert_site_metas(found):
    assert found["SiteName"] == "铜梁区人民政府 政务公开"
    assert found["SiteDomain"] == "gk.tongliang.example.gov.cn"
    assert found["SiteIDCode"] == "5002240001"


def test_the_home_page_carries_the_site_metadata_only(client, site, document):
    found = metas(client.get(reverse("home")).content.decode())
    assert_site_metas(found)
    assert not {"ColumnName", "ArticleTitle", "PubDate"} & set(found)


def test_a_column_page_carries_its_name_and_kind(client, site, column, document):
    found = metas(client.get(column.get_absolute_url()).content.decode())
    assert_site_metas(found)
    assert found["ColumnName"] == "通知公告"
    assert found["ColumnType"] == "通知公告/政策文件"
    assert found["ColumnDescription"] == "区政府的通知和公告"
    assert "ArticleTitle" not in found


def test_a_document_page_carries_the_article_metadata_escaped(client, site, document):
    html = client.get(document.get_absolute_url()).content.decode()
    found = metas(html)
    assert_site_metas(found)
    assert found["ColumnName"] == "通知公告" and found["ColumnType"] == "通知公告/政策文件"
    assert found["ArticleTitle"] == "关于&quot;清明&quot;假期&lt;安排&gt;的通知"
    assert found["PubDate"] == "2025-03-28 09:00"
    assert found["ContentSource"] == "重庆市铜梁区人民政府办公室"
    assert found["Author"] == "重庆市铜梁区人民政府办公室"
    assert found["Keywords"] == "清明 放假"
    assert found["Description"] == "清明节放假安排。"
    assert found["Url"] == f"http://testserver{document.get_absolute_url()}"
    assert "<安排>" not in html.split("</head>")[0]


def test_the_search_and_proposal_pages_name_their_column(client, site, document):
    search = metas(client.get(reverse("search"), {"q": "清明"}).content.decode())
    assert_site_metas(search)
    assert search["ColumnName"] == "站内搜索"
    proposals = metas(client.get(reverse("disclosure:proposals")).content.decode())
    assert proposals["ColumnName"] == "建议提案办理"


def test_a_proposal_reply_page_is_an_article_of_the_reply_column(client, site):
    root = CatalogNode.objects.create(name="政务公开")
    CatalogNode.objects.create(name="人大代表建议办理", slug="rddbjy", parent=root)
    CatalogNode.objects.create(name="政协委员提案办理", slug="zxwyta", parent=root)
    session = CongressSessionFactory(body="congress", level="区", term=18, session=1, year=2022)
    reply = ProposalReplyFactory(proposal=ProposalFactory(session=session, number=94))
    document = publish(reply.document)
    found = metas(client.get(document.get_absolute_url()).content.decode())
    assert_site_metas(found)
    assert found["ColumnName"] == "人大代表建议办理"
    assert found["ArticleTitle"] == document.title
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", found["PubDate"])


def test_the_site_domain_falls_back_to_the_host_asked_for(client, db):
    SiteSettings.objects.create(site_code="5002240001")
    found = metas(client.get(reverse("home")).content.decode())
    assert found["SiteDomain"] == "testserver"


def footer(client):
    html = client.get(reverse("home")).content.decode()
    return html[html.index('<footer class="site-footer">') :]


def test_the_footer_shows_the_registrations_error_report_and_badge(
    client, site, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    text = footer(client)
    assert "网站标识码：5002240001" in text and "渝ICP备12345678号" in text
    # The record's query page, by the digits of the number.
    assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=50022402000001"' in text
    assert f'href="{ERROR_REPORT_URL}"' in text and "我为政府网站找错" in text
    assert "党政机关网站标识" not in text  # no image uploaded: no badge
    site.badge_image = SimpleUploadedFile("标识.png", PNG, content_type="image/png")
    site.badge_link = "https://bszs.conac.cn/sitename?method=show&id=TEST"
    site.full_clean()
    site.save()
    text = footer(client)
    assert 'alt="党政机关网站标识"' in text and site.badge_image.url in text
    assert 'href="https://bszs.conac.cn/sitename?method=show&amp;id=TEST"' in text
    assert re.fullmatch(r"site/dzjg-[0-9a-f]{32}\.png", site.badge_image.name)


def test_an_error_report_address_can_be_changed_or_left_out(client, site):
    site.error_report_url = "https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfo/abc"
    site.save()
    assert 'href="https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfo/abc"' in footer(client)
    site.error_report_url = ""
    site.save()
    assert "我为政府网站找错" not in footer(client)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32,  # an image, but not one of the three
        b"%PDF-1.7\n",
    ],
)
def test_a_badge_that_is_not_a_png_jpeg_or_gif_is_refused(site, content, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    site.badge_image = SimpleUploadedFile("标识.png", content, content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        site.full_clean()
    assert "PNG、JPEG 或 GIF" in str(refused.value.message_dict["badge_image"])
    assert list(tmp_path.iterdir()) == []


def test_a_badge_over_the_size_limit_is_refused(site):
    site.badge_image = SimpleUploadedFile("标识.png", PNG + b"\x00" * 300_000)
    with pytest.raises(ValidationError, match="200 KB"):
        site.full_clean()


def test_a_police_record_code_is_digits_only(site):
    site.police_code = "渝50022402"
    with pytest.raises(ValidationError, match="只含数字"):
        site.full_clean()


def test_the_settings_admin_refuses_a_badge_that_is_not_an_image(
    admin_client, site, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("admin:portal_sitesettings_change", args=[site.pk])
    fields = {
        "site_name": site.site_name,
        "owner": site.owner,
        "site_code": site.site_code,
        "site_domain": site.site_domain,
        "error_report_url": ERROR_REPORT_URL,
        "badge_image": SimpleUploadedFile("标识.gif", b"<svg onload=alert(1)>", "image/gif"),
    }
    response = admin_client.post(url, fields)
    assert response.status_code == 200
    assert "标识图片须是 PNG、JPEG 或 GIF 图片" in response.content.decode()
    site.refresh_from_db()
    assert not site.badge_image and list(tmp_path.iterdir()) == []
    fields["badge_image"] = SimpleUploadedFile("标识.gif", b"GIF89a" + b"\x00" * 32, "image/gif")
    assert admin_client.post(url, fields).status_code == 302
    site.refresh_from_db()
    assert site.badge_image.name.endswith(".gif")
