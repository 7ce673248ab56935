"""网站自查: each 单项否决 rule fails on a site that breaks it and passes once it is fixed; the
overall verdict; the daily snapshots; the page's permission and scope; the file per agency."""

import csv
import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from catalog.models import CatalogNode, ColumnKind
from disclosure.applications.models import Application
from disclosure.documents.models import Document
from disclosure.reports.inspection import (
    BLANK_LIMIT,
    RULES,
    VETO,
    add_months,
    agency_viewer,
    build_inspection,
    inspection_download,
)
from disclosure.reports.models import InspectionSnapshot
from portal.actors import SYSTEM
from portal.downloads import csv_chunks
from portal.models import AuditEvent
from portal.roles import AUDITOR, EDITOR
from tests.disclosure.conftest import local
from tests.factories import AgencyFactory, ApplicationFactory, StaffUserFactory, published
from tests.office import HOSTILE, assert_plain_xlsx

pytestmark = pytest.mark.django_db

DAY = date(2025, 6, 30)
# The rules of the compliance report, the applications, the 错敏词 dictionary (its version, and
# its rules when this process compiles it first) and the public documents, the broken links.
QUERY_BUDGET = 38


def outcome(inspection, key):
    return next(o for o in inspection.outcomes if o.rule.key == key)


def verdict(key, day=DAY, viewer=SYSTEM):
    return outcome(build_inspection(day, viewer), key)


def leaf(name, parent, **extra):
    """A column staff keep shown to the public even while it is empty (a blank column is
    otherwise kept off public pages, and so not one the public sees blank)."""
    shown = {"shown_when_empty": True, "shown_when_empty_reason": "栏目建设中"}
    return CatalogNode.objects.create(name=name, parent=parent, **{**shown, **extra})


@pytest.fixture
def current(site_tree):
    """A site whose every column of the fixture tree holds a document of the week."""
    for key in ("replies", "policies"):
        published(title=f"本周{key}", node=site_tree[key], published_at=local(2025, 6, 25))
    return site_tree


# -- 首页不更新 -----------------------------------------------------------------------------------


def test_a_home_page_without_news_for_two_weeks_fails(current):
    stale = verdict("stale_home", day=date(2025, 7, 9))  # newest of 25 June: 14 days on
    assert not stale.passed and stale.verdict == "不合格" and stale.count == 1
    assert stale.items[0].url == reverse("home")


def test_a_home_page_with_news_within_two_weeks_passes(current):
    assert verdict("stale_home", day=date(2025, 7, 8)).passed
    published(node=current["replies"], published_at=local(2025, 7, 8))
    assert verdict("stale_home", day=date(2025, 7, 20)).passed


# -- 栏目不更新 -----------------------------------------------------------------------------------


def news_columns(site_tree, count, days=14):
    return [
        leaf(f"工作动态{n}", site_tree["legal"], update_interval_days=days) for n in range(count)
    ]


def test_five_news_columns_not_updated_for_two_weeks_fail(current):
    columns = news_columns(current, 5)
    for column in columns:
        published(node=column, published_at=local(2025, 6, 1))
    stale = verdict("stale_columns")
    assert stale.count == 5 and not stale.passed and stale.verdict == "不合格"
    assert all(item.frequent for item in stale.items)


def test_news_columns_by_their_kind_alone_are_held_to_two_weeks(current):
    columns = [leaf(f"要闻{n}", current["legal"], kind=ColumnKind.NEWS) for n in range(5)]
    for column in columns:
        published(node=column, published_at=local(2025, 6, 1))
    stale = verdict("stale_columns")
    assert stale.count == 5 and not stale.passed
    assert all(item.frequent for item in stale.items)


def test_four_news_columns_not_updated_pass_and_updating_one_of_five_fixes_it(current):
    columns = news_columns(current, 5)
    for column in columns[:4]:
        published(node=column, published_at=local(2025, 6, 1))
    published(node=columns[4], published_at=local(2025, 6, 28))
    stale = verdict("stale_columns")
    assert stale.count == 4 and stale.passed and stale.verdict == "合格"


def test_ten_yearly_columns_not_updated_fail_where_nine_pass(current):
    columns = [leaf(f"人事信息{n}", current["legal"], update_interval_days=365) for n in range(10)]
    for column in columns:
        published(node=column, published_at=local(2024, 1, 10))
    stale = verdict("stale_columns")
    assert stale.count == 10 and not stale.passed
    assert not any(item.frequent for item in stale.items)
    published(node=columns[0], published_at=local(2025, 6, 1))
    assert verdict("stale_columns").passed


# -- 空白栏目 -------------------------------------------------------------------------------------


def test_five_visible_empty_columns_fail(current):
    for n in range(BLANK_LIMIT):
        leaf(f"空栏目{n}", current["other"])
    blank = verdict("blank_columns")
    assert blank.count == BLANK_LIMIT and not blank.passed and blank.verdict == "不合格"
    assert {item.subject for item in blank.items} == {f"空栏目{n}" for n in range(BLANK_LIMIT)}
    assert blank.items[0].url.startswith("/")  # the public page, what an inspector opens


def test_columns_the_public_does_not_see_as_blank_are_not_counted(current):
    for n in range(BLANK_LIMIT - 1):
        leaf(f"空栏目{n}", current["other"])
    hidden = leaf("隐藏栏目", current["legal"], is_visible=False)
    leaf("隐藏栏目之下", hidden)
    leaf("依申请公开", current["root"], slug="ysqgk")  # the home of the application pages
    leaf("政府信息公开指南", current["root"], slug="gkzn")  # the guides' page
    listed = leaf("同时列出", current["legal"])
    published(node=current["policies"], published_at=local(2025, 6, 20)).extra_nodes.add(listed)
    leaf("不公开显示的空栏目", current["other"], shown_when_empty=False)  # kept off the pages
    leaf("机构职能", current["other"], kind=ColumnKind.PAGE)  # a page is its text
    blank = verdict("blank_columns")
    assert blank.count == BLANK_LIMIT - 1 and blank.passed


def test_filling_a_blank_column_makes_the_site_pass(current):
    columns = [leaf(f"空栏目{n}", current["other"]) for n in range(BLANK_LIMIT)]
    assert not verdict("blank_columns").passed
    published(node=columns[0], published_at=local(2025, 6, 20))
    assert verdict("blank_columns").passed


# -- 伪造发稿日期 ---------------------------------------------------------------------------------


def test_a_publication_date_before_the_servers_record_fails(current):
    document = published(
        title="改过日期", node=current["policies"], published_at=local(2025, 6, 20)
    )
    Document.objects.filter(pk=document.pk).update(published_at=local(2025, 5, 1))
    backdated = verdict("backdated")
    assert not backdated.passed and [i.subject for i in backdated.items] == ["改过日期"]


def test_the_servers_own_dates_pass(current):
    assert verdict("backdated").passed


# -- 严重错误 ------------------------------------------------------------------------------------


def test_a_severe_wording_error_in_public_text_fails_and_its_correction_passes(current):
    from disclosure.documents.models import WordRule

    WordRule.objects.create(wrong="中华人民共合国", right="中华人民共和国", severity="severe")
    WordRule.objects.create(wrong="按装", right="安装", severity="hint")
    document = published(
        title="通知", node=current["policies"], body="<p>中华人民共合国境内按装设备</p>"
    )
    wrong = verdict("serious_wording")
    assert not wrong.passed and wrong.verdict == "不合格"
    assert [i.subject for i in wrong.items] == ["通知"]
    assert "“中华人民共合国”应为“中华人民共和国”" in wrong.items[0].detail
    assert "按装" not in wrong.items[0].detail  # a 提示 entry is no 严重错误
    Document.objects.filter(pk=document.pk).update(body="<p>中华人民共和国境内按装设备</p>")
    assert verdict("serious_wording").passed


# -- 链接可用性 -----------------------------------------------------------------------------------


def test_a_broken_link_in_a_public_document_costs_points_until_it_opens(
    current, django_capture_on_commit_callbacks
):
    from disclosure.documents.services import publish, withdraw
    from tests.factories import DocumentFactory

    target = published(node=current["policies"])
    document = DocumentFactory(
        title="引用原文",
        node=current["policies"],
        body=f'<a href="/documents/{target.pk}/">原文</a>',
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish(document)
    assert verdict("broken_links").passed
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(target, SYSTEM, "已废止")
    broken = verdict("broken_links")
    assert not broken.passed and broken.verdict == "扣分"
    assert [i.subject for i in broken.items] == ["引用原文"]


# -- 互动回应差 -----------------------------------------------------------------------------------


def test_an_application_unanswered_for_three_months_fails(current):
    application = ApplicationFactory(received_on=date(2025, 3, 20))
    unanswered = verdict("unanswered_messages")
    assert not unanswered.passed and unanswered.items[0].subject.endswith(application.number)
    assert "张三" not in unanswered.items[0].detail  # named by number only


def test_an_application_answered_late_in_the_last_year_still_fails(current):
    ApplicationFactory(
        received_on=date(2025, 1, 6),
        status=Application.Status.CLOSED,
        closed_on=date(2025, 5, 6),
        result=Application.Result.DISCLOSED,
    )
    assert not verdict("unanswered_messages").passed


def test_an_application_of_an_earlier_year_still_unanswered_fails(current):
    ApplicationFactory(received_on=date(2024, 3, 1))
    assert not verdict("unanswered_messages").passed


def test_applications_answered_within_three_months_pass(current):
    ApplicationFactory(
        received_on=date(2025, 3, 20),
        status=Application.Status.CLOSED,
        closed_on=date(2025, 4, 15),
        result=Application.Result.DISCLOSED,
    )
    ApplicationFactory(received_on=date(2025, 5, 6))  # open for less than three months
    unanswered = verdict("unanswered_messages")
    assert unanswered.passed and unanswered.count == 0


def test_an_application_past_its_statutory_deadline_costs_points_not_the_verdict(current):
    ApplicationFactory(received_on=date(2025, 5, 6))  # 20 working days ran out in June
    inspection = build_inspection(DAY)
    late = outcome(inspection, "late_applications")
    assert not late.passed and late.verdict == "扣分"
    assert inspection.passed and inspection.verdict == "合格"


def test_add_months_keeps_the_day_or_the_last_of_a_short_month():
    assert add_months(date(2025, 3, 20), 3) == date(2025, 6, 20)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 6, 30), -12) == date(2024, 6, 30)


# -- the overall verdict --------------------------------------------------------------------------


def test_a_current_site_passes_and_any_failed_veto_fails_it(current):
    inspection = build_inspection(DAY)
    assert inspection.passed and inspection.failed_vetoes == []
    for n in range(BLANK_LIMIT):
        leaf(f"空栏目{n}", current["other"])
    inspection = build_inspection(DAY)
    assert not inspection.passed and inspection.verdict == "不合格"
    assert [o.rule.key for o in inspection.failed_vetoes] == ["blank_columns"]


def test_every_veto_rule_is_stated_with_its_threshold():
    vetoes = {rule.name for rule in RULES if rule.category == VETO}
    assert {"首页不更新", "栏目不更新", "空白栏目", "互动回应差"} <= vetoes
    assert all(rule.threshold for rule in RULES)
    assert len({rule.key for rule in RULES}) == len(RULES)


# -- snapshots ------------------------------------------------------------------------------------


def test_the_command_saves_one_snapshot_per_rule_and_agency_a_day(current, capsys):
    agencies = [AgencyFactory(), AgencyFactory()]
    call_command("self_inspect", "--date", "2025-06-30", "--save")
    assert "总体结论：合格" in capsys.readouterr().out
    per_day = len(RULES) * (1 + len(agencies) + 2)  # the two documents' agencies too
    assert InspectionSnapshot.objects.count() == per_day
    for n in range(BLANK_LIMIT):
        leaf(f"空栏目{n}", current["other"])
    call_command("self_inspect", "--date", "2025-06-30", "--save")
    assert InspectionSnapshot.objects.count() == per_day
    site = InspectionSnapshot.objects.get(day=DAY, agency=None, rule="blank_columns")
    assert site.count == BLANK_LIMIT and not site.passed
    call_command("self_inspect", "--date", "2025-07-01", "--save")
    assert InspectionSnapshot.objects.count() == 2 * per_day


def test_the_command_refuses_an_agency_it_cannot_find(current):
    with pytest.raises(CommandError, match="找不到机构“没有这个局”"):
        call_command("self_inspect", "--agency", "没有这个局", "--save")
    assert not InspectionSnapshot.objects.exists()


def test_the_command_inspects_one_agency(current, capsys):
    agency = Document.objects.first().agency
    call_command("self_inspect", "--date", "2025-06-30", "--agency", agency.credit_code, "--save")
    assert f"网站自查：{agency.name}" in capsys.readouterr().out
    assert set(InspectionSnapshot.objects.values_list("agency", flat=True)) == {agency.pk}


# -- the page, its scope and its file -------------------------------------------------------------


@pytest.fixture
def two_agencies(current):
    """Two agencies, each with an application unanswered for months."""
    ours, theirs = AgencyFactory(name="区政府办公室"), AgencyFactory(name="区财政局")
    ApplicationFactory(agency=ours, number="2025-00001", received_on=date(2025, 1, 6))
    ApplicationFactory(agency=theirs, number="2025-00002", received_on=date(2025, 1, 6))
    return ours, theirs


def current_tree():
    return CatalogNode.objects.get(name="其他法定主动公开内容")


def page(client, **params):
    return client.get(reverse("admin:disclosure_document_inspection"), params)


def test_staff_see_their_own_agency_only(client, two_agencies):
    ours, theirs = two_agencies
    client.force_login(StaffUserFactory(role=EDITOR, agencies=[ours]))
    html = page(client, as_of="2025-06-30").content.decode()
    assert "2025-00001" in html and "2025-00002" not in html
    assert "区政府办公室：2025年6月30日" in html and "不合格" in html
    # Another agency is not theirs to choose: refused, and no file of it is made.
    refused = page(client, as_of="2025-06-30", agency=theirs.pk, download="csv")
    assert refused.status_code == 200 and "2025-00002" not in refused.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_user_without_the_compliance_reports_permission_is_refused(client, current):
    client.force_login(StaffUserFactory())  # staff, no role
    assert page(client).status_code == 403
    client.logout()
    assert page(client).status_code == 302  # to the login page


def test_the_file_of_an_agency_is_scoped_audited_and_inert(client, two_agencies):
    ours, theirs = two_agencies
    leaf('=HYPERLINK("http://evil.example")', current_tree(), agency=ours)
    client.force_login(StaffUserFactory(role=EDITOR, agencies=[ours]))
    response = page(client, as_of="2025-06-30", agency=ours.pk, download="csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:5] == ["指标", "类别", "规则/阈值", "数量", "结论"]
    assert rows[1][4] == "不合格"
    subjects = [row[5] for row in rows[2:]]
    assert '\'=HYPERLINK("http://evil.example")' in subjects  # text, not a formula
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "2025-00002" not in body
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.details["what"] == "self_inspection" and event.details["agency"] == ours.pk


def test_an_auditor_may_inspect_and_export_every_agency(client, two_agencies, settings):
    ours, theirs = two_agencies
    client.force_login(StaffUserFactory(role=AUDITOR, agencies=[ours]))
    html = page(client, as_of="2025-06-30").content.decode()
    assert "全站：2025年6月30日" in html and "2025-00001" in html and "2025-00002" in html
    for text in HOSTILE:
        leaf(text, current_tree(), agency=theirs)
    response = page(client, as_of="2025-06-30", agency=theirs.pk, download="xlsx")
    assert response.status_code == 200
    assert_plain_xlsx(b"".join(response.streaming_content), [settings.PORTAL_BASE_URL + "/"])
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).details["agency"] == theirs.pk


def test_the_page_shows_the_trend_of_the_saved_snapshots(client, current):
    call_command("self_inspect", "--date", "2025-06-29", "--save")
    for n in range(BLANK_LIMIT):
        leaf(f"空栏目{n}", current["other"])
    call_command("self_inspect", "--date", "2025-06-30", "--save")
    boss = get_user_model().objects.create_superuser("boss", "b@example.com", "x-horse-battery")
    client.force_login(boss)
    response = page(client, as_of="2025-06-30")
    days, rows = response.context["trend_days"], dict(response.context["trend_rows"])
    assert days == [date(2025, 6, 30), date(2025, 6, 29)]
    blank = next(cells for rule, cells in rows.items() if rule.key == "blank_columns")
    assert blank == [(BLANK_LIMIT, "不合格", "fail"), (0, "合格", "pass")]
    assert "6月29日" in response.content.decode()


def test_an_agencys_inspection_counts_its_sub_agencies_and_shared_columns(current):
    parent = AgencyFactory()
    child = AgencyFactory(parent=parent)
    other = AgencyFactory()
    leaf("子机构栏目", current["other"], agency=child)
    leaf("他机构栏目", current["other"], agency=other)
    viewer = agency_viewer(SYSTEM, parent)
    blank = outcome(build_inspection(DAY, viewer, parent), "blank_columns")
    assert [item.subject for item in blank.items] == ["子机构栏目"]
    staff = StaffUserFactory(role=EDITOR, agencies=[other])
    assert agency_viewer(staff, parent) is None


def test_the_file_names_the_agency_and_day(current):
    agency = AgencyFactory(name="区财政局")
    inspection = build_inspection(DAY, agency_viewer(SYSTEM, agency), agency)
    download = inspection_download(inspection)
    assert download.filename == "网站自查_区财政局_20250630"
    body = b"".join(csv_chunks(download.rows)).decode("utf-8-sig")
    assert body.count("\n") == 1 + 1 + len(RULES)  # header, verdict, a row per rule


def test_the_page_costs_the_same_queries_for_more_items(
    client, current, django_assert_max_num_queries
):
    boss = get_user_model().objects.create_superuser("boss", "b@example.com", "x-horse-battery")
    client.force_login(boss)

    def add(count):
        for _ in range(count):
            leaf(f"空栏目{CatalogNode.objects.count()}", current["other"], update_interval_days=14)
            ApplicationFactory(received_on=date(2025, 1, 6))

    add(1)
    page(client, as_of="2025-06-30")  # the working-day calendar, read once
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert page(client, as_of="2025-06-30").status_code == 200
    add(20)
    with django_assert_max_num_queries(QUERY_BUDGET):
        html = page(client, as_of="2025-06-30").content.decode()
    assert html.count("依申请公开 2026-") >= 2 * 21  # unanswered and late, each listed
