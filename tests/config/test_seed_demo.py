import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Agency, CatalogNode
from catalog.tree import check_catalog_tree
from config.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERNAME

pytestmark = pytest.mark.django_db


def state():
    return (
        sorted(CatalogNode.objects.values_list("pk", "name", "parent_id", "lft", "rght")),
        sorted(Agency.objects.values_list("pk", "name", "credit_code")),
    )


def test_seed_demo_builds_the_seed_catalogue_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = state()
    call_command("seed_demo")
    assert state() == first
    assert check_catalog_tree() == []

    government = Agency.objects.get(credit_code="115002240093343308")
    assert government.name == "重庆市铜梁区人民政府"
    assert Agency.objects.filter(short_name="区政府办公室", parent=government).exists()

    replies = CatalogNode.objects.get(slug="rddbjy")
    assert [n.name for n in replies.get_ancestors()] == [
        "政务公开",
        "法定主动公开内容",
        "其他法定主动公开内容",
    ]
    assert replies.name == "人大代表建议办理"
    for name in [
        "政府信息公开指南",
        "政府信息公开制度",
        "机构信息",
        "政策文件",
        "规划信息",
        "财政信息",
        "政协委员提案办理",
        "政府信息公开年报",
        "依申请公开",
        "城乡规划",
        "城乡规划编制",
    ]:
        assert CatalogNode.objects.filter(name=name).exists(), name

    user = get_user_model().objects.get(username=DEMO_USERNAME)
    assert user.is_staff and user.check_password(DEMO_PASSWORD)
    out = capsys.readouterr().out
    assert DEMO_USERNAME in out and DEMO_PASSWORD in out


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username=DEMO_USERNAME).exists()


def test_seed_demo_adds_applications_in_different_states_once(settings):
    from disclosure.applications.clock import clock, confirmation_overdue
    from disclosure.applications.models import Application

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    applications = list(Application.objects.all())
    assert len(applications) == 8
    states = {a.status for a in applications}
    assert states == set(Application.Status.values) - {Application.Status.FEE}
    assert any(clock(a).overdue for a in applications if a.status != Application.Status.CLOSED)
    assert any(confirmation_overdue(a) for a in applications)
    assert {a.result for a in applications if a.result} == {"partial", "withheld"}
    # The one answered for 网上获取 gives its information and says what it withheld and why.
    partial = Application.objects.get(result="partial")
    assert partial.delivery == Application.Delivery.ONLINE and partial.withheld_note
    assert [f.name for f in partial.released_files.all()] == ["2025年区政府常务会议纪要目录.xlsx"]
    clerk = get_user_model().objects.get(username="clerk")
    assert Application.objects.for_staff(clerk).count() == 4  # 区政府办公室's own


def test_every_demo_agency_that_receives_applications_shows_where_to_reach_it(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    receiving = Agency.objects.filter(accepts_applications=True)
    assert receiving.count() == 4
    for agency in receiving:
        assert agency.address and agency.phone and agency.office_hours, agency.name


def test_the_demo_has_a_login_for_every_role_and_two_reviewers(settings):
    from django.contrib.auth.models import Group

    from portal.roles import REVIEWER

    settings.DEBUG = True
    call_command("seed_demo")
    staff = get_user_model().objects.filter(is_staff=True, is_superuser=False)
    roles_with_a_login = set(staff.values_list("groups__name", flat=True))
    assert roles_with_a_login == set(Group.objects.values_list("name", flat=True))
    assert staff.filter(groups__name=REVIEWER).count() == 2


def test_the_demo_publishes_its_website_report_and_the_office_compiles_the_annual_report(
    settings, client
):
    from disclosure.reports.models import AnnualReport, WebsiteAnnualReport

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    report = WebsiteAnnualReport.objects.get()
    assert report.year == 2025 and report.is_final and report.document.status == "published"
    assert "政府网站工作年度报表" in client.get("/").content.decode()
    # The government's reports are compiled by its office, whose editor signs in to them.
    editor = get_user_model().objects.get(username="editor")
    government = Agency.objects.get(credit_code="115002240093343308")
    assert government.disclosure_office.short_name == "区政府办公室"
    assert AnnualReport.objects.for_staff(editor).filter(agency=government).count() == 2
