import random
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from disclosure.documents.models import Document
from disclosure.documents.search import analysis
from disclosure.documents.search.backends import DatabaseSearchBackend, SearchRequest
from tests.disclosure.conftest import local
from tests.factories import AgencyFactory, DocumentFactory, GenreFactory, TopicFactory, published

pytestmark = pytest.mark.django_db

CORPUS = [
    (
        "关于做好2024年防汛抗旱工作的通知",
        "各镇街：为切实做好今年汛期防汛抗旱工作，确保人民群众生命财产安全，现将有关事项通知如下。",
    ),
    (
        "铜梁区城乡规划管理办法政策解读",
        "本办法自发布之日起施行，重点解决规划审批流程繁琐、公众参与不足等问题。",
    ),
    (
        "区政府办公室关于进一步加大政务公开力度的复函",
        "近年来坚持以公开为常态、不公开为例外，持续深入推进政务公开标准化规范化。",
    ),
    (
        "G318国道改扩建工程环境影响评价公示",
        "项目全长12.6公里，采用双向四车道一级公路标准，设计速度80公里每小时。",
    ),
    (
        "巴川街道2023年财政预算执行情况的报告",
        "一般公共预算收入完成年度预算的百分之九十八，支出结构持续优化。",
    ),
]


def search(query, **kwargs):
    return DatabaseSearchBackend().search(SearchRequest(query=query, **kwargs))


@pytest.fixture
def corpus(site_tree):
    return [
        published(
            title=title,
            body=f"<p>{body}</p>",
            node=site_tree["policies"],
            published_at=local(2024, 1, i + 1),
        )
        for i, (title, body) in enumerate(CORPUS)
    ]


def cjk_substrings(text, rng, count=4):
    runs = [r for r in re.findall(r"[\u4e00-\u9fff]{2,}", text)]
    picks = []
    for _ in range(count):
        run = rng.choice(runs)
        length = rng.randint(2, min(8, len(run)))
        start = rng.randint(0, len(run) - length)
        picks.append(run[start : start + length])
    return picks


def test_recall_every_verbatim_substring_finds_its_document(corpus):
    rng = random.Random(42)
    for document, (title, body) in zip(corpus, CORPUS, strict=True):
        for query in cjk_substrings(title, rng) + cjk_substrings(body, rng):
            assert document.pk in search(query, limit=50).ids, query


def test_whole_ascii_words_and_numbers_find_documents(corpus):
    assert corpus[3].pk in search("G318").ids
    assert corpus[3].pk in search("g318").ids  # case-insensitive
    assert corpus[0].pk in search("2024").ids
    assert corpus[3].pk in search("１２").ids  # full-width query, half-width text


def test_full_width_and_half_width_forms_find_each_other(site_tree):
    # Each document holds one form only: without NFKC on both sides neither query finds it.
    half = published(title="年度计划", body="<p>全年共365天，编号ab12。</p>")
    full = published(title="年度总结", body="<p>全年共３６６天，编号ＣＤ３４。</p>")
    assert search("３６５").ids == [half.pk]
    assert search("ＡＢ１２").ids == [half.pk]
    assert search("366").ids == [full.pk]
    assert search("cd34").ids == [full.pk]


def test_several_words_mean_all_of_them(corpus):
    assert search("防汛 镇街").ids == [corpus[0].pk]
    assert search("防汛 预算").ids == []


def test_a_title_match_ranks_above_a_body_only_match_and_newer_first(site_tree):
    body_only = published(
        title="工作安排", body="<p>关于防汛的安排</p>", published_at=local(2025, 1, 1)
    )
    old_title = published(title="防汛通知", body="<p>内容</p>", published_at=local(2020, 1, 1))
    new_title = published(title="防汛预案", body="<p>内容</p>", published_at=local(2023, 1, 1))
    assert search("防汛").ids == [new_title.pk, old_title.pk, body_only.pk]
    assert search("防汛", sort="date").ids == [body_only.pk, new_title.pk, old_title.pk]


@pytest.mark.parametrize(
    "typed",
    ["渝府办发〔2021〕100号", "渝府办发[2021]100号", "渝府办发（2021）100号", "渝府办发2021100号"],
)
def test_doc_number_is_found_however_the_brackets_are_typed(site_tree, typed):
    document = published(doc_number="渝府办发〔2021〕100号", title="关于建设政务公开专区的通知")
    published(doc_number="渝府办发〔2021〕10号", title="另一个通知")
    assert search(typed).ids[0] == document.pk


def test_index_number_keywords_and_agency_name_find_documents(site_tree):
    agency = AgencyFactory(name="重庆市铜梁区规划和自然资源局")
    document = published(agency=agency, keywords="国土空间 总体规划", title="某通知")
    assert document.pk in search(document.index_number).ids
    assert document.pk in search("国土空间").ids
    assert document.pk in search("规划和自然资源局").ids


def test_non_public_documents_are_never_found(site_tree):
    DocumentFactory(title="草稿里的防汛通知")
    published(title="依申请的防汛通知", disclosure_mode=Document.DisclosureMode.ON_REQUEST)
    assert search("防汛").ids == []


def test_filters_and_their_counts(site_tree):
    notice, report = GenreFactory(name="通知"), GenreFactory(name="报告")
    economy = TopicFactory(name="财政、金融、审计")
    finance = TopicFactory(name="财政", parent=economy)
    a, b = AgencyFactory(), AgencyFactory()
    published(
        title="预算通知一",
        genre=notice,
        agency=a,
        node=site_tree["policies"],
        published_at=local(2023, 5, 1),
    )
    published(
        title="预算通知二",
        genre=notice,
        agency=b,
        node=site_tree["replies"],
        published_at=local(2024, 5, 1),
    )
    published(title="预算报告", genre=report, agency=a, topic=finance, node=site_tree["replies"],
              published_at=local(2024, 6, 1), validity=Document.Validity.REPEALED)  # fmt: skip
    result = search("预算")
    assert result.total == 3
    assert result.facets["genre"] == {notice.pk: 2, report.pk: 1}
    assert result.facets["agency"] == {a.pk: 2, b.pk: 1}
    assert result.facets["year"] == {2023: 1, 2024: 2}
    assert result.facets["topic"][economy.pk] == 1  # counted under its first-level topic
    assert result.facets["validity"] == {"valid": 2, "repealed": 1}
    assert search("预算", filters={"genre": notice.pk}).total == 2
    assert search("预算", filters={"topic": economy.pk}).total == 1
    assert search("预算", filters={"year": 2024, "agency": a.pk}).total == 1
    assert (
        search("预算", filters={"node": site_tree["other"]}).total == 2
    )  # subtree of 其他法定主动公开内容


def test_search_page_shows_highlights_snippets_and_metadata(client, corpus):
    html = client.get(reverse("search"), {"q": "防汛抗旱"}).content.decode()
    assert "<mark>防汛抗旱</mark>" in html
    assert corpus[0].index_number in html.replace("<wbr>", "") and "2024-01-01" in html
    assert "政务公开 &gt; 法定主动公开内容 &gt; 政策文件" in html


def test_markup_in_a_document_is_shown_as_text(client, site_tree):
    published(
        title="<script>alert(1)</script>防汛", body="<p>&lt;script&gt;x&lt;/script&gt;防汛</p>"
    )
    html = client.get(reverse("search"), {"q": "防汛"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>防汛</mark>" in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "防" * 1000,
        "，。！？…",
        "& | ! : * ( ) ' \\",
        "'; DROP TABLE disclosure_document; --",
        "政务 & 公开 | !",
        "防汛 flood 2024 ДОЖДЬ",
        "防汛🌧️😀",
        "\x00",
        "<script>alert(1)</script>",
    ],  # fmt: skip
)
def test_bad_input_gives_a_normal_page(client, corpus, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Document.objects.count() == len(corpus)


def test_the_header_search_box_goes_to_search(client, db):
    assert f'action="{reverse("search")}"' in client.get(reverse("home")).content.decode()


def test_analysis_is_shared_by_both_sides():
    assert analysis.terms("政务公开") == ["政务", "务公", "公开"]
    assert analysis.query_terms("务公开") == ["务公", "公开"]
    assert set(analysis.query_terms("务公开")) <= set(analysis.terms("政务公开"))
    assert analysis.terms("ＯＦＤ格式") == ["ofd", "格式"]
    assert analysis.compact_doc_number("渝府办发〔2021〕100号") == analysis.compact_doc_number(
        "渝府办发2021100号"
    )


def test_rebuild_search_index_restores_terms(site_tree):
    from django.core.management import call_command

    document = published(title="防汛通知")
    Document.objects.filter(pk=document.pk).update(search_title="", search_body="")
    assert search("防汛").ids == []
    call_command("rebuild_search_index")
    assert search("防汛").ids == [document.pk]


@pytest.mark.postgres
def test_postgresql_uses_the_gin_index(site_tree):
    agency = AgencyFactory()
    filler = [
        Document(
            title=f"关于做好第{i}项日常工作的通知", body="<p>各镇街、各部门：请按要求做好日常工作。</p>",
            agency=agency, node=site_tree["policies"], status=Document.Status.PUBLISHED,
            published_at=local(2020 + i % 5, 1, 1), index_code=agency.credit_code, index_year=2020, index_serial=i + 1,
            index_number_text=f"{agency.credit_code}/2020-{i + 1:05d}",
        )
        for i in range(12000)
    ]  # fmt: skip
    Document.objects.bulk_create(filler, batch_size=2000)
    published(title="防汛抗旱应急预案", node=site_tree["policies"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disclosure_document")
    documents, _title = DatabaseSearchBackend().matching(SearchRequest(query="抗旱"))
    sql, params = documents.query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is cheaper to scan; the point is that the query can use the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "document_search_gin" in plan, plan
    assert documents.count() == 1


def test_relevance_pages_continue_from_title_matches_into_body_matches(site_tree):
    titles = [published(title=f"防汛通知{i}", published_at=local(2020, 1, i + 1)) for i in range(5)]
    bodies = [
        published(title=f"安排{i}", body="<p>防汛</p>", published_at=local(2024, 1, i + 1))
        for i in range(5)
    ]
    expected = [d.pk for d in reversed(titles)] + [d.pk for d in reversed(bodies)]
    pages = [search("防汛", offset=offset, limit=3).ids for offset in (0, 3, 6, 9)]
    assert sum(pages, []) == expected
    assert search("防汛", offset=6, limit=3).title_hits == set()


def test_a_huge_page_number_gives_a_normal_page(client, corpus):
    assert client.get(reverse("search"), {"q": "防汛", "page": str(10**20)}).status_code == 200


def test_a_renamed_agency_is_found_by_its_new_name(site_tree):
    agency = AgencyFactory(name="区旧名称局")
    document = published(agency=agency, title="某通知")
    agency.name = "区新名称局"
    agency.save()
    assert search("新名称局").ids == [document.pk]
    assert search("旧名称局").ids == []


def test_ling_and_rare_characters_are_indexed(site_tree):
    document = published(title="二〇二四年工作要点", body="<p>𠮷野家</p>")
    assert search("二〇").ids == [document.pk]
    assert search("𠮷野").ids == [document.pk]


def test_full_width_text_is_found_and_highlighted_from_a_half_width_query(client, site_tree):
    published(title="说明", body="<p>前文很长" + "很长" * 80 + "，采用ＯＦＤ格式发布</p>")
    html = client.get(reverse("search"), {"q": "OFD"}).content.decode()
    assert "<mark>ＯＦＤ</mark>" in html


def test_a_result_filed_in_a_hidden_column_shows_only_the_visible_columns_above_it(
    client, site_tree
):
    from catalog.models import CatalogNode

    hidden = CatalogNode.objects.create(
        name="内部栏目", parent=site_tree["legal"], is_visible=False
    )
    beneath = CatalogNode.objects.create(name="内部子栏目", parent=hidden)
    published(title="关于汛期值班安排的通知", node=beneath)
    published(title="关于汛期物资储备的通知", node=site_tree["replies"])
    page = client.get(reverse("search"), {"q": "汛期"}).content.decode()
    assert "值班安排" in page  # the document is public: it is found
    assert "政务公开 &gt; 法定主动公开内容<" in page
    assert "政务公开 &gt; 法定主动公开内容 &gt; 其他法定主动公开内容 &gt; 人大代表建议办理" in page
    assert "内部栏目" not in page and "内部子栏目" not in page


def result_titles(response):
    html = response.content.decode()
    return re.findall(r'<li>\s*<h2><a href="[^"]+">(.*?)</a>', html)


def test_a_query_that_is_a_doc_number_puts_that_document_first_on_the_page(client, site_tree):
    # Newer documents that mention the 文号 in their title would rank above it by relevance.
    numbered = published(
        doc_number="渝府办发〔2021〕100号",
        title="关于建设政务公开专区的通知",
        published_at=local(2021, 3, 1),
    )
    for n in range(3):
        published(
            title=f"转发渝府办发〔2021〕100号文件的通知{n}", published_at=local(2024, 1, n + 1)
        )
    response = client.get(reverse("search"), {"q": "渝府办发 2021 100号"})
    assert result_titles(response)[0] == numbered.title
    html = response.content.decode()
    assert "文号相符" in html
    assert "没有文号为" not in html
    assert html.count(f">{numbered.title}</a>") == 1


def test_a_doc_number_nobody_carries_is_said_so(client, site_tree):
    published(title="转发渝府办发〔2021〕100号文件的通知")
    response = client.get(reverse("search"), {"q": "渝府办发〔2021〕100号"})
    assert "没有文号为“渝府办发〔2021〕100号”的文件。" in response.content.decode()
    assert result_titles(response)  # the documents that mention it are still listed
    nothing = client.get(reverse("search"), {"q": "渝府办发〔2030〕7号"})
    assert "没有文号为“渝府办发〔2030〕7号”的文件。" in nothing.content.decode()


@pytest.mark.parametrize(
    "query, key",
    [
        ("渝府办发〔2021〕100号", "渝府办发2021100号"),
        ("铜府发[2023] 第5号", "铜府发2023第5号"),
        ("政务公开 100号", ""),
        ("2021年工作报告", ""),
    ],
)
def test_which_queries_are_doc_numbers(query, key):
    assert analysis.query_doc_number(query) == key


def test_results_show_doc_number_written_date_and_an_unbroken_index_number(client, site_tree):
    from datetime import date

    document = published(
        title="关于防汛工作的通知", doc_number="铜府发〔2024〕3号", written_on=date(2024, 5, 6)
    )
    html = client.get(reverse("search"), {"q": "防汛"}).content.decode()
    assert "文号：铜府发〔2024〕3号" in html
    assert '成文日期：<time datetime="2024-05-06">2024-05-06</time>' in html
    # Whole, wrapping only after its separators.
    number = document.index_number.replace("/", "/<wbr>").replace("-", "-<wbr>")
    assert f'<span class="index-number"><span class="code-text">{number}</span></span>' in html


def test_the_search_page_has_one_search_box_and_its_results_before_the_facets(client, corpus):
    html = client.get(reverse("search"), {"q": "通知"}).content.decode()
    assert html.count('role="search"') == 1
    assert html.index('class="search-results"') < html.index('class="facets"')
    assert "<details" in html[html.index('class="facets"') :]


def test_rebuilding_the_index_forgets_the_search_pages_kept(client):
    document = published(title="关于森林防火的通知", body="各单位：做好防汛准备。")
    Document.objects.filter(pk=document.pk).update(search_body="")  # an older analysis's terms
    url = reverse("search") + "?q=防汛准备"
    assert f"/documents/{document.pk}/" not in client.get(url).content.decode()
    call_command("rebuild_search_index")
    assert f"/documents/{document.pk}/" in client.get(url).content.decode()
