"""Kept public counts per column: equal to a fresh count after every change of public content,
and the listing's total equals what it lists, read without a COUNT over the documents."""

import math
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.documents.models import Document, PublicCount, public_counts_by_node
from disclosure.documents.models.counts import counted_by_node
from disclosure.documents.services import (
    approve_revision,
    delete_document,
    propose_revision,
    withdraw,
)
from portal.actors import SYSTEM
from tests.disclosure.conftest import local
from tests.disclosure.documents.test_revisions import second_reviewer  # noqa: F401
from tests.disclosure.documents.test_workflow import org  # noqa: F401
from tests.factories import DocumentFactory, published

pytestmark = pytest.mark.django_db


def assert_counts_fresh():
    kept = {pk: n for pk, n in PublicCount.objects.values_list("node_id", "documents") if n}
    assert kept == counted_by_node()
    nodes = list(CatalogNode.objects.all())
    fresh = {node.pk: Document.objects.public().in_subtree(node).count() for node in nodes}
    assert public_counts_by_node(nodes) == fresh


def test_kept_counts_follow_publish_and_withdraw(site_tree):
    document = published(node=site_tree["replies"])
    published(node=site_tree["policies"])
    assert_counts_fresh()
    assert public_counts_by_node([site_tree["legal"]]) == {site_tree["legal"].pk: 2}
    withdraw(document, SYSTEM, "内容有误")
    assert_counts_fresh()
    assert public_counts_by_node([site_tree["legal"]]) == {site_tree["legal"].pk: 1}


def test_an_approved_revision_that_moves_a_document_moves_its_count(
    site_tree,
    org,  # noqa: F811
    second_reviewer,  # noqa: F811
):
    document = published(node=site_tree["replies"], agency=org["district"])
    revision = propose_revision(document, org["reviewer"], {"node": site_tree["policies"]})
    approve_revision(revision, second_reviewer)
    assert_counts_fresh()
    assert public_counts_by_node([site_tree["replies"], site_tree["policies"]]) == {
        site_tree["replies"].pk: 0,
        site_tree["policies"].pk: 1,
    }
    revision = propose_revision(
        document, org["reviewer"], {"disclosure_mode": Document.DisclosureMode.ON_REQUEST}
    )
    approve_revision(revision, second_reviewer)
    assert_counts_fresh()
    assert public_counts_by_node([site_tree["root"]]) == {site_tree["root"].pk: 0}


def test_extra_columns_count_once_per_subtree(site_tree, org, second_reviewer):  # noqa: F811
    document = published(node=site_tree["replies"], agency=org["district"])
    revision = propose_revision(
        document, org["reviewer"], {"extra_nodes": [site_tree["policies"], site_tree["other"]]}
    )
    approve_revision(revision, second_reviewer)
    assert_counts_fresh()
    counts = public_counts_by_node([site_tree["policies"], site_tree["legal"]])
    assert counts == {site_tree["policies"].pk: 1, site_tree["legal"].pk: 1}
    document.extra_nodes.clear()
    assert_counts_fresh()


def test_a_scheduled_document_counts_once_it_falls_due_without_a_write(site_tree):
    document = published(
        node=site_tree["replies"], published_at=timezone.now() + timedelta(hours=1)
    )
    assert_counts_fresh()
    assert public_counts_by_node([site_tree["replies"]]) == {site_tree["replies"].pk: 0}
    kept = list(PublicCount.objects.values_list("node_id", "documents"))
    # Time passes: only the clock moves, not the kept counts.
    Document.objects.filter(pk=document.pk).update(published_at=timezone.now() - timedelta(1))
    assert list(PublicCount.objects.values_list("node_id", "documents")) == kept
    assert_counts_fresh()
    assert public_counts_by_node([site_tree["replies"]]) == {site_tree["replies"].pk: 1}


def test_deleting_a_draft_leaves_the_counts_right(site_tree):
    published(node=site_tree["replies"])
    delete_document(DocumentFactory(node=site_tree["replies"]), SYSTEM)
    assert_counts_fresh()


def test_rebuild_counts_repairs_and_reports_drift(site_tree, capsys, client):
    published(node=site_tree["replies"])
    # Blank until recounted, and so absent from the column's list of the columns beneath it.
    assert ">政策文件</a>" not in client.get(site_tree["legal"].get_absolute_url()).content.decode()
    # A bulk load bypasses the services.
    Document.objects.bulk_create(
        [
            Document(
                title="批量",
                agency=Document.objects.get().agency,
                node=site_tree["policies"],
                status=Document.Status.PUBLISHED,
                published_at=local(2023, 1, 1),
                index_code="1",
                index_year=2023,
                index_serial=99,
                index_number_text="1/2023-00099",
            )
        ]
    )
    call_command("rebuild_counts")
    assert "1 个栏目" in capsys.readouterr().out
    assert_counts_fresh()
    # What pages kept of the wrong counts is forgotten.
    assert ">政策文件</a>" in client.get(site_tree["legal"].get_absolute_url()).content.decode()
    call_command("rebuild_counts")
    assert "无误差" in capsys.readouterr().out


def titles(response):
    return re.findall(
        r'<td class="col-title"><a href="/documents/\d+/">([^<]+)</a></td>',
        response.content.decode(),
    )


def test_the_count_shown_equals_the_documents_listed_across_all_pages(client, site_tree):
    for day in range(1, 24):
        published(
            node=site_tree["replies"], title=f"文件{day:02d}", published_at=local(2023, 1, day)
        )
    published(node=site_tree["policies"], title="同时发布", published_at=local(2023, 2, 1))
    Document.objects.get(title="同时发布").extra_nodes.add(site_tree["other"])
    withdraw(published(node=site_tree["replies"], title="已撤回"), SYSTEM, "错误")
    published(node=site_tree["replies"], title="定时", published_at=timezone.now() + timedelta(1))
    url = site_tree["other"].get_absolute_url()
    first = client.get(url, {"per_page": 10}).content.decode()
    shown = int(re.search(r"共 (\d+) 条", first).group(1))
    listed = []
    for page in range(1, math.ceil(shown / 10) + 1):
        listed += titles(client.get(url, {"per_page": 10, "page": page}))
    assert shown == len(listed) == len(set(listed)) == 24
    assert listed[0] == "同时发布"
    assert listed[-1] == "文件01"  # the last page lists the oldest documents, oldest last
    assert listed[1:] == [f"文件{day:02d}" for day in range(23, 0, -1)]


def test_an_unfiltered_listing_counts_no_documents(client, site_tree):
    for day in range(1, 6):
        published(node=site_tree["replies"], published_at=local(2023, 1, day))
    for params in ({}, {"per_page": 10, "page": 1}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(site_tree["legal"].get_absolute_url(), params).status_code == 200
        counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        # The only COUNT over documents is that of the few scheduled ones, by published_at,
        # and the filter choices' counts of a column of at most COLUMN_FACETS_LIMIT documents.
        for sql in counting:
            assert '"published_at" >' in sql or '"facet' in sql, sql


def test_the_filter_choices_of_a_large_column_are_not_counted(client, site_tree, monkeypatch):
    monkeypatch.setattr("disclosure.documents.filters.COLUMN_FACETS_LIMIT", 3)
    for day in range(1, 6):
        published(node=site_tree["replies"], published_at=local(2023, 1, day))
    with CaptureQueriesContext(connection) as queries:
        html = client.get(site_tree["legal"].get_absolute_url()).content.decode()
    assert not [q for q in queries if '"facet' in q["sql"]]
    # Every year offered, none counted.
    assert '<option value="2023">2023</option>' in html and "2023（" not in html


def test_the_filter_choices_count_a_publication_and_a_withdrawal_at_once(client, site_tree):
    elsewhere = CatalogNode.objects.create(name="机构信息", parent=site_tree["root"])
    url = site_tree["legal"].get_absolute_url()
    first = published(node=site_tree["replies"], published_at=local(2023, 1, 1))
    assert "2023（1）" in client.get(url).content.decode()
    same = {"agency": first.agency, "topic": first.topic, "genre": first.genre}
    second = published(node=site_tree["replies"], published_at=local(2023, 1, 2), **same)
    assert "2023（2）" in client.get(url).content.decode()
    # A column elsewhere changing keeps these counts: they are not counted again.
    published(node=elsewhere, **same)
    with CaptureQueriesContext(connection) as queries:
        assert "2023（2）" in client.get(url).content.decode()
    assert not [q for q in queries if '"facet' in q["sql"]]
    withdraw(second, SYSTEM, "错误")
    assert "2023（1）" in client.get(url).content.decode()


def test_a_filtered_listing_beyond_the_bound_says_so(client, site_tree, monkeypatch):
    monkeypatch.setattr("disclosure.documents.column_views.FILTERED_COUNT_LIMIT", 3)
    for day in range(1, 6):
        published(node=site_tree["replies"], published_at=local(2023, 1, day))
    html = client.get(site_tree["replies"].get_absolute_url(), {"year": 2023}).content.decode()
    assert "超过 3 条" in html


def test_tree_and_sitemap_query_budgets(client, site_tree, django_assert_max_num_queries):
    for day in range(1, 6):
        published(node=site_tree["replies"], published_at=local(2023, 1, day))
    with django_assert_max_num_queries(3):
        assert client.get(reverse("catalog:tree")).status_code == 200
    with django_assert_max_num_queries(3):
        index = client.get(reverse("sitemap"))
    assert index.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("sitemap"))
    assert not any(
        "COUNT(" in q["sql"].upper() and "disclosure_document" in q["sql"] for q in queries
    )
    with django_assert_max_num_queries(2):
        page = client.get(reverse("sitemap-section", args=["documents"]))
    assert page.content.decode().count("<loc>") == 5


def test_the_sitemap_index_lastmod_is_the_latest_public_change(client, site_tree):
    published(node=site_tree["replies"])
    latest = published(node=site_tree["replies"])
    document = Document.objects.get(pk=latest.pk)
    index = client.get(reverse("sitemap")).content.decode()
    assert timezone.localtime(document.updated_at).isoformat() in index


def test_pages_far_from_both_ends_are_reached_by_filtering(client, site_tree, monkeypatch):
    # An offset costs as many index entries as it skips: the middle of a long list is not read.
    monkeypatch.setattr("disclosure.documents.column_views.PAGE_WINDOW", 1)
    for day in range(1, 31):
        published(node=site_tree["replies"], title=f"旧{day:02d}", published_at=local(2022, 1, day))
    for day in range(1, 11):
        published(node=site_tree["replies"], title=f"新{day:02d}", published_at=local(2023, 1, day))
    url = site_tree["replies"].get_absolute_url()
    pages = {n: client.get(url, {"per_page": 10, "page": n}) for n in range(1, 5)}
    assert titles(pages[1])[0] == "新10" and titles(pages[4])[-1] == "旧01"
    for n in (2, 3):
        assert pages[n].status_code == 200 and titles(pages[n]) == []
        assert "不能直接翻到" in pages[n].content.decode()
    narrowed = client.get(url, {"per_page": 10, "year": 2023})
    assert titles(narrowed) == [f"新{day:02d}" for day in range(10, 0, -1)]


def test_a_validity_not_stated_is_no_choice_of_the_filter(client, site_tree):
    first = published(node=site_tree["replies"], validity="")
    published(node=site_tree["replies"], agency=first.agency)
    html = client.get(site_tree["replies"].get_absolute_url()).content.decode()
    select = html.split('name="validity"')[1].split("</select>")[0]
    assert "全部（" not in select and 'value=""' in select
