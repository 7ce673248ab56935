import csv
import io
from datetime import date, datetime

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from disclosure.documents.listings import HEADERS, STAFF_HEADERS
from disclosure.documents.models import Document
from portal.downloads import neutralise
from portal.models import AuditEvent
from portal.roles import AUDITOR, EDITOR
from tests.disclosure.conftest import local
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory, published
from tests.office import AS_TEXT, HOSTILE, assert_plain_xlsx

pytestmark = pytest.mark.django_db


def csv_rows(response, encoding="utf-8-sig"):
    data = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(data.decode(encoding)))), data


@pytest.fixture
def listing(site_tree):
    district, other = AgencyFactory(name="区政府办公室"), AgencyFactory(name="区教委")
    docs = [
        published(
            title="建议复函一",
            node=site_tree["replies"],
            agency=district,
            published_at=local(2023, 3, 1),
        ),
        published(
            title="政策文件一",
            node=site_tree["policies"],
            agency=district,
            published_at=local(2024, 5, 1),
        ),
        published(
            title='=HYPERLINK("http://evil")',
            node=site_tree["policies"],
            agency=other,
            published_at=local(2024, 6, 1),
        ),
        published(
            title="根栏目文件", node=site_tree["root"], agency=other, published_at=local(2022, 1, 1)
        ),
    ]
    DocumentFactory(title="草稿不导出", node=site_tree["policies"], agency=district)
    published(
        title="依申请公开不导出",
        node=site_tree["policies"],
        disclosure_mode=Document.DisclosureMode.ON_REQUEST,
    )
    return {**site_tree, "district": district, "education": other, "docs": docs}


def test_public_csv_has_bom_headers_and_only_public_documents_of_the_subtree(client, listing):
    response = client.get(
        reverse("disclosure:export"), {"node": listing["legal"].pk, "format": "csv"}
    )
    assert response.status_code == 200
    rows, data = csv_rows(response)
    assert data.startswith(b"\xef\xbb\xbf")
    assert rows[0] == HEADERS
    titles = [r[2] for r in rows[1:]]
    expected = Document.objects.public().in_subtree(listing["legal"]).count()
    assert len(rows) - 1 == expected == 3
    assert (
        "草稿不导出" not in titles
        and "依申请公开不导出" not in titles
        and "根栏目文件" not in titles
    )
    doc = listing["docs"][0]
    first = next(row for row in rows[1:] if row[2] == "建议复函一")
    assert first[1:3] == [doc.index_number, "建议复函一"]
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, len(rows))]
    assert first[11] == "政务公开/法定主动公开内容/其他法定主动公开内容/人大代表建议办理"
    assert first[13] == f"{django_settings.PORTAL_BASE_URL}/documents/{doc.pk}/"
    assert "attachment" in response["Content-Disposition"]


def test_formula_cells_are_neutralised(client, listing):
    rows, _data = csv_rows(client.get(reverse("disclosure:export"), {"format": "csv"}))
    titles = [r[2] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in titles
    for value, expected in [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-x", "'-x"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("{=1+1}", "'{=1+1}"),
        ("＝1+1", "'＝1+1"),
        ("＋86", "'＋86"),
        ("－x", "'－x"),
        ("＠SUM", "'＠SUM"),
        ("正常", "正常"),
        ("标题\ufffe", "标题"),
    ]:
        assert neutralise(value) == expected


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_staff_text_stays_text_in_the_public_listing_files(client, site_tree, file_format):
    for text in HOSTILE:
        published(title=text, summary=text, node=site_tree["policies"])
    response = client.get(reverse("disclosure:export"), {"format": file_format})
    data = b"".join(response.streaming_content)
    if file_format == "xlsx":
        assert_plain_xlsx(data, portal_links=[f"{django_settings.PORTAL_BASE_URL}/documents/"])
    else:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert sorted(row[2] for row in rows[1:]) == sorted(AS_TEXT.values())
        assert sorted(row[12] for row in rows[1:]) == sorted(AS_TEXT.values())


def test_gb18030_option_is_readable(client, listing):
    response = client.get(reverse("disclosure:export"), {"format": "csv", "encoding": "gb18030"})
    rows, data = csv_rows(response, "gb18030")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert rows[0] == HEADERS and len(rows) == 5


def test_xlsx_opens_with_openpyxl_and_has_the_same_rows(client, listing):
    csv_data, _ = csv_rows(client.get(reverse("disclosure:export"), {"format": "csv"}))
    response = client.get(reverse("disclosure:export"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = workbook.worksheets[0]

    def as_csv(cell):  # the CSV writes numbers as digits and dates as YYYY-MM-DD
        if isinstance(cell, datetime):
            return cell.date().isoformat()
        return "" if cell is None else str(cell)

    xlsx_rows = [[as_csv(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert xlsx_rows == csv_data
    assert len(workbook.sheetnames) == 1


def test_xlsx_header_is_frozen_and_columns_have_widths(client, listing):
    response = client.get(reverse("disclosure:export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width > 30


def test_filters_by_agency_dates_and_validity(client, listing, staff):
    rows, _ = csv_rows(
        client.get(
            reverse("disclosure:export"), {"format": "csv", "agency": listing["education"].pk}
        )
    )
    assert {r[4] for r in rows[1:]} == {"区教委"}
    # Any date range is for staff; the public download takes whole years only.
    auditor = Client()
    auditor.force_login(staff["auditor"])
    rows, _ = csv_rows(
        auditor.get(
            reverse("admin:disclosure_document_export"),
            {"format": "csv", "date_from": "2024-01-01", "date_to": "2024-05-31"},
        )
    )
    assert [r[2] for r in rows[1:]] == ["政策文件一"]
    response = client.get(
        reverse("disclosure:export"),
        {"format": "csv", "date_from": "2024-06-01", "date_to": "2024-01-01"},
    )
    assert response.status_code == 400 and "起始日期不能晚于截止日期" in response.content.decode()


def test_xlsx_past_the_row_limit_is_refused_with_a_pointer_to_csv(client, listing, monkeypatch):
    monkeypatch.setattr("portal.downloads.XLSX_MAX_ROWS", 2)
    response = client.get(reverse("disclosure:export"), {"format": "xlsx"})
    assert response.status_code == 400 and "请改用 CSV" in response.content.decode()


@pytest.fixture
def staff(listing):
    return {
        "editor": StaffUserFactory(role=EDITOR, agencies=[listing["district"]]),
        "auditor": StaffUserFactory(role=AUDITOR),
    }


def test_an_editor_exports_only_their_agencies_and_may_ask_for_drafts(client, listing, staff):
    client.force_login(staff["editor"])
    url = reverse("admin:disclosure_document_export")
    rows, _ = csv_rows(client.get(url, {"format": "csv", "status": ["draft", "published"]}))
    titles = {r[2] for r in rows[1:]}
    assert titles == {"建议复函一", "政策文件一", "草稿不导出"}
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert (
        event.actor == staff["editor"] and event.details["rows"] == 3 and event.details["complete"]
    )
    assert len(event.details["sha256"]) == 64 and event.details["filters"]["statuses"] == [
        "draft",
        "published",
    ]


def test_the_export_audit_records_the_file_hash(client, listing, staff):
    import hashlib

    client.force_login(staff["auditor"])
    response = client.get(reverse("admin:disclosure_document_export"), {"format": "csv"})
    data = b"".join(response.streaming_content)
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.details["sha256"] == hashlib.sha256(data).hexdigest()
    assert event.details["rows"] == 4  # the auditor sees every agency's public documents


def test_export_is_for_staff_with_view_permission(client, listing):
    response = client.get(reverse("admin:disclosure_document_export"), {"format": "csv"})
    assert response.status_code == 302  # to the login page
    client.force_login(StaffUserFactory())  # staff without any role
    assert (
        client.get(reverse("admin:disclosure_document_export"), {"format": "csv"}).status_code
        == 403
    )


def test_export_catalog_command(tmp_path, listing):
    out = tmp_path / "listing.csv"
    call_command("export_catalog", "-o", str(out), "--node", "政务公开/法定主动公开内容")
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 4
    xlsx = tmp_path / "listing.xlsx"
    call_command("export_catalog", "-o", str(xlsx), "--format", "xlsx", "--status", "draft")
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    title, header, *data = sheet.iter_rows(values_only=True)
    assert title[0].startswith("政府信息公开目录（草稿）") and "共" not in title[0]
    assert header[2] == "名称" and [row[2] for row in data] == ["草稿不导出"]
    assert AuditEvent.objects.filter(action="export", actor_name="manage.py").count() == 2


def test_the_catalogue_page_links_the_public_listing(client, listing):
    html = client.get(reverse("catalog:tree")).content.decode()
    assert f"{reverse('disclosure:export')}?format=csv" in html


def test_date_filters_use_local_days(client, site_tree):
    published(title="深夜发布", node=site_tree["replies"], published_at=local(2024, 5, 31, 23))
    auditor = StaffUserFactory(role=AUDITOR)
    client.force_login(auditor)  # a range ending mid-year: a staff export
    rows, _ = csv_rows(
        client.get(
            reverse("admin:disclosure_document_export"), {"format": "csv", "date_to": "2024-05-31"}
        )
    )
    assert [r[2] for r in rows[1:]] == ["深夜发布"]
    assert rows[1][8] == date(2024, 5, 31).isoformat()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_dates_out_of_range_are_refused_clearly(client, listing, file_format):
    response = client.get(
        reverse("disclosure:export"), {"format": file_format, "date_from": "0001-01-01"}
    )
    assert response.status_code == 400 and "1949年至2100年" in response.content.decode()


def test_the_public_export_names_no_hidden_column(client, listing, staff):
    from catalog.models import CatalogNode

    hidden = CatalogNode.objects.create(
        name="内部栏目甲", parent=listing["legal"], is_visible=False
    )
    beneath = CatalogNode.objects.create(name="内部栏目乙", parent=hidden)
    published(title="隐藏栏目中的公开文件", node=beneath, agency=listing["district"])
    for file_format in ("csv", "xlsx"):
        response = client.get(reverse("disclosure:export"), {"format": file_format})
        data = b"".join(response.streaming_content)
        if file_format == "xlsx":
            sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        else:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        text = repr(rows)
        assert "内部栏目甲" not in text and "内部栏目乙" not in text
        row = next(r for r in rows if r[2] == "隐藏栏目中的公开文件")
        assert row[11] == "政务公开/法定主动公开内容"  # the nearest visible column
    client.force_login(staff["editor"])
    rows, _ = csv_rows(client.get(reverse("admin:disclosure_document_export"), {"format": "csv"}))
    row = next(r for r in rows if r[2] == "隐藏栏目中的公开文件")
    assert row[11] == "政务公开/法定主动公开内容/内部栏目甲/内部栏目乙"


def test_a_staff_member_over_the_export_limit_is_told_to_wait(client, listing, staff, settings):
    settings.STAFF_EXPORTS_PER_MINUTE = 2
    client.force_login(staff["auditor"])
    url = reverse("admin:disclosure_document_export")
    for file_format in ("csv", "xlsx"):
        response = client.get(url, {"format": file_format})
        assert response.status_code == 200
        b"".join(response.streaming_content)
    refused = client.get(url, {"format": "csv"})
    assert refused.status_code == 429
    assert "导出过于频繁：每人每分钟最多导出 2 次" in refused.content.decode()
    client.force_login(staff["editor"])  # the limit is per person
    assert client.get(url, {"format": "xlsx"}).status_code == 200


def test_the_export_limit_survives_a_cache_flooded_with_pages(
    client, listing, staff, settings, flood_caches
):
    settings.STAFF_EXPORTS_PER_MINUTE = 1
    client.force_login(staff["auditor"])
    url = reverse("admin:disclosure_document_export")
    b"".join(client.get(url, {"format": "csv"}).streaming_content)
    flood_caches()
    refused = client.get(url, {"format": "csv"})
    assert refused.status_code == 429
    assert "导出过于频繁：每人每分钟最多导出 1 次" in refused.content.decode()


def test_a_second_simultaneous_export_of_the_same_person_is_refused(client, listing, staff):
    client.force_login(staff["auditor"])
    url = reverse("admin:disclosure_document_export")
    running = client.get(url, {"format": "csv"})  # streaming, not yet read
    refused = client.get(url, {"format": "xlsx"})
    assert refused.status_code == 429
    assert "您已有一个导出正在进行" in refused.content.decode()
    b"".join(running.streaming_content)  # the first export finishes
    assert client.get(url, {"format": "xlsx"}).status_code == 200


def test_every_staff_download_takes_the_same_one_export_slot(client, listing, staff, settings):
    settings.STAFF_EXPORTS_PER_MINUTE = 5
    client.force_login(staff["auditor"])
    running = client.get(reverse("admin:disclosure_document_export"), {"format": "csv"})
    compliance = reverse("admin:disclosure_document_compliance")
    refused = client.get(compliance, {"download": "xlsx"})
    assert refused.status_code == 429
    assert "您已有一个导出正在进行，请等它完成后再试。" in refused.content.decode()
    b"".join(running.streaming_content)
    assert client.get(compliance, {"download": "xlsx"}).status_code == 200
    for _ in range(3):
        b"".join(client.get(compliance, {"download": "csv"}).streaming_content)
    refused = client.get(reverse("admin:disclosure_document_export"), {"format": "csv"})
    assert refused.status_code == 429  # five downloads of any kind in the minute
    assert "导出过于频繁：每人每分钟最多导出 5 次" in refused.content.decode()


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]


def test_xlsx_cells_keep_their_types_numbers_dates_and_hyperlinks(client, listing):
    from disclosure.documents.models import Topic

    parent = Topic.objects.create(name="综合政务")
    Document.objects.filter(title="政策文件一").update(
        topic=Topic.objects.create(name="其他", parent=parent), written_on=date(2024, 4, 28)
    )
    sheet = xlsx_sheet(client.get(reverse("disclosure:export"), {"format": "xlsx"}))
    assert sheet.auto_filter.ref == "A1:N5"  # the header row filters every column and row
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == "政策文件一")
    number, written, published_on, link = row[0], row[7], row[8], row[13]
    assert isinstance(number.value, int) and number.data_type == "n"
    assert header[7] == "成文日期" and written.is_date and written.value.date() == date(2024, 4, 28)
    assert published_on.is_date and published_on.value.date() == date(2024, 5, 1)
    assert "yy" in written.number_format
    doc = Document.objects.get(title="政策文件一")
    assert link.hyperlink.target == f"{django_settings.PORTAL_BASE_URL}/documents/{doc.pk}/"
    assert row[5].value == "综合政务 / 其他"


def test_a_staff_export_with_unpublished_rows_says_each_rows_status(client, listing, staff):
    from django.utils import timezone

    withdrawn = published(title="已撤回文件", node=listing["policies"], agency=listing["district"])
    Document.objects.filter(pk=withdrawn.pk).update(
        status=Document.Status.WITHDRAWN, withdrawn_at=local(2024, 7, 2, 15)
    )
    published(
        title="定时发布文件",
        node=listing["policies"],
        agency=listing["district"],
        published_at=timezone.now() + timezone.timedelta(days=3),
    )
    client.force_login(staff["editor"])
    url = reverse("admin:disclosure_document_export")
    query = {"status": ["draft", "published", "withdrawn"]}
    rows, _ = csv_rows(client.get(url, {"format": "csv", **query}))
    assert rows[0] == HEADERS + ["状态", "撤回时间"] + STAFF_HEADERS
    by_title = {r[2]: r for r in rows[1:]}
    assert by_title["草稿不导出"][14] == "草稿" and by_title["草稿不导出"][13] == ""
    assert by_title["定时发布文件"][14] == "已发布（尚未公开）"
    assert by_title["定时发布文件"][13] == ""  # not readable yet: no link to a 404
    assert by_title["已撤回文件"][14] == "已撤回" and by_title["已撤回文件"][13] == ""
    assert by_title["已撤回文件"][15] == "2024-07-02 15:00"
    assert by_title["政策文件一"][14] == "已发布" and by_title["政策文件一"][13].startswith("http")

    sheet = xlsx_sheet(client.get(url, {"format": "xlsx", **query}))
    row = next(r for r in sheet.iter_rows(min_row=3) if r[2].value == "已撤回文件")
    assert row[15].is_date and row[15].value == datetime(2024, 7, 2, 15, 0)
    assert row[13].value is None and row[13].hyperlink is None


def test_the_public_listing_has_no_status_column(client, listing):
    rows, _ = csv_rows(client.get(reverse("disclosure:export"), {"format": "csv"}))
    assert rows[0] == HEADERS


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2024-13-01"], "--from 的日期“2024-13-01”无效，请写成 YYYY-MM-DD"),
        (["--to", "昨天"], "--to 的日期“昨天”无效"),
        (["--from", "1900-01-01"], "应在1949年至2100年之间"),
        (["--from", "2024-06-01", "--to", "2024-01-01"], "起始日期（--from）不能晚于截止日期"),
    ],
)
def test_export_catalog_refuses_a_bad_date_in_chinese(tmp_path, listing, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("export_catalog", "-o", str(tmp_path / "x.csv"), *args)
    assert not (tmp_path / "x.csv").exists()


def test_a_staff_export_names_who_wrote_and_published_and_why_withdrawn(
    client, listing, staff, settings, tmp_path
):
    from disclosure.documents import services
    from portal.roles import REVIEWER
    from tests.factories import AttachmentFactory

    settings.MEDIA_ROOT = tmp_path
    writer = StaffUserFactory(
        role=EDITOR, agencies=[listing["district"]], last_name="王", first_name="小明"
    )
    reviewer = StaffUserFactory(role=REVIEWER, agencies=[listing["district"]], username="shenhe")
    draft = DocumentFactory(title="两人经手", node=listing["policies"], agency=listing["district"])
    AttachmentFactory(document=draft)
    AttachmentFactory(document=draft)
    services.submit(draft, writer)
    services.publish(draft, reviewer)
    services.withdraw(draft, reviewer, "内容已被新文件替代")

    client.force_login(staff["auditor"])
    url = reverse("admin:disclosure_document_export")
    rows, _ = csv_rows(client.get(url, {"format": "csv", "status": ["withdrawn"]}))
    assert rows[0][-4:] == STAFF_HEADERS
    assert rows[1][2] == "两人经手"
    assert rows[1][-4:] == ["王小明", "shenhe", "内容已被新文件替代", "2"]


def test_a_staff_xlsx_has_a_title_row_newest_first_and_prints_on_landscape_pages(
    client, listing, staff
):
    client.force_login(staff["auditor"])
    response = client.get(
        reverse("admin:disclosure_document_export"),
        {"format": "xlsx", "agency": listing["district"].pk},
    )
    sheet = xlsx_sheet(response)
    title, header, *data = sheet.iter_rows(values_only=True)
    assert title[0].startswith("政府信息公开目录（已公开；发布机构：区政府办公室）")
    assert "导出时间" in title[0] and title[0].endswith("共 2 条")
    assert header[:3] == ("序号", "索引号", "名称")
    assert [row[2] for row in data] == ["政策文件一", "建议复函一"]  # newest first
    assert sheet.page_setup.orientation == "landscape"
    # One page wide (the default width of fitToPage), as many long as it takes.
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.freeze_panes == "A3"


def test_the_export_forms_offer_xlsx_first(client, staff):
    client.force_login(staff["auditor"])
    page = client.get(reverse("admin:disclosure_document_export")).content.decode()
    assert 'value="xlsx" checked' in page or 'value="xlsx" selected' in page
