import csv
import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.documents.models import Document
from disclosure.documents.services import withdraw
from disclosure.reports.compliance import build_report, report_download
from portal.actors import SYSTEM
from portal.downloads import csv_chunks, write_file
from tests.disclosure.conftest import local
from tests.factories import AgencyFactory, GenreFactory, StaffUserFactory, published
from tests.office import AS_TEXT, HOSTILE, assert_plain_xlsx

pytestmark = pytest.mark.django_db


def kinds(report, kind):
    return [f for f in report.findings if f.kind == kind]


def test_the_seed_reply_is_a_late_disclosure(site_tree, seed_meta):
    published(title="第94号建议的复函", node=site_tree["replies"], written_on=date(2022, 6, 6),
              published_at=local(2022, 7, 15), **seed_meta)  # fmt: skip
    late = kinds(build_report(date(2022, 12, 31)), "late")
    assert [f.subject for f in late] == ["第94号建议的复函"]
    # The limit reads as the limit, not as the days it was exceeded by.
    assert "相隔 29 个工作日，超过 20 个工作日的公开时限" in late[0].detail


def test_disclosure_within_the_limit_is_not_late(site_tree):
    published(
        node=site_tree["replies"], written_on=date(2025, 9, 26), published_at=local(2025, 10, 30)
    )
    assert kinds(build_report(date(2025, 12, 31)), "late") == []


def test_a_node_time_limit_replaces_the_default(site_tree):
    site_tree["replies"].time_limit_days = 5
    site_tree["replies"].save()
    published(
        title="快",
        node=site_tree["replies"],
        written_on=date(2025, 3, 3),
        published_at=local(2025, 3, 7),
    )
    published(
        title="慢",
        node=site_tree["replies"],
        written_on=date(2025, 3, 3),
        published_at=local(2025, 3, 12),
    )
    assert [f.subject for f in kinds(build_report(date(2025, 12, 31)), "late")] == ["慢"]


def test_stale_column_and_home_page(site_tree):
    site_tree["policies"].update_interval_days = 30
    site_tree["policies"].save()
    published(node=site_tree["policies"], published_at=local(2025, 1, 10))
    assert kinds(build_report(date(2025, 1, 20)), "stale_column") == []
    assert kinds(build_report(date(2025, 1, 20)), "stale_home") == []
    later = build_report(date(2025, 3, 1))
    assert [f.subject for f in kinds(later, "stale_column")] == ["政策文件"]
    assert len(kinds(later, "stale_home")) == 1


def test_a_shared_column_is_as_fresh_for_each_agency_as_the_public_sees_it(site_tree):
    # 政策文件 belongs to no agency: every agency's staff check it. Another agency's document
    # updated it, and the public sees it updated.
    site_tree["policies"].update_interval_days = 30
    site_tree["policies"].save()
    published(node=site_tree["policies"], agency=AgencyFactory(), published_at=local(2025, 1, 10))
    clerk = StaffUserFactory(agencies=[AgencyFactory()])
    assert kinds(build_report(date(2025, 1, 20), viewer=clerk), "stale_column") == []
    stale = kinds(build_report(date(2025, 3, 1), viewer=clerk), "stale_column")
    assert [f.subject for f in stale] == ["政策文件"]
    assert "最近一次更新为 2025-01-10" in stale[0].detail


def test_a_column_with_an_interval_and_no_documents_is_stale(site_tree):
    CatalogNode.objects.create(
        name="财政预决算", parent=site_tree["legal"], update_interval_days=365
    )
    stale = kinds(build_report(date(2025, 1, 1)), "stale_column")
    assert [f.subject for f in stale] == ["财政预决算"] and "尚无公开信息" in stale[0].detail


def test_normative_document_without_interpretation(site_tree):
    normative = GenreFactory(name="行政规范性文件")
    reading = GenreFactory(name="政策解读", requires_doc_number=False)
    explained = published(
        title="已解读的办法",
        genre=normative,
        doc_number="铜府发〔2025〕1号",
        published_at=local(2025, 1, 5),
    )
    published(
        title="未解读的办法",
        genre=normative,
        doc_number="铜府发〔2025〕2号",
        published_at=local(2025, 1, 5),
    )
    interpretation = published(title="解读", genre=reading, published_at=local(2025, 2, 1))
    interpretation.interprets.add(explained)
    assert {f.subject for f in kinds(build_report(date(2025, 3, 1)), "no_interpretation")} == {
        "未解读的办法"
    }
    # Before the interpretation was published, both lacked one: the report is reproducible.
    assert {f.subject for f in kinds(build_report(date(2025, 1, 20)), "no_interpretation")} == {
        "已解读的办法",
        "未解读的办法",
    }


def test_missing_metadata(site_tree):
    notice = GenreFactory(name="通知", requires_doc_number=True)
    on = {"written_on": date(2025, 1, 3), "published_at": local(2025, 1, 5)}
    published(title="完整", genre=notice, doc_number="铜府办发〔2025〕3号", **on)
    published(title="缺文号", genre=notice, doc_number="", **on)
    published(
        title="缺主题", topic=None, genre=GenreFactory(name="其他", requires_doc_number=False), **on
    )
    # Written before the rule (services.publish refuses it now): a row as an older version left it.
    reversed_dates = published(title="日期颠倒", genre=notice, doc_number="x", **on)
    Document.objects.filter(pk=reversed_dates.pk).update(written_on=date(2025, 1, 9))
    found = {f.subject: f.detail for f in kinds(build_report(date(2025, 2, 1)), "missing_metadata")}
    assert found == {
        "缺文号": "缺少文号",
        "缺主题": "未填主题分类",
        "日期颠倒": "成文日期晚于发布日期",
    }


def test_the_report_for_a_past_date_ignores_later_events(site_tree):
    document = published(title="后来撤回", node=site_tree["replies"], written_on=date(2024, 1, 2),
                         published_at=local(2024, 3, 1))  # fmt: skip
    withdraw(document, SYSTEM, "政策调整")
    assert [f.subject for f in kinds(build_report(date(2024, 6, 1)), "late")] == ["后来撤回"]
    assert kinds(build_report(date(2024, 2, 1)), "late") == []  # not yet published then
    assert kinds(build_report(), "late") == []  # withdrawn now


def test_summary_counts_each_kind(site_tree):
    published(title="迟", written_on=date(2024, 1, 2), published_at=local(2024, 3, 1), topic=None)
    report = build_report(date(2024, 6, 1))
    summary = dict(report.summary)
    assert summary["逾期公开"] == 1 and summary["元数据缺失"] == 1 and summary["首页不更新"] == 1
    assert sum(summary.values()) == len(report.findings)


def test_admin_page_and_downloads(client, site_tree):
    late = published(title="迟", written_on=date(2024, 1, 2), published_at=local(2024, 3, 1))
    boss = get_user_model().objects.create_superuser(
        "boss", "b@example.com", "correct-horse-battery"
    )
    client.force_login(boss)
    url = reverse("admin:disclosure_document_compliance")
    html = client.get(url, {"as_of": "2024-06-01"}).content.decode()
    assert "逾期公开" in html and "迟" in html
    by_agency = html[html.index('id="by-agency"') : html.index('id="findings"')]
    assert f'<th scope="row">{late.agency.name}</th>' in by_agency
    assert late.index_number_text in html and f'href="/documents/{late.pk}/"' in html
    csv_data = b"".join(
        client.get(url, {"as_of": "2024-06-01", "download": "csv"}).streaming_content
    ).decode("utf-8-sig")
    assert "逾期公开" in csv_data
    assert client.get(url, {"download": "xlsx"}).status_code == 200


def test_compliance_report_command(tmp_path, site_tree, capsys):
    published(title="迟", written_on=date(2024, 1, 2), published_at=local(2024, 3, 1))
    call_command("compliance_report", "--as-of", "2024-06-01")
    assert "逾期公开：1" in capsys.readouterr().out
    out = tmp_path / "r.csv"
    call_command("compliance_report", "--as-of", "2024-06-01", "--format", "csv", "-o", str(out))
    assert "迟" in out.read_bytes().decode("utf-8-sig")


def test_an_as_of_date_out_of_range_is_refused(client, site_tree):
    boss = get_user_model().objects.create_superuser(
        "boss", "b@example.com", "correct-horse-battery"
    )
    client.force_login(boss)
    response = client.get(reverse("admin:disclosure_document_compliance"), {"as_of": "0001-01-01"})
    assert response.status_code == 200 and "1949年至2100年" in response.content.decode()


def test_report_cells_are_neutralised_against_formulas(site_tree):
    published(title="=HYPERLINK(1)", written_on=date(2024, 1, 2), published_at=local(2024, 3, 1))
    # Neutralising is the download pipeline's job: the report's file is what a spreadsheet opens.
    report = build_report(date(2024, 6, 1))
    body = b"".join(csv_chunks(report_download(report).rows)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert any(row[4].startswith("'=") for row in rows[1:])


def test_staff_text_stays_text_in_the_compliance_report_files(site_tree, settings):
    for text in HOSTILE:
        published(title=text, written_on=date(2024, 1, 2), published_at=local(2024, 3, 1))
    report = build_report(date(2024, 6, 1))
    workbook, text = io.BytesIO(), io.BytesIO()
    write_file(report_download(report), "xlsx", workbook, SYSTEM)
    assert_plain_xlsx(workbook.getvalue(), portal_links=[settings.PORTAL_BASE_URL + "/"])
    write_file(report_download(report), "csv", text, SYSTEM)
    rows = list(csv.reader(io.StringIO(text.getvalue().decode("utf-8-sig"))))
    assert {row[4] for row in rows[1:]} >= set(AS_TEXT.values())


def test_a_column_kept_current_by_documents_also_listed_in_it_is_not_stale(site_tree):
    site_tree["replies"].update_interval_days = 30
    site_tree["replies"].save()
    document = published(node=site_tree["policies"], published_at=local(2025, 1, 10))
    document.extra_nodes.add(site_tree["replies"])
    assert kinds(build_report(date(2025, 1, 20)), "stale_column") == []


def test_compliance_report_downloads_are_audited_with_rows_and_hash(client, site_tree, tmp_path):
    import hashlib

    from portal.models import AuditEvent

    published(title="迟", written_on=date(2024, 1, 2), published_at=local(2024, 3, 1))
    boss = get_user_model().objects.create_superuser(
        "boss", "b@example.com", "correct-horse-battery"
    )
    client.force_login(boss)
    url = reverse("admin:disclosure_document_compliance")
    body = b"".join(client.get(url, {"as_of": "2024-06-01", "download": "csv"}).streaming_content)
    xlsx = b"".join(client.get(url, {"as_of": "2024-06-01", "download": "xlsx"}).streaming_content)
    out = tmp_path / "r.csv"
    call_command("compliance_report", "--as-of", "2024-06-01", "--format", "csv", "-o", str(out))
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("pk"))
    assert [e.details["what"] for e in events] == ["compliance_report"] * 3
    csv_event, xlsx_event, command_event = events
    assert csv_event.actor == boss and csv_event.details["format"] == "csv"
    assert csv_event.details["sha256"] == hashlib.sha256(body).hexdigest()
    assert csv_event.details["rows"] >= 1 and csv_event.details["as_of"] == "2024-06-01"
    assert xlsx_event.details["sha256"] == hashlib.sha256(xlsx).hexdigest()
    assert command_event.actor is None
    assert command_event.details["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_a_streamed_download_is_audited_with_the_address_it_went_to(client, site_tree):
    from portal.models import AuditEvent

    boss = get_user_model().objects.create_superuser(
        "boss", "b@example.com", "correct-horse-battery"
    )
    client.force_login(boss)
    url = reverse("admin:disclosure_document_compliance")
    response = client.get(url, {"download": "csv"}, REMOTE_ADDR="203.0.113.40")
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.ip == "203.0.113.40"


def test_the_report_file_has_numbers_and_absolute_hyperlinks(tmp_path, site_tree, settings):
    from openpyxl import load_workbook

    settings.PORTAL_BASE_URL = "https://gk.example.gov.cn"
    late = published(title="迟", written_on=date(2024, 1, 2), published_at=local(2024, 3, 1))
    out = tmp_path / "r.xlsx"
    call_command("compliance_report", "--as-of", "2024-06-01", "--format", "xlsx", "-o", str(out))
    workbook = load_workbook(out)
    sheet = workbook.worksheets[0]
    assert sheet["A1"].value.startswith("合规检查（截至 2024年6月1日）")
    assert sheet.auto_filter.ref.startswith("A2:H")
    row = next(r for r in sheet.iter_rows(min_row=3) if r[4].value == "迟")
    assert isinstance(row[0].value, int)
    assert row[2].value == late.agency.name and row[3].value == late.index_number_text
    expected = f"https://gk.example.gov.cn/admin/disclosure/document/{late.pk}/change/"
    assert row[7].hyperlink.target == expected
    # The public page, which auditors open without an admin login.
    assert row[6].hyperlink.target == f"https://gk.example.gov.cn/documents/{late.pk}/"
    summary = workbook["按机构汇总"]
    header, *agencies = summary.iter_rows(min_row=2, values_only=True)
    assert header[0] == "发布机构" and header[-1] == "合计"
    own = next(a for a in agencies if a[0] == late.agency.name)
    assert own[header.index("逾期公开")] == 1 and own[-1] == sum(own[1:-1])
    csv_out = tmp_path / "r.csv"
    call_command(
        "compliance_report", "--as-of", "2024-06-01", "--format", "csv", "-o", str(csv_out)
    )
    assert expected in csv_out.read_bytes().decode("utf-8-sig")
