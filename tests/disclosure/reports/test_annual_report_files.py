"""The published annual report's .docx and .xlsx: staff text stays text, characters XML cannot
carry are left out, and each file is built once per version of the report."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.documents.services import publish, withdraw
from disclosure.reports import annual_files
from disclosure.reports.annual_services import make_final
from disclosure.reports.models import AnnualReport
from portal import built_files
from portal.actors import SYSTEM
from tests.factories import AgencyFactory, AnnualReportFactory, TopicFactory
from tests.office import HOSTILE, assert_plain_docx, assert_plain_xlsx, docx_text, xlsx_cells

pytestmark = pytest.mark.django_db


def published_report(agency=None, **fields):
    TopicFactory(name="其他")
    CatalogNode.objects.get_or_create(name="政府信息公开年报", slug="gknb")
    report = AnnualReportFactory(
        agency=agency or AgencyFactory(), overview="本年度公开工作情况。", **fields
    )
    report = make_final(report, SYSTEM)
    publish(report.document)
    return report


def download(client, report, file_format, **headers):
    url = reverse("disclosure:annual-report-file", args=[report.pk, file_format])
    return client.get(url, **headers)


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def builds(monkeypatch):
    """The report files written so far, as (report pk, format)."""
    calls = []
    for file_format, writer in list(annual_files.WRITERS.items()):

        def counting(report, handle, figures=None, writer=writer, file_format=file_format):
            calls.append((report.pk, file_format))
            return writer(report, handle, figures)

        monkeypatch.setitem(annual_files.WRITERS, file_format, counting)
    return calls


# --- staff text is text ----------------------------------------------------------------------


@pytest.fixture
def hostile_report():
    text = "\n\n".join(HOSTILE)
    return published_report(
        AgencyFactory(name='=HYPERLINK("https://evil.example/")局'),
        problems=text,
        other_matters=text,
    )


def test_the_public_xlsx_holds_staff_text_as_strings_never_formulas_or_links(
    client, hostile_report
):
    response = download(client, hostile_report, "xlsx")
    assert response.status_code == 200
    assert_plain_xlsx(body(response))


def test_the_public_docx_holds_staff_text_as_text_without_fields_or_links(client, hostile_report):
    response = download(client, hostile_report, "docx")
    assert response.status_code == 200
    assert_plain_docx(body(response), *HOSTILE)


def test_a_character_xml_cannot_carry_is_left_out_of_both_files(client):
    report = published_report()
    # Stored before the text validator refused it (an update bypasses validation).
    AnnualReport.objects.filter(pk=report.pk).update(problems="整改\ufffe情况\uffff完成\x01。")
    for file_format in ("docx", "xlsx"):
        response = download(client, report, file_format)
        assert response.status_code == 200
        data = body(response)
        if file_format == "docx":
            assert "整改情况完成。" in docx_text(data)
        else:
            assert "整改情况完成。" in [value for value, _kind in xlsx_cells(data)]


# --- built once per version ------------------------------------------------------------------


def test_repeated_downloads_build_each_file_once_and_then_read_it(
    client, builds, django_assert_max_num_queries
):
    report = published_report()
    first = body(download(client, report, "docx"))
    with django_assert_max_num_queries(1):  # the report, checked as published
        second = download(client, report, "docx")
    assert body(second) == first
    body(download(client, report, "xlsx"))
    body(download(client, report, "xlsx"))
    assert builds == [(report.pk, "docx"), (report.pk, "xlsx")]


def test_a_client_holding_the_file_gets_304(client, builds):
    report = published_report()
    response = download(client, report, "xlsx")
    body(response)
    etag, modified = response["ETag"], response["Last-Modified"]
    assert response["Cache-Control"] == "no-cache"
    assert download(client, report, "xlsx", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert download(client, report, "xlsx", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert len(builds) == 1


def test_a_changed_report_is_built_anew_and_its_old_file_removed(client, builds, settings):
    report = published_report()
    body(download(client, report, "xlsx"))
    report.agency.name = "铜梁区改名后的局"
    report.agency.save()
    response = download(client, report, "xlsx")
    titles = [value for value, _kind in xlsx_cells(body(response))]
    assert "铜梁区改名后的局2025年政府信息公开工作年度报告" in titles
    assert len(builds) == 2
    files = list((settings.EXPORT_ROOT / "annual-reports").iterdir())
    assert len(files) == 1


def test_a_withdrawn_report_is_no_longer_served_from_its_file(client, builds):
    report = published_report()
    assert download(client, report, "xlsx").status_code == 200
    withdraw(report.document, SYSTEM, "数据有误，撤回重报")
    assert download(client, report, "xlsx").status_code == 404
    assert len(builds) == 1


def test_an_unpublished_report_has_no_public_file(client, builds):
    TopicFactory(name="其他")
    CatalogNode.objects.get_or_create(name="政府信息公开年报", slug="gknb")
    report = make_final(AnnualReportFactory(), SYSTEM)
    assert download(client, report, "xlsx").status_code == 404
    assert builds == []


def test_while_another_report_is_being_built_a_missing_file_answers_503(client, builds):
    report = published_report()
    # Another worker holds the reports' build lock, building another report's file.
    lock = built_files.take_lock(annual_files.LOCK_KEY)
    caches["shared"].set(annual_files.LOCK_KEY, "99-other.docx:other-worker", 60)
    response = download(client, report, "docx")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert builds == []
    lock.give_back()
    caches["shared"].delete(annual_files.LOCK_KEY)
    assert download(client, report, "docx").status_code == 200


def test_staff_downloads_stay_live_and_audited(admin_client, builds):
    from portal.models import AuditEvent

    report = published_report()
    for _ in range(2):
        response = admin_client.get(f"/admin/disclosure/annualreport/{report.pk}/file.xlsx")
        assert response.status_code == 200
    assert len(builds) == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2


def test_a_build_that_fails_leaves_no_file_behind(client, monkeypatch, settings):
    report = published_report()

    def broken(report, handle, figures=None):
        handle.write(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setitem(annual_files.WRITERS, "docx", broken)
    with pytest.raises(RuntimeError):
        download(client, report, "docx")
    assert list((settings.EXPORT_ROOT / "annual-reports").iterdir()) == []
    assert caches["shared"].get(annual_files.LOCK_KEY) is None
    assert built_files.open_file(settings.EXPORT_ROOT / "annual-reports" / "x") is None
