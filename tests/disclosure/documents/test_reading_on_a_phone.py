"""What a reader on a phone needs of column and document pages: filters offering only what the
column holds, with counts; 上一篇/下一篇 and 返回列表; 分享 and a description for chat previews."""

import re

import pytest

from disclosure.documents.models import Document
from tests.disclosure.conftest import local
from tests.factories import AgencyFactory, GenreFactory, TopicFactory, published

pytestmark = pytest.mark.django_db


def options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_filters_offer_only_what_the_column_holds_with_counts(client, site_tree):
    economy = TopicFactory(name="国民经济管理")
    planning = TopicFactory(name="宏观经济", parent=economy)
    notice = GenreFactory(name="通知")
    GenreFactory(name="批复")  # no document of the column has it
    agency = AgencyFactory(name="区发展改革委")
    AgencyFactory(name="区教委")
    for day in (1, 2):
        published(node=site_tree["policies"], topic=planning, genre=notice, agency=agency,
                  published_at=local(2023, 3, day), validity=Document.Validity.EXPIRED)  # fmt: skip
    published(node=site_tree["policies"], topic=planning, genre=notice, agency=agency,
              published_at=local(2024, 3, 1), validity=Document.Validity.VALID)  # fmt: skip
    published(node=site_tree["replies"], genre=GenreFactory(name="人大建议办理"))
    html = client.get(site_tree["policies"].get_absolute_url()).content.decode()
    assert options(html, "year") == ["全部", "2024（1）", "2023（2）"]
    assert options(html, "topic") == ["全部", "国民经济管理（3）", "国民经济管理 / 宏观经济（3）"]
    assert options(html, "genre") == ["全部", "通知（3）"]
    assert options(html, "agency") == ["全部", "区发展改革委（3）"]
    assert options(html, "validity") == ["全部", "有效（1）", "失效（2）"]
    # One 筛选 button folds them; open when a filter is on.
    assert '<details class="filter-box">' in html and "<summary>筛选" in html
    filtered = client.get(site_tree["policies"].get_absolute_url(), {"year": 2023})
    assert '<details class="filter-box" open>' in filtered.content.decode()
    assert "共 2 条" in filtered.content.decode()


def test_a_document_page_ends_with_its_neighbours_and_the_way_back(client, site_tree):
    column = site_tree["policies"]
    older = published(title="较早的文件", node=column, published_at=local(2024, 1, 1))
    middle = published(title="当中的文件", node=column, published_at=local(2024, 2, 1))
    newer = published(title="较新的文件", node=column, published_at=local(2024, 3, 1))
    published(title="别的栏目的文件", node=site_tree["replies"], published_at=local(2024, 2, 15))
    draft_between = published(title="撤回的文件", node=column, published_at=local(2024, 2, 10))
    from disclosure.documents.services import withdraw
    from portal.actors import SYSTEM

    withdraw(draft_between, SYSTEM, "政策调整")
    html = client.get(middle.get_absolute_url()).content.decode()
    pager = html.split('aria-label="上一篇和下一篇"')[1].split("</nav>")[0]
    assert f'上一篇：<a href="{newer.get_absolute_url()}" rel="prev">较新的文件</a>' in pager
    assert f'下一篇：<a href="{older.get_absolute_url()}" rel="next">较早的文件</a>' in pager
    assert f'href="{column.get_absolute_url()}">返回列表' in pager
    first = client.get(newer.get_absolute_url()).content.decode()
    assert "上一篇：没有了" in first


def test_a_document_page_can_be_shared_and_previewed_in_a_chat(client, site_tree):
    document = published(
        title="关于做好防汛工作的通知", summary="防汛安排 <要点>", node=site_tree["policies"]
    )
    html = client.get(document.get_absolute_url()).content.decode()
    head = html.split("</head>")[0]
    assert '<meta property="og:title" content="关于做好防汛工作的通知">' in head
    assert '<meta property="og:description" content="防汛安排 &lt;要点&gt;">' in head
    assert (
        f'<meta property="og:url" content="http://testserver{document.get_absolute_url()}">' in head
    )
    share = html.split('id="share-heading"')[1].split("</section>")[0]
    assert f'value="http://testserver{document.get_absolute_url()}" readonly' in share
    assert "复制链接" in share and "<svg" in share  # the QR code stays
