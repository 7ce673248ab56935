import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.disclosure.conftest import local
from tests.factories import published

pytestmark = pytest.mark.django_db


def test_rss_and_atom_list_latest_public_documents(client, site_tree):
    old = published(title="旧文件", node=site_tree["replies"], published_at=local(2020, 1, 1))
    new = published(title="新文件", node=site_tree["policies"], published_at=local(2024, 1, 1))
    rss = ET.fromstring(client.get(reverse("disclosure:feed-rss")).content)
    items = [item.findtext("title") for item in rss.iter("item")]
    assert items == ["新文件", "旧文件"]
    links = [item.findtext("link") for item in rss.iter("item")]
    assert links == [
        f"http://testserver{new.get_absolute_url()}",
        f"http://testserver{old.get_absolute_url()}",
    ]
    atom = client.get(reverse("disclosure:feed-atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "新文件" in atom.content.decode()


def test_node_feed_lists_only_its_subtree(client, site_tree):
    published(title="建议复函", node=site_tree["replies"])
    published(title="政策", node=site_tree["policies"])
    rss = client.get(
        reverse("disclosure:node-feed-rss", args=[site_tree["other"].pk])
    ).content.decode()
    assert "建议复函" in rss and "政策" not in rss.replace("政务公开", "")


def test_node_feed_of_hidden_node_is_404(client, site_tree):
    site_tree["legal"].is_visible = False
    site_tree["legal"].save()
    assert (
        client.get(reverse("disclosure:node-feed-rss", args=[site_tree["replies"].pk])).status_code
        == 404
    )


def test_sitemap_index_points_to_paged_sections(client, site_tree, monkeypatch):
    from disclosure.documents.sitemaps import DocumentSitemap

    monkeypatch.setattr(DocumentSitemap, "limit", 2)
    for _ in range(5):
        published(node=site_tree["replies"])
    index = client.get(reverse("sitemap")).content.decode()
    assert "http://testserver/sitemap-documents.xml?p=3" in index
    assert "http://testserver/sitemap-catalog.xml" in index
    page3 = client.get(reverse("sitemap-section", args=["documents"]), {"p": 3}).content.decode()
    assert page3.count("<loc>") == 1


def test_sitemap_lists_public_documents_and_visible_nodes(client, site_tree):
    document = published(node=site_tree["replies"])
    site_tree["policies"].is_visible = False
    site_tree["policies"].save()
    xml = "".join(
        client.get(reverse("sitemap-section", args=[section])).content.decode()
        for section in ("documents", "catalog")
    )
    assert f"http://testserver{document.get_absolute_url()}" in xml
    assert f"http://testserver{site_tree['replies'].get_absolute_url()}" in xml
    assert site_tree["policies"].get_absolute_url() not in xml


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


@pytest.mark.parametrize("feed", ["feed-rss", "feed-atom", "node-feed-rss", "node-feed-atom"])
def test_feeds_stay_valid_xml_when_stored_text_holds_control_characters(client, site_tree, feed):
    from portal.models import SiteSettings

    # Rows written before the validator existed, or by code that skips model validation.
    site = SiteSettings.load()
    site.site_name = "铜梁区\x01政务公开"
    site.save()
    node = site_tree["replies"]
    node.name = "人大代表\x0b建议办理"
    node.save()
    document = published(node=node, title="关于\x0b建议的复函", summary="答复\x0c内容\x1f。")
    document.agency.name = "铜梁区\x08人民政府"
    document.agency.save()

    args = [node.pk] if feed.startswith("node-") else []
    response = client.get(reverse(f"disclosure:{feed}", args=args))

    assert response.status_code == 200
    text = response.content.decode()
    ET.fromstring(response.content)  # well-formed XML 1.0
    assert "关于建议的复函" in text and "答复内容。" in text and "铜梁区人民政府" in text
    assert "铜梁区政务公开" in text
    if feed.startswith("node-"):
        assert "人大代表建议办理" in text
