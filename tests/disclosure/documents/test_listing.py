import re

import pytest
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from tests.disclosure.conftest import local
from tests.factories import (
    AgencyFactory,
    DocumentFactory,
    GenreFactory,
    TopicFactory,
    publish_on,
    published,
)

pytestmark = pytest.mark.django_db


def titles(response):
    return re.findall(
        r'<td class="col-title"><a href="/documents/\d+/">([^<]+)</a></td>',
        response.content.decode(),
    )


def test_listing_shows_the_subtree_newest_first(client, site_tree):
    published(title="甲", node=site_tree["replies"], published_at=local(2023, 1, 1))
    published(title="乙", node=site_tree["policies"], published_at=local(2024, 1, 1))
    published(title="丙", node=site_tree["legal"], published_at=local(2022, 1, 1))
    outside = CatalogNode.objects.create(name="别处", parent=site_tree["root"])
    published(title="丁", node=outside, published_at=local(2025, 1, 1))

    assert titles(client.get(site_tree["legal"].get_absolute_url())) == ["乙", "甲", "丙"]
    assert titles(client.get(site_tree["replies"].get_absolute_url())) == ["甲"]


def test_a_document_is_listed_under_its_extra_nodes_once(client, site_tree):
    doc = published(title="双栏目", node=site_tree["replies"])
    doc.extra_nodes.add(site_tree["policies"])
    assert titles(client.get(site_tree["policies"].get_absolute_url())) == ["双栏目"]
    assert titles(client.get(site_tree["legal"].get_absolute_url())) == ["双栏目"]


def test_listing_rows_show_doc_number_index_number_and_both_dates(client, site_tree):
    from datetime import date

    doc = published(
        node=site_tree["replies"],
        published_at=local(2023, 5, 6),
        written_on=date(2023, 4, 28),
        doc_number="铜府发〔2023〕9号",
    )
    html = client.get(site_tree["replies"].get_absolute_url()).content.decode()
    html = html.replace("<wbr>", "")  # where an 索引号 may wrap
    for label, value in [
        ("文号", "铜府发〔2023〕9号"),
        ("索引号", doc.index_number),
        ("成文日期", '<time datetime="2023-04-28">2023-04-28</time>'),
        ("发布日期", "2023-05-06</time>"),
    ]:
        # Each cell keeps its label for the phone layout, where the table's head is hidden.
        assert re.search(rf'data-label="{label}">[^\n]*{re.escape(value)}', html), label
    assert '<th scope="col">文号</th>' in html


def test_home_page_lists_doc_number_and_written_date(client, site_tree):
    from datetime import date

    published(
        node=site_tree["replies"], written_on=date(2023, 4, 28), doc_number="铜府发〔2023〕9号"
    )
    html = client.get(reverse("home")).content.decode()
    assert "文号：铜府发〔2023〕9号" in html and "成文日期：<time" in html


def test_listing_filters(client, site_tree):
    notice = GenreFactory(name="通知")
    reply = GenreFactory(name="人大建议办理")
    economy = TopicFactory(name="国民经济管理、国有资产监管")
    sub = TopicFactory(name="宏观经济", parent=economy)
    office = AgencyFactory()
    node = site_tree["replies"]
    published(title="A", node=node, genre=notice, published_at=local(2023, 3, 1))
    published(title="B", node=node, genre=reply, topic=sub, published_at=local(2024, 3, 1))
    published(title="C", node=node, genre=reply, agency=office, published_at=local(2024, 4, 1),
              validity=Document.Validity.REPEALED)  # fmt: skip
    url = node.get_absolute_url()
    assert titles(client.get(url, {"year": 2024})) == ["C", "B"]
    assert titles(client.get(url, {"genre": notice.pk})) == ["A"]
    assert titles(client.get(url, {"topic": economy.pk})) == [
        "B"
    ]  # a first-level topic includes its children
    assert titles(client.get(url, {"agency": office.pk})) == ["C"]
    assert titles(client.get(url, {"validity": "repealed"})) == ["C"]
    assert titles(client.get(url, {"year": "abc"})) == ["C", "B", "A"]  # bad input: ignored


@pytest.mark.parametrize("per_page", [10, 100])
def test_listing_query_budget_does_not_grow_with_page_or_subtree(
    client, site_tree, per_page, django_assert_max_num_queries
):
    for i in range(120):
        parent = site_tree["replies"] if i % 2 else site_tree["policies"]
        DocumentFactory.create(node=parent, title=f"文件{i}")
    for doc in Document.objects.all():
        publish_on(doc, local(2023, 1, 1))
    # The side navigation of the catalogue is one of them, the column's filter counts another.
    with django_assert_max_num_queries(8):
        response = client.get(site_tree["root"].get_absolute_url(), {"per_page": per_page})
    assert len(titles(response)) == per_page
    # The counts are cached.
    with django_assert_max_num_queries(7):
        response = client.get(
            site_tree["root"].get_absolute_url(), {"per_page": per_page, "page": 2}
        )
    assert len(titles(response)) == min(per_page, 120 - per_page)


def test_pagination_links_keep_the_filters(client, site_tree):
    for i in range(25):
        published(node=site_tree["replies"], title=f"文件{i}", published_at=local(2023, 1, 1))
    html = client.get(site_tree["replies"].get_absolute_url(), {"year": 2023}).content.decode()
    assert "year=2023&amp;page=2" in html
    assert "共 25 条" in html


def test_tree_page_counts_public_documents_of_each_subtree(
    client, site_tree, django_assert_max_num_queries
):
    published(node=site_tree["replies"])
    published(node=site_tree["replies"])
    both = published(node=site_tree["policies"])
    both.extra_nodes.add(site_tree["replies"])  # counted once under 法定主动公开内容
    DocumentFactory(node=site_tree["replies"])  # a draft: not counted
    with django_assert_max_num_queries(3):
        html = client.get(reverse("catalog:tree")).content.decode()

    def count(name):
        return int(re.search(rf">{name}</a> <span class=\"count\">\((\d+)\)", html).group(1))

    assert count("人大代表建议办理") == 3
    assert count("政策文件") == 1
    assert count("法定主动公开内容") == 3
    assert count("政务公开") == 3
    # The listing agrees with the count.
    assert "共 3 条" in client.get(site_tree["legal"].get_absolute_url()).content.decode()


def test_home_page_shows_latest_disclosures_and_entry_points(
    client, site_tree, django_assert_max_num_queries
):
    for i in range(12):
        published(
            title=f"最新文件{i:02d}", node=site_tree["replies"], published_at=local(2024, 1, i + 1)
        )
    # The columns (entry points and blocks), the latest documents, the site settings and the
    # published 政府网站工作年度报表.
    with django_assert_max_num_queries(4):
        html = client.get(reverse("home")).content.decode()
    assert "最新文件11" in html and "最新文件02" in html and "最新文件01" not in html
    assert "法定主动公开内容" in html
    assert 'name="q"' in html


def test_node_listing_of_hidden_node_is_404(client, site_tree):
    site_tree["other"].is_visible = False
    site_tree["other"].save()
    assert client.get(site_tree["replies"].get_absolute_url()).status_code == 404
