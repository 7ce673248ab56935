"""The office that does an agency's disclosure work (区政府办公室 for the government) compiles
its annual report; what does not add up is said at the top of the page after a save."""

import pytest
from django.urls import reverse

from catalog.models import Agency
from disclosure.reports.annual_services import ReportError, make_final
from disclosure.reports.models import AnnualReport
from portal.roles import EDITOR
from tests.factories import AgencyFactory, AnnualReportFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    government = AgencyFactory(name="区人民政府")
    office = AgencyFactory(name="区政府办公室", parent=government)
    bureau = AgencyFactory(name="区教委", parent=government)
    government.disclosure_office = office
    government.save()
    return government, office, bureau


def test_the_office_staff_compile_the_government_report_and_others_do_not(client, district):
    government, office, bureau = district
    report = AnnualReportFactory(agency=government, year=2025)
    clerk = StaffUserFactory(role=EDITOR, agencies=[office])
    outsider = StaffUserFactory(role=EDITOR, agencies=[bureau])
    url = reverse("admin:disclosure_annualreport_change", args=[report.pk])

    client.force_login(clerk)
    assert client.get(url).status_code == 200
    assert list(AnnualReport.objects.for_staff(clerk)) == [report]
    add = client.get(reverse("admin:disclosure_annualreport_add")).content.decode()
    assert f'value="{government.pk}"' in add  # the government among the agencies offered

    client.force_login(outsider)
    assert client.get(url).status_code in (302, 404)
    assert list(AnnualReport.objects.for_staff(outsider)) == []
    with pytest.raises(ReportError, match="不属于您所在的机构"):
        make_final(report, outsider)


def test_without_an_office_the_government_report_stays_its_own(client, district):
    government, office, _bureau = district
    Agency.objects.filter(pk=government.pk).update(disclosure_office=None)
    report = AnnualReportFactory(agency=government, year=2025)
    clerk = StaffUserFactory(role=EDITOR, agencies=[office])
    assert list(AnnualReport.objects.for_staff(clerk)) == []
    with pytest.raises(ReportError, match="不属于您所在的机构"):
        make_final(report, clerk)


def test_a_save_that_leaves_sums_unbalanced_says_so_at_the_top(admin_client, district):
    government, _office, _bureau = district
    report = AnnualReportFactory(agency=government, year=2025, review_upheld=1, review_total=0)
    url = reverse("admin:disclosure_annualreport_change", args=[report.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "overrides-TOTAL_FORMS": "0",
            "overrides-INITIAL_FORMS": "0",
            "overrides-MIN_NUM_FORMS": "0",
            "overrides-MAX_NUM_FORMS": "1000",
        }
    )
    data.pop("agency", None), data.pop("year", None)
    response = admin_client.post(url, data, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("已保存，但有 1 处数字不平衡") and "行政复议" in m for m in shown)
