"""The compliance report and the moment the server recorded: the late-publication check counts
from it, a 发布日期 before it is named (伪造发稿日期 to an inspector), and documents migrated
with a reason are listed as 补录的历史发布日期 with that reason."""

from datetime import date

import pytest

from disclosure.documents.models import Document
from disclosure.documents.services import publish, set_legacy_index_number
from disclosure.reports.compliance import build_report
from portal.actors import SYSTEM
from tests.disclosure.conftest import local
from tests.factories import DocumentFactory, published
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db


def kinds(report, kind):
    return [f for f in report.findings if f.kind == kind]


def falsified(site_tree, written_on, shown, recorded_on):
    """A document the server published on ``recorded_on`` whose 发布日期 was then set to the
    earlier ``shown`` (as a row written before the rule may hold)."""
    document = published(
        title="改过日期的通知",
        node=site_tree["policies"],
        written_on=written_on,
        published_at=local(recorded_on.year, recorded_on.month, recorded_on.day),
    )
    Document.objects.filter(pk=document.pk).update(published_at=shown)
    return document


def test_the_late_check_counts_from_the_servers_moment_not_the_shown_date(site_tree):
    # Written on 2 November, shown as published on 5 November, really published on 7 December:
    # 25 working days, over the 20 of the default limit.
    falsified(site_tree, date(2026, 11, 2), local(2026, 11, 5), date(2026, 12, 7))
    late = kinds(build_report(date(2026, 12, 31)), "late")
    assert [f.subject for f in late] == ["改过日期的通知"]
    assert "发布日期 2026-12-07（页面显示 2026-11-05，按系统记录计）" in late[0].detail


def test_a_document_not_yet_public_by_the_servers_record_is_not_counted_on_an_earlier_day(
    site_tree,
):
    # Late by its shown date too, but not public at all yet on 30 November by the server's record.
    falsified(site_tree, date(2026, 9, 1), local(2026, 11, 5), date(2026, 12, 7))
    report = build_report(date(2026, 11, 30))
    assert kinds(report, "late") == [] and kinds(report, "backdated_unexplained") == []


def test_a_date_before_the_servers_record_is_named(site_tree):
    falsified(site_tree, date(2026, 1, 4), local(2026, 1, 5), date(2026, 12, 7))
    found = kinds(build_report(date(2026, 12, 31)), "backdated_unexplained")
    assert [f.subject for f in found] == ["改过日期的通知"]
    assert "页面显示的发布日期 2026-01-05 09:00 早于系统记录的发布时间 2026-12-07 09:00" in (
        found[0].detail
    )
    assert dict(build_report(date(2026, 12, 31)).summary)["发布日期早于系统记录"] == 1


def test_migrated_documents_are_listed_with_their_reason_and_judged_by_their_old_date(
    site_tree, seed_meta
):
    document = DocumentFactory(
        title="第94号建议的复函",
        node=site_tree["replies"],
        written_on=date(2022, 7, 10),
        published_at=local(2022, 7, 15),
        migrated_index_number="115002240093343308/2022-00225",
        backdate_reason="原网站2022年7月15日发布",
        **seed_meta,
    )
    set_legacy_index_number(document, "115002240093343308/2022-00225")
    with on_day(date(2026, 12, 7)):
        publish(document, SYSTEM)
    report = build_report(date(2026, 12, 31))
    listed = kinds(report, "backdated")
    assert [f.subject for f in listed] == ["第94号建议的复函"]
    assert "原索引号 115002240093343308/2022-00225；补录原因：原网站2022年7月15日发布" in (
        listed[0].detail
    )
    assert "本站发布于 2026-12-07 12:00" in listed[0].detail
    # Written five days before its old date: in time, not four years late.
    assert kinds(report, "late") == [] and kinds(report, "backdated_unexplained") == []
    # Before it came to this portal, the report for a past day does not list it.
    assert kinds(build_report(date(2026, 6, 30)), "backdated") == []


def test_documents_published_by_the_rules_raise_no_date_finding(site_tree):
    published(
        node=site_tree["policies"], written_on=date(2026, 3, 2), published_at=local(2026, 3, 4)
    )
    report = build_report(date(2026, 12, 31))
    assert kinds(report, "backdated") == kinds(report, "backdated_unexplained") == []
