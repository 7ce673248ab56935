"""Search as the public types it: abbreviations and full forms find each other, and a name
written with spaces between its characters is the same name (both backends: run with a
PostgreSQL DATABASE_URL for the tsquery side)."""

import pytest
from django.urls import reverse

from disclosure.documents.search import analysis
from disclosure.documents.search.backends import DatabaseSearchBackend, SearchRequest
from tests.factories import published

pytestmark = pytest.mark.django_db


def found(query):
    return set(DatabaseSearchBackend().search(SearchRequest(query=query)).ids)


@pytest.fixture
def documents(site_tree):
    made = {
        "report": ("重庆市铜梁区人民政府2025年政府信息公开工作年度报告", "<p>一、总体情况</p>"),
        "short": ("区政府办公室2024年年报（摘要）", "<p>政务公开工作情况。</p>"),
        "guide": ("重庆市铜梁区人民政府政府信息公开指南", "<p>申请方式和受理机构。</p>"),
        "reply": ("关于第94号建议的复函", "<p>范川代表：您提出的建议收悉。</p>"),
        "spaced": ("关于第12号建议的复函", "<p>张 明 代表：您提出的建议收悉。</p>"),
        "allowance": ("关于调整城乡最低生活保障标准的通知", "<p>各镇街：现将标准通知如下。</p>"),
        "other": ("关于做好防汛工作的通知", "<p>各镇街：确保安全度汛。</p>"),
    }
    return {
        key: published(title=title, body=body, node=site_tree["policies"]).pk
        for key, (title, body) in made.items()
    }


def test_an_abbreviation_finds_the_full_form_and_back(documents):
    assert found("年报") == {documents["report"], documents["short"]}
    assert found("年度报告") == {documents["report"], documents["short"]}
    assert found("政府信息公开年报") == {documents["report"]}
    assert found("2025 年报") == {documents["report"]}
    assert found("低保") == {documents["allowance"]}
    assert found("指南") == {documents["guide"]}


def test_every_word_of_the_query_still_counts(documents):
    assert found("年报 防汛") == set()
    assert found("年报 摘要") == {documents["short"]}


def test_a_name_written_with_spaces_is_the_same_name(documents):
    assert found("范 川") == {documents["reply"]}
    assert found("范川") == {documents["reply"]}
    # Written apart in the document, found written together, and apart.
    assert found("张明") == {documents["spaced"]}
    assert found("张 明 代表") == {documents["spaced"]}
    # Words of two characters and more keep meaning each of them, wherever they are.
    assert found("建议 收悉") == {documents["reply"], documents["spaced"]}


def test_the_search_page_finds_the_reports_and_marks_the_full_form(client, documents):
    html = client.get(reverse("search"), {"q": "年报"}).content.decode()
    assert f'href="/documents/{documents["report"]}/"' in html
    assert "<mark>年度报告</mark>" in html
    html = client.get(reverse("search"), {"q": "范 川"}).content.decode()
    assert f'href="/documents/{documents["reply"]}/"' in html


def test_the_analysis_of_spaced_characters_and_synonyms():
    assert analysis.join_spaced_characters("范 川代表") == "范川代表"
    assert analysis.join_spaced_characters("王 小 明、老旧 改造") == "王小明、老旧 改造"
    assert analysis.terms("范 川") == analysis.terms("范川") == ["范川"]
    assert analysis.alternatives("政府信息公开年报") == [
        "政府信息公开年报",
        "政府信息公开工作年度报告",
        "政府信息公开年度报告",
    ]
    assert analysis.query_groups("年报") == [[["年报"], ["年度", "度报", "报告"]]]
