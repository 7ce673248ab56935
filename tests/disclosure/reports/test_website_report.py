"""The 政府网站工作年度报表 of 2025: counted from a year of visits, documents and online
applications; what staff enter, checked; made final, reviewed and published like any document;
on the home page only once published; its files inert; its 31 January deadline in the
compliance report."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogNode, ColumnKind
from disclosure.applications.models import Application
from disclosure.documents.models import Document, Genre
from disclosure.documents.services import publish, submit
from disclosure.reports import website
from disclosure.reports.annual_services import ReportError
from disclosure.reports.compliance import build_report
from disclosure.reports.models import WebsiteAnnualReport
from disclosure.reports.website_services import make_final, reopen, save_entered
from portal.actors import SYSTEM
from portal.models import AuditEvent, SiteSettings, VisitDay
from portal.roles import EDITOR, REVIEWER
from tests.factories import (
    AgencyFactory,
    ApplicationFactory,
    DocumentFactory,
    StaffUserFactory,
    TopicFactory,
    publish_on,
)
from tests.office import HOSTILE, assert_plain_docx, assert_plain_xlsx, docx_text

pytestmark = pytest.mark.django_db


def moment(y, m, d):
    return timezone.make_aware(datetime(y, m, d, 10))


@pytest.fixture
def site():
    """The district government, the report column, and the well-known topic."""
    TopicFactory(name="其他")
    agency = AgencyFactory(parent=None)
    CatalogNode.objects.create(name="政府信息公开年报", slug="gknb")
    return agency


@pytest.fixture
def year_of_data(site):
    root = CatalogNode.objects.create(name="政务公开")
    news = CatalogNode.objects.create(name="区政府要闻", parent=root)
    overview = CatalogNode.objects.create(name="区情概况", parent=root)
    rules = CatalogNode.objects.create(name="政策文件", parent=root)
    interpretation = Genre.objects.filter(is_interpretation=True).first()
    for node, day in [(news, 3), (news, 4), (overview, 5), (rules, 6), (rules, 7)]:
        publish_on(DocumentFactory(agency=site, node=node), moment(2025, 3, day))
    publish_on(DocumentFactory(agency=site, node=rules, genre=interpretation), moment(2025, 9, 1))
    publish_on(DocumentFactory(agency=site, node=rules), moment(2026, 1, 2))  # the next year
    DocumentFactory(agency=site, node=rules)  # a draft
    for day, views, visitors in [(date(2025, 1, 1), 10, 4), (date(2025, 12, 31), 20, 6)]:
        VisitDay.objects.create(date=day, key="site", kind="site", views=views, visitors=visitors)
    VisitDay.objects.create(date=date(2024, 12, 31), key="site", kind="site", views=99)
    VisitDay.objects.create(date=date(2025, 5, 1), key="home", kind="home", views=7)
    online = Application.Channel.ONLINE
    for received, closed in [(date(2025, 2, 3), date(2025, 2, 7)), (date(2025, 6, 1), None)]:
        ApplicationFactory(agency=site, channel=online, received_on=received, closed_on=closed)
    ApplicationFactory(
        agency=site, channel=online, received_on=date(2025, 7, 1), closed_on=date(2025, 7, 7)
    )
    ApplicationFactory(agency=site, received_on=date(2025, 8, 1), closed_on=date(2025, 8, 2))
    return site


def test_the_counted_figures_come_from_the_year_s_data(year_of_data):
    assert website.counted(2025) == {
        "unique_visitors": 10,
        "total_views": 30,
        "info_total": 6,
        "info_overview": 1,
        "info_news": 2,
        "info_catalog": 3,
        "interpretation_materials": 1,
        "messages_received": 3,
        "messages_closed": 2,
        "messages_days": 5.0,
    }


def test_news_is_counted_by_the_columns_kind(year_of_data):
    root = CatalogNode.objects.get(name="政务公开")
    briefing = CatalogNode.objects.create(name="领导活动", parent=root, kind=ColumnKind.NEWS)
    CatalogNode.objects.filter(name="区政府要闻").update(kind=ColumnKind.NOTICE)
    publish_on(DocumentFactory(agency=year_of_data, node=briefing), moment(2025, 4, 1))
    counts = website.counted(2025)
    # 领导活动 is a 动态要闻 column by its kind; 区政府要闻, made a notice column, no longer counts.
    assert counts["info_news"] == 1 and counts["info_catalog"] == 5


def test_entered_figures_join_the_counted_ones(year_of_data):
    report = save_entered(
        WebsiteAnnualReport(year=2025),
        SYSTEM,
        {"interpretation_products": 2, "interpretation_media": 3, "messages_received": 40},
    )
    values = website.values_for(report)
    assert values["interpretation_total"] == 1 + 2 + 3
    assert values["messages_received"] == 40  # stated by staff
    assert values["messages_closed"] == 2  # counted
    assert AuditEvent.objects.filter(action="website_report").count() == 1


def form_data(year=2025, **values):
    data = {"year": year, "registered_users": 120, "cases_total": 10, "cases_person": 6}
    data.update({"cases_legal": 4, "service_catalog": "1", "site_type": "portal"})
    data.update({"weibo_name": "铜梁发布", "security_issues": 2, "security_fixed": 2})
    return {**data, **values}


def test_the_staff_form_saves_and_refuses_what_does_not_add_up(client, site):
    client.force_login(StaffUserFactory(role=EDITOR, agencies=[site]))
    add = reverse("admin:disclosure_websiteannualreport_add")
    page = client.get(add).content.decode()
    for heading in ["办事服务", "互动交流", "安全防护", "移动新媒体", "创新发展"]:
        assert heading in page
    response = client.post(add, form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    report = WebsiteAnnualReport.objects.get()
    assert report.entered["registered_users"] == 120
    assert report.entered["service_catalog"] is True
    assert report.entered["security_drills"] is None  # left blank
    change = reverse("admin:disclosure_websiteannualreport_change", args=[report.pk])
    bad = client.post(change, form_data(cases_total=5, security_fixed=3, registered_users=-1))
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "办件量总数不能小于自然人与法人办件量之和" in text
    assert "问题整改数量不能大于发现问题数量" in text
    report.refresh_from_db()
    assert report.entered["cases_total"] == 10 and report.entered["registered_users"] == 120


def test_staff_of_another_agency_may_not_enter_the_site_s_report(client, site):
    other = AgencyFactory(parent=site)
    with pytest.raises(ReportError, match="网站主办单位"):
        save_entered(
            WebsiteAnnualReport(year=2025), StaffUserFactory(role=EDITOR, agencies=[other]), {}
        )
    assert not WebsiteAnnualReport.objects.exists()


def test_made_final_reviewed_and_published_then_on_the_home_page(client, year_of_data):
    report = save_entered(WebsiteAnnualReport(year=2025), SYSTEM, {"registered_users": 120})
    url = reverse("disclosure:website-report", args=[2025])
    report = make_final(report, SYSTEM)
    document = report.document
    assert document.status == Document.Status.DRAFT and document.node.slug == "gknb"
    assert "独立用户访问总量" in document.body and "10个" in document.body
    assert client.get(url).status_code == 404
    assert "政府网站工作年度报表" not in client.get(reverse("home")).content.decode()

    # Data that change later do not change the final report.
    VisitDay.objects.create(date=date(2025, 6, 1), key="site", kind="site", views=5, visitors=5)
    assert website.values_for(report)["unique_visitors"] == 10

    editor = StaffUserFactory(role=EDITOR, agencies=[year_of_data])
    reviewer = StaffUserFactory(role=REVIEWER, agencies=[year_of_data])
    submit(document, editor)
    publish(document, reviewer)
    assert WebsiteAnnualReport.objects.published().get() == report
    page = client.get(url).content.decode()
    assert "120个" in page and "政府网站工作年度报表" in page
    home = client.get(reverse("home")).content.decode()
    assert f'href="{url}"' in home and "政府网站工作年度报表" in home
    with pytest.raises(ReportError, match="不能退回"):
        reopen(report, SYSTEM, "补充数据")


def test_a_final_report_is_reopened_while_its_document_is_a_draft(year_of_data):
    report = make_final(save_entered(WebsiteAnnualReport(year=2025), SYSTEM, {}), SYSTEM)
    with pytest.raises(ReportError, match="报表已定稿"):
        save_entered(report, SYSTEM, {"registered_users": 1})
    reopen(report, SYSTEM, "补充注册用户数")
    report = save_entered(report, SYSTEM, {"registered_users": 7})
    document_pk = report.document_id
    report = make_final(report, SYSTEM)
    assert report.document_id == document_pk
    assert "7个" in report.document.body


def test_the_files_keep_staff_text_as_text(client, site):
    settings_row = SiteSettings.load()
    settings_row.icp_number = HOSTILE[4]
    settings_row.save()
    texts = ["weibo_name", "wechat_name", "new_media_other", "innovation_other"]
    report = save_entered(
        WebsiteAnnualReport(year=2025), SYSTEM, dict(zip(texts, HOSTILE[:4], strict=True))
    )
    report = make_final(report, SYSTEM)
    publish(report.document)
    xlsx = client.get(reverse("disclosure:website-report-file", args=[2025, "xlsx"]))
    assert xlsx.status_code == 200
    assert_plain_xlsx(b"".join(xlsx.streaming_content))
    docx = client.get(reverse("disclosure:website-report-file", args=[2025, "docx"]))
    data = b"".join(docx.streaming_content)
    assert_plain_docx(data, *HOSTILE)
    assert "政府网站工作年度报表" in docx_text(data)


def test_an_unpublished_report_has_no_public_file(client, site):
    make_final(save_entered(WebsiteAnnualReport(year=2025), SYSTEM, {}), SYSTEM)
    for file_format in ("docx", "xlsx"):
        url = reverse("disclosure:website-report-file", args=[2025, file_format])
        assert client.get(url).status_code == 404


def kinds(day):
    return [
        (f.kind, f.subject)
        for f in build_report(day).findings
        if f.kind.startswith("website_report")
    ]


def test_the_compliance_report_flags_a_missing_report_after_31_january(site):
    assert kinds(date(2026, 1, 31)) == []
    assert kinds(date(2026, 2, 1)) == [("website_report_missing", "2025年度政府网站工作年度报表")]


def test_the_compliance_report_flags_a_report_published_late(site):
    report = make_final(save_entered(WebsiteAnnualReport(year=2025), SYSTEM, {}), SYSTEM)
    publish_on(report.document, moment(2026, 2, 5))
    assert kinds(date(2026, 2, 4)) == [("website_report_missing", "2025年度政府网站工作年度报表")]
    assert kinds(date(2026, 3, 1)) == [("website_report_late", "2025年度政府网站工作年度报表")]


def test_the_admin_makes_the_report_final_and_shows_the_whole_form(client, year_of_data):
    client.force_login(StaffUserFactory(role=EDITOR, agencies=[year_of_data]))
    report = save_entered(WebsiteAnnualReport(year=2025), SYSTEM, {"registered_users": 120})
    change = reverse("admin:disclosure_websiteannualreport_change", args=[report.pk])
    page = client.get(change).content.decode()
    assert "独立用户访问总量" in page and "定稿并生成公开文件" in page
    final = reverse("admin:disclosure_websiteannualreport_final", args=[report.pk])
    response = client.post(final)
    report.refresh_from_db()
    assert report.is_final and report.document is not None
    assert response.url == reverse("admin:disclosure_document_change", args=[report.document.pk])
    page = client.get(change).content.decode()
    assert "退回修改" in page and "120个" in page
    xlsx = reverse("admin:disclosure_websiteannualreport_file", args=[report.pk, "xlsx"])
    assert client.get(xlsx).status_code == 200
