"""Whether each list column is kept up to date (``column_freshness``): by its kind's period or
its own, from the newest public document its page lists; and the compliance report agrees."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import CatalogNode, ColumnKind
from disclosure.documents.freshness import column_freshness
from disclosure.reports.compliance import build_report
from tests.disclosure.conftest import local
from tests.factories import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def columns(db):
    root = CatalogNode.objects.create(name="政务公开")
    return {
        "root": root,
        "news": CatalogNode.objects.create(name="工作动态", parent=root, kind=ColumnKind.NEWS),
        "notice": CatalogNode.objects.create(name="通知公告", parent=root, kind=ColumnKind.NOTICE),
        "plan": CatalogNode.objects.create(name="规划计划", parent=root, kind=ColumnKind.PLAN),
        "page": CatalogNode.objects.create(name="机构职能", parent=root, kind=ColumnKind.PAGE),
    }


def by_name(day):
    return {entry.node.name: entry for entry in column_freshness(day)}


def test_a_news_column_is_stale_after_two_weeks_and_a_notice_column_is_not(columns):
    published(node=columns["news"], published_at=local(2025, 3, 1))
    published(node=columns["notice"], published_at=local(2025, 3, 1))
    published(node=columns["plan"], published_at=local(2025, 3, 1))
    on_day_14 = by_name(date(2025, 3, 14))
    assert not on_day_14["工作动态"].stale
    on_day_16 = by_name(date(2025, 3, 16))
    assert on_day_16["工作动态"].stale and on_day_16["工作动态"].days_since == 15
    assert on_day_16["工作动态"].last_published == date(2025, 3, 1)
    assert not on_day_16["通知公告"].stale and on_day_16["通知公告"].period_days == 183
    assert by_name(date(2025, 9, 1))["通知公告"].stale
    assert not by_name(date(2025, 9, 1))["规划计划"].stale
    assert by_name(date(2026, 3, 2))["规划计划"].stale


def test_pages_and_columns_without_a_period_are_not_judged(columns):
    names = by_name(date(2025, 3, 1))
    assert "机构职能" not in names and "政务公开" not in names
    # A column with no public document at all is stale from the start.
    assert names["工作动态"].stale and names["工作动态"].last_published is None


def test_a_columns_own_period_replaces_its_kinds(columns):
    columns["news"].update_interval_days = 30
    columns["news"].save()
    published(node=columns["news"], published_at=local(2025, 3, 1))
    assert not by_name(date(2025, 3, 20))["工作动态"].stale


def test_a_column_is_kept_current_by_its_subtree_and_by_documents_listed_in_it(columns):
    below = CatalogNode.objects.create(name="部门动态", parent=columns["news"])
    published(node=below, published_at=local(2025, 3, 10))
    assert by_name(date(2025, 3, 20))["工作动态"].last_published == date(2025, 3, 10)
    elsewhere = published(node=columns["notice"], published_at=local(2025, 3, 18))
    elsewhere.extra_nodes.add(columns["news"])
    assert by_name(date(2025, 3, 20))["工作动态"].last_published == date(2025, 3, 18)


def test_freshness_costs_the_same_queries_for_more_columns(columns):
    with CaptureQueriesContext(connection) as few:
        column_freshness(date(2025, 3, 1))
    for n in range(30):
        column = CatalogNode.objects.create(name=f"动态{n}", parent=columns["root"], kind="news")
        published(node=column, published_at=local(2025, 2, 1))
    with CaptureQueriesContext(connection) as many:
        assert len(column_freshness(date(2025, 3, 1))) == 33
    assert len(many.captured_queries) == len(few.captured_queries) <= 2


def test_the_compliance_report_uses_the_kinds_periods(columns):
    published(node=columns["news"], published_at=local(2025, 3, 1))
    published(node=columns["notice"], published_at=local(2025, 3, 1))
    published(node=columns["plan"], published_at=local(2025, 3, 1))
    stale = [f for f in build_report(date(2025, 3, 20)).findings if f.kind == "stale_column"]
    assert [f.subject for f in stale] == ["工作动态"]
    assert "超过更新周期 14 天（动态要闻）" in stale[0].detail
