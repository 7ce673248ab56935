"""The home page's blocks and common links, the site map and 联系我们, and the catalogue's side
navigation beside column and document pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Agency, CatalogNode
from catalog.templatetags.catalog_tags import SIDE_NAV_ROWS
from disclosure.documents.services import publish, withdraw
from portal.actors import SYSTEM
from portal.models import SiteSettings
from tests.disclosure.conftest import local
from tests.factories import DocumentFactory, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def columns(db):
    root = CatalogNode.objects.create(name="政务公开", slug="zwgk")
    legal = CatalogNode.objects.create(name="法定主动公开内容", slug="fdzdgk", parent=root)
    made = {"root": root, "legal": legal}
    for slug, name, parent in [
        ("zcwj", "政策文件", legal),
        ("zcjd", "政策解读", legal),
        ("tzgg", "通知公告", root),
        ("gknb", "政府信息公开年报", root),
    ]:
        made[slug] = CatalogNode.objects.create(name=name, slug=slug, parent=parent)
    made["xzgfxwj"] = CatalogNode.objects.create(
        name="行政规范性文件", slug="xzgfxwj", parent=made["zcwj"]
    )
    return made


def test_the_home_page_shows_a_block_for_each_home_column(
    client, columns, django_assert_max_num_queries
):
    for i in range(8):
        published(
            title=f"规范性文件{i}", node=columns["xzgfxwj"], published_at=local(2024, 1, i + 1)
        )
    published(title="某政策的解读", node=columns["zcjd"])
    published(title="停水通知", node=columns["tzgg"])
    published(title="年报不在区块中", node=columns["gknb"])
    # Entry points and block columns, the latest, two per block (the column's listing, then its
    # documents), the site settings.
    with django_assert_max_num_queries(10):
        html = client.get(reverse("home")).content.decode()
    blocks = html.split('class="home-blocks"')[1]
    for heading in ("政策文件", "政策解读", "通知公告"):
        assert f">{heading}</h2>" in blocks
    # A block lists its column's subtree, newest first, six at most.
    assert "规范性文件7" in blocks and "规范性文件2" in blocks and "规范性文件1<" not in blocks
    assert blocks.index("规范性文件7") < blocks.index("规范性文件6")
    assert "某政策的解读" in blocks and "停水通知" in blocks and "年报不在区块中" not in blocks
    assert f'href="{columns["zcjd"].get_absolute_url()}"' in blocks


def test_the_home_page_links_the_reports_guide_applications_site_map_and_contact(client, columns):
    html = client.get(reverse("home")).content.decode()
    links = html.split('aria-label="常用入口"')[1].split("</nav>")[0]
    for name in (
        "disclosure:annual-reports",
        "disclosure:guides",
        "applications:guide",
        "site-map",
        "contact",
    ):
        assert f'href="{reverse(name)}"' in links, name


def test_the_site_map_lists_the_sections_and_the_first_two_levels(client, columns):
    html = client.get(reverse("site-map")).content.decode()
    assert f'href="{reverse("applications:status")}"' in html
    assert f'href="{columns["xzgfxwj"].get_absolute_url()}"' not in html  # third level
    assert f'href="{columns["legal"].get_absolute_url()}"' in html
    assert f'href="{columns["zcwj"].get_absolute_url()}"' in html
    assert f'href="{reverse("disclosure:annual-reports")}">政府信息公开年报' in html


def test_the_contact_page_shows_the_site_settings_and_agencies(client, db):
    site = SiteSettings.load()
    site.owner, site.phone, site.address = "铜梁区政府办公室", "023-45632266", "金龙大道333号"
    site.save()
    Agency.objects.create(
        name="区规划自然资源局", credit_code="11500224MB1520725H", phone="023-45651234"
    )
    html = client.get(reverse("contact")).content.decode()
    for text in (
        "铜梁区政府办公室",
        "023-45632266",
        "金龙大道333号",
        "区规划自然资源局",
        "023-45651234",
    ):
        assert text in html


def test_column_and_document_pages_carry_the_catalogues_side_navigation(client, columns):
    document = published(title="规范性文件", node=columns["xzgfxwj"])
    published(title="通知", node=columns["tzgg"])  # a blank column is in no navigation
    for url, current in [
        (columns["zcwj"].get_absolute_url(), "政策文件"),
        (document.get_absolute_url(), "行政规范性文件"),
    ]:
        html = client.get(url).content.decode()
        nav = html.split('class="side-nav"')[1].split("</nav>")[0]
        assert f'aria-current="page">{current}</a>' in nav
        # The first level, the path, and the columns below the current one.
        assert ">通知公告</a>" in nav and ">法定主动公开内容</a>" in nav
        assert ">政策文件</a>" in nav and ">行政规范性文件</a>" in nav


def side_nav(html):
    return html.split('class="side-nav"')[1].split("</nav>")[0]


def test_the_side_navigation_follows_a_publication_and_a_withdrawal_at_once(client, columns):
    """Which columns are blank is kept per column until a document beneath it changes."""
    document = published(title="规范性文件", node=columns["xzgfxwj"])
    url = document.get_absolute_url()
    assert ">通知公告</a>" not in side_nav(client.get(url).content.decode())
    notice = published(title="通知", node=columns["tzgg"], agency=document.agency)
    assert ">通知公告</a>" in side_nav(client.get(url).content.decode())
    # Kept: the next page asks nothing about the columns' contents.
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not [q for q in queries if "disclosure_publiccount" in q["sql"]]
    withdraw(notice, SYSTEM, "错误")
    assert ">通知公告</a>" not in side_nav(client.get(url).content.decode())
    # A column's list of the columns beneath it, likewise.
    legal = columns["legal"].get_absolute_url()
    assert ">政策解读</a>" not in client.get(legal).content.decode()
    published(title="解读", node=columns["zcjd"], agency=document.agency)
    assert ">政策解读</a>" in client.get(legal).content.decode()


def test_the_side_navigation_follows_a_document_listed_in_another_column(client, columns):
    """A column holding only a document filed elsewhere is blank once it is withdrawn, though
    no kept count reaches zero; and shown once such a document is published."""
    page = published(title="甲", node=columns["xzgfxwj"])
    url = page.get_absolute_url()
    assert ">通知公告</a>" not in side_nav(client.get(url).content.decode())
    listed = DocumentFactory(title="乙", node=columns["xzgfxwj"], agency=page.agency)
    listed.extra_nodes.add(columns["tzgg"])
    publish(listed)
    assert ">通知公告</a>" in side_nav(client.get(url).content.decode())
    withdraw(listed, SYSTEM, "错误")
    assert client.get(columns["tzgg"].get_absolute_url()).status_code == 404
    assert ">通知公告</a>" not in side_nav(client.get(url).content.decode())


def test_a_column_in_no_navigation_becoming_blank_keeps_the_pages_kept(client, columns):
    hidden = CatalogNode.objects.create(name="内部", parent=columns["root"], is_visible=False)
    page = published(title="甲", node=columns["tzgg"])
    last = published(title="乙", node=hidden, agency=page.agency)
    url = page.get_absolute_url()
    client.get(url)
    withdraw(last, SYSTEM, "错误")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 0


def test_the_side_navigation_asks_about_the_columns_it_shows_only(client, columns):
    """A column with many children: the navigation asks which are blank until it has enough."""
    parent = columns["tzgg"]
    children = [CatalogNode.objects.create(name=f"栏目{i:03d}", parent=parent) for i in range(150)]
    document = published(title="甲", node=parent)
    for child in children:
        published(title=child.name, node=child, agency=document.agency)
    with CaptureQueriesContext(connection) as queries:
        nav = side_nav(client.get(document.get_absolute_url()).content.decode())
    assert nav.count("<li>") <= SIDE_NAV_ROWS
    assert ">栏目000</a>" in nav and ">栏目149</a>" not in nav
    asks = [q["sql"] for q in queries if "disclosure_publiccount" in q["sql"]]
    asked = sum(sql.split('."id" IN (')[1].split(")")[0].count(",") + 1 for sql in asks)
    assert 0 < asked <= 2 * SIDE_NAV_ROWS < len(children)
