"""The 政府信息公开指南 page, and the compliance report's checks of reports and guides."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode
from disclosure.documents.models import Document, Genre
from disclosure.reports.annual_services import make_final
from disclosure.reports.compliance import annual_report_deadline, build_report
from disclosure.reports.guide import new_guide_values
from disclosure.reports.models import AnnualReport, DisclosureGuide
from portal.actors import SYSTEM
from tests.factories import (
    AgencyFactory,
    AnnualReportFactory,
    CatalogNodeFactory,
    DisclosureGuideFactory,
    DocumentFactory,
    GenreFactory,
    publish_on,
    published,
)

pytestmark = pytest.mark.django_db


def kinds(report, kind):
    return [f for f in report.findings if f.kind == kind]


@pytest.fixture
def government():
    gov = AgencyFactory(name="铜梁区人民政府", parent=None)
    department = AgencyFactory(name="铜梁区教育局", parent=gov)
    return gov, department


def guide_for(agency, **values):
    return DisclosureGuideFactory(agency=agency, **values)


def test_the_guide_page_shows_columns_office_details_and_the_last_update(client):
    agency = AgencyFactory(
        address="铜梁区巴川街道金龙大道333号",
        office_hours="工作日 9:00-17:30",
        phone="023-45632266",
        fax="023-45632267",
        email="gk@example.gov.cn",
    )
    root = CatalogNode.objects.create(name="政务公开")
    policies = CatalogNode.objects.create(name="政策文件", parent=root)
    hidden = CatalogNode.objects.create(name="内部栏目", parent=root, is_visible=False)
    published(agency=agency, node=policies)
    published(agency=agency, node=hidden)
    guide = guide_for(agency, office_name="区政府办公室政务公开科", fees="不收取费用。")
    page = client.get(reverse("disclosure:guide", args=[agency.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "政务公开 › 政策文件" in html
    assert "内部栏目" not in html
    for text in ["区政府办公室政务公开科", "金龙大道333号", "9:00-17:30", "023-45632266",
                 "023-45632267", "gk@example.gov.cn", "不收取费用。", "20个工作日"]:  # fmt: skip
        assert text in html, text
    assert timezone.localtime(guide.updated_at).strftime("%Y年%-m月%-d日") in html
    assert (
        f'<a href="{reverse("applications:apply", args=[agency.pk])}">在线填写政府信息公开申请表</a>'
        in html
    )


def test_the_guide_of_an_agency_without_applications_links_to_the_list_of_agencies(client):
    agency = AgencyFactory(accepts_applications=False)
    guide_for(agency)
    html = client.get(reverse("disclosure:guide", args=[agency.pk])).content.decode()
    assert reverse("applications:apply", args=[agency.pk]) not in html
    assert f'<a href="{reverse("applications:guide")}">在线填写政府信息公开申请表</a>' in html


def test_an_agency_without_a_guide_has_no_page(client):
    agency = AgencyFactory()
    assert client.get(reverse("disclosure:guide", args=[agency.pk])).status_code == 404


def test_compliance_flags_a_missing_and_a_stale_guide(government):
    gov, department = government
    guide = guide_for(gov)
    day = timezone.localdate()
    report = build_report(day)
    assert [f.subject for f in kinds(report, "guide_missing")] == [department.name]
    assert kinds(report, "guide_stale") == []
    DisclosureGuide.objects.filter(pk=guide.pk).update(
        updated_at=timezone.now() - timedelta(days=400)
    )
    assert [f.subject for f in kinds(build_report(day), "guide_stale")] == [gov.name]


def test_deadlines_are_31_january_for_departments_and_31_march_for_the_government(government):
    gov, department = government
    assert annual_report_deadline(gov, 2025) == date(2026, 3, 31)
    assert annual_report_deadline(department, 2025) == date(2026, 1, 31)


def publish_report(agency, year, on):
    CatalogNode.objects.get_or_create(name="政府信息公开年报", slug="gknb")
    report = make_final(AnnualReportFactory(agency=agency, year=year), SYSTEM)
    publish_on(report.document, timezone.make_aware(timezone.datetime(on.year, on.month, on.day)))
    return report


def test_compliance_flags_missing_and_late_annual_reports(government):
    gov, department = government
    # In February only the department's report is due.
    february = build_report(date(2026, 2, 10))
    assert [f.subject for f in kinds(february, "annual_report_missing")] == [
        f"{department.name}2025年度报告"
    ]
    publish_report(department, 2025, date(2026, 2, 5))
    publish_report(gov, 2025, date(2026, 3, 20))
    april = build_report(date(2026, 4, 10))
    assert kinds(april, "annual_report_missing") == []
    late = kinds(april, "annual_report_late")
    assert [f.subject for f in late] == [f"{department.name}2025年度报告"]
    assert "2026-01-31" in late[0].detail and "2026-02-05" in late[0].detail


def test_compliance_flags_a_draft_whose_sums_do_not_balance(government):
    gov, _department = government
    AnnualReportFactory(agency=gov, review_upheld=1, review_total=0)
    found = kinds(build_report(date(2026, 2, 1)), "annual_report_unbalanced")
    assert len(found) == 1 and "行政复议" in found[0].detail


def test_a_guide_is_edited_in_the_admin_with_the_default_text(admin_client):
    agency = AgencyFactory()
    page = admin_client.get("/admin/disclosure/disclosureguide/add/")
    assert "20个工作日" in page.content.decode()
    data = {**new_guide_values(), "agency": agency.pk, "office_name": "政务公开科"}
    response = admin_client.post("/admin/disclosure/disclosureguide/add/", data)
    assert response.status_code == 302
    assert DisclosureGuide.objects.get().updated_by.username == "admin"


def test_the_guide_lists_the_columns_an_agency_owns(client):
    agency = AgencyFactory()
    CatalogNodeFactory(name="本机关专栏", agency=agency)
    guide_for(agency)
    assert (
        "本机关专栏" in client.get(reverse("disclosure:guide", args=[agency.pk])).content.decode()
    )


def test_seed_demo_makes_a_published_2025_report_a_2026_draft_and_guides(settings, client):
    from django.core.management import call_command

    from catalog.models import Agency

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    final = AnnualReport.objects.get(year=2025)
    assert final.is_final and AnnualReport.objects.published().filter(pk=final.pk).exists()
    assert not AnnualReport.objects.get(year=2026).is_final
    assert DisclosureGuide.objects.count() == Agency.objects.count() == 4
    page = client.get(final.get_absolute_url())
    assert page.status_code == 200 and "行政复议" in page.content.decode()


def test_report_and_guide_pages_keep_a_query_budget(client, django_assert_max_num_queries):
    agency = AgencyFactory()
    root = CatalogNode.objects.create(name="政务公开")
    for n in range(5):
        published(agency=agency, node=CatalogNode.objects.create(name=f"栏目{n}", parent=root))
    guide_for(agency)
    publish_report(agency, 2025, date(2026, 1, 20))
    report = AnnualReport.objects.get()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("disclosure:guide", args=[agency.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(report.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("disclosure:annual-reports")).status_code == 200


def test_the_guide_and_report_columns_link_to_their_pages(client):
    guides = CatalogNode.objects.create(name="政府信息公开指南", slug="gkzn")
    reports = CatalogNode.objects.create(name="政府信息公开年报", slug="gknb")
    assert reverse("disclosure:guides") in client.get(guides.get_absolute_url()).content.decode()
    page = client.get(reports.get_absolute_url()).content.decode()
    assert reverse("disclosure:annual-reports") in page


def test_a_published_annual_report_is_neither_missing_its_number_nor_unpublished(government):
    gov, department = government
    GenreFactory(name="报告", requires_doc_number=True)
    report = publish_report(department, 2025, date(2026, 1, 20))
    Document.objects.filter(pk=report.document.pk).update(genre=Genre.objects.get(name="报告"))
    found = build_report(date(2026, 2, 10))
    assert [f for f in kinds(found, "missing_metadata") if "文号" in f.detail] == []
    assert kinds(found, "annual_report_missing") == []
    assert kinds(found, "annual_report_late") == []


def test_a_report_published_in_the_annual_report_column_counts_as_published(government):
    gov, department = government
    column, _created = CatalogNode.objects.get_or_create(name="政府信息公开年报", slug="gknb")
    printed = DocumentFactory(
        title=f"{department.name}2025年政府信息公开工作年度报告", node=column, agency=department
    )
    publish_on(printed, timezone.make_aware(timezone.datetime(2026, 1, 15)))
    # Another agency's report, and a document of the column naming no report, count for nobody.
    other = DocumentFactory(title="2025年度工作安排", node=column, agency=department)
    publish_on(other, timezone.make_aware(timezone.datetime(2026, 1, 15)))
    found = build_report(date(2026, 2, 10))
    assert kinds(found, "annual_report_missing") == []
    late = build_report(date(2026, 4, 10))
    assert [f.subject for f in kinds(late, "annual_report_missing")] == [f"{gov.name}2025年度报告"]
