import re

import pytest
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.documents.column_tree import TREE_PAGE_ENTRIES
from tests.factories import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = CatalogNode.objects.create(name="政务公开")
    legal = CatalogNode.objects.create(name="法定主动公开内容", parent=root)
    other = CatalogNode.objects.create(name="其他法定主动公开内容", parent=legal)
    replies = CatalogNode.objects.create(
        name="人大代表建议办理",
        parent=other,
        content="人大代表建议复函",
        basis="《中华人民共和国政府信息公开条例》第二十条",
        time_limit_text="自信息形成或者变更之日起20个工作日内",
        time_limit_days=20,
        channels=["政府网站", "公开查阅点"],
        audience=CatalogNode.Audience.PUBLIC,
        mode=CatalogNode.Mode.ACTIVE,
        level_county=True,
    )
    hidden = CatalogNode.objects.create(name="内部栏目", parent=legal, is_visible=False)
    under_hidden = CatalogNode.objects.create(name="隐藏栏目的下级", parent=hidden)
    # A public document keeps the columns on its path shown (a blank column is not shown).
    published(title="第94号建议的复函", node=replies)
    return {
        "root": root,
        "legal": legal,
        "other": other,
        "replies": replies,
        "hidden": hidden,
        "under_hidden": under_hidden,
    }


def test_tree_page_nests_every_visible_node(client, tree):
    response = client.get(reverse("catalog:tree"))
    html = response.content.decode()
    assert response.status_code == 200
    positions = [html.index(tree[k].name) for k in ("root", "legal", "other", "replies")]
    assert positions == sorted(positions)
    assert html.count("<ul>") >= 4  # nested, one list per level


def test_hidden_nodes_and_their_subtrees_are_absent_from_public_pages(client, tree):
    pages = [reverse("home"), reverse("catalog:tree"), tree["legal"].get_absolute_url()]
    for url in pages:
        html = client.get(url).content.decode()
        assert "内部栏目" not in html, url
        assert "隐藏栏目的下级" not in html, url
    assert client.get(tree["hidden"].get_absolute_url()).status_code == 404
    assert client.get(tree["under_hidden"].get_absolute_url()).status_code == 404


def test_node_page_shows_breadcrumb_in_order_and_requirements(client, tree):
    response = client.get(tree["replies"].get_absolute_url())
    html = response.content.decode()
    crumbs = ["首页", "政务公开", "法定主动公开内容", "其他法定主动公开内容", "人大代表建议办理"]
    nav = html[
        html.index('class="breadcrumb"') : html.index("</nav>", html.index('class="breadcrumb"'))
    ]
    positions = [nav.index(c) for c in crumbs]
    assert positions == sorted(positions)
    assert 'aria-current="page">人大代表建议办理' in nav
    for text in [
        "公开要求",
        "人大代表建议复函",
        "第二十条",
        "20个工作日内",
        "政府网站、公开查阅点",
        "全社会",
        "主动公开",
        "县级",
    ]:
        assert text in html


def test_node_page_lists_visible_children_only(client, tree):
    html = client.get(tree["legal"].get_absolute_url()).content.decode()
    assert "其他法定主动公开内容" in html
    assert "内部栏目" not in html


def test_unknown_node_gives_the_chinese_404_page(client, db):
    response = client.get("/catalog/999999/")
    assert response.status_code == 404
    assert "您访问的页面不存在" in response.content.decode()


def shown_even_when_empty():
    """Every column kept shown by staff: the imported columns hold no document yet."""
    CatalogNode.objects.update(shown_when_empty=True, shown_when_empty_reason="栏目建设中")


def test_tree_page_query_budget_at_two_thousand_nodes(
    client, big_tree, django_assert_max_num_queries
):
    shown_even_when_empty()
    with django_assert_max_num_queries(3):
        response = client.get(reverse("catalog:tree"))
    html = response.content.decode()
    # Down to the level that keeps the page within its size: 250 一级事项, not their 2,000 items.
    assert 250 < html.count("<li>") <= TREE_PAGE_ENTRIES
    assert "一级事项249" in html and "二级事项" not in html


def test_every_column_is_reached_through_the_tree_pages(client, big_tree):
    """From the tree, following 展开下级栏目 links, every visible column is listed once."""
    shown_even_when_empty()
    pages, listed = [reverse("catalog:tree")], []
    while pages:
        html = client.get(pages.pop()).content.decode()
        html = html[html.index('<div class="catalog-tree">') :]
        listed += [int(pk) for pk in re.findall(r'<li><a href="/catalog/(\d+)/">', html)]
        expanders = re.findall(r'<a class="more" href="(/catalog/\d+/tree/)">展开下级栏目<', html)
        pages += expanders
    visible = set(CatalogNode.objects.visible().values_list("pk", flat=True))
    assert sorted(listed) == sorted(visible)


def test_a_column_tree_page_lists_what_lies_beneath_with_its_path(client, tree):
    response = client.get(reverse("catalog:subtree", args=[tree["legal"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    start = html.index('class="breadcrumb"')
    nav = html[start : html.index("</nav>", start)]
    assert "政府信息公开目录" in nav and "政务公开" in nav
    assert 'aria-current="page">法定主动公开内容' in nav
    assert html.index("其他法定主动公开内容") < html.index("人大代表建议办理")
    assert "内部栏目" not in html and "隐藏栏目的下级" not in html
    assert tree["legal"].get_absolute_url() in html
    assert client.get(reverse("catalog:subtree", args=[tree["hidden"].pk])).status_code == 404
    assert client.get(reverse("catalog:subtree", args=[999999])).status_code == 404


def test_node_page_query_budget(client, tree, django_assert_max_num_queries):
    # The path, the filter choices, the listing's counts, the filter values the column holds
    # (kept per column after this first visit), the site settings, the documents, and the
    # side navigation.
    with django_assert_max_num_queries(7):
        assert client.get(tree["replies"].get_absolute_url()).status_code == 200


def test_base_page_has_skip_link_language_and_footer_registration(client, db):
    from portal.models import SiteSettings

    SiteSettings.objects.create(
        site_code="5002240001",
        icp_number="渝ICP备12345678号",
        police_number="渝公网安备50022402000001号",
    )
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-CN">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    for text in ["网站标识码：5002240001", "渝ICP备12345678号", "渝公网安备50022402000001号"]:
        assert text in html
