"""The list's clock columns, its 期限 filter and the dashboard counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.applications.clock import today
from disclosure.applications.models import Application
from portal.workdays import add_working_days
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def received_working_days_ago(days, **kwargs):
    """An application received so that ``days`` working days have passed since (from today)."""
    day = today()
    for _ in range(60):
        if add_working_days(day, days) >= today():
            break
        day += timedelta(days=1)
    while add_working_days(day, days) > today():
        day -= timedelta(days=1)
    return ApplicationFactory(received_on=day, **kwargs)


@pytest.fixture
def three(world):
    overdue = received_working_days_ago(25, agency=world["office"])
    nearly = received_working_days_ago(17, agency=world["town"])
    fresh = ApplicationFactory(agency=world["office"], received_on=today())
    unconfirmed = ApplicationFactory(
        agency=world["office"], channel=Application.Channel.EMAIL, received_on=None,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=10),
    )  # fmt: skip
    elsewhere = received_working_days_ago(25, agency=world["other"])
    return {"overdue": overdue, "nearly": nearly, "fresh": fresh, "unconfirmed": unconfirmed,
            "elsewhere": elsewhere}  # fmt: skip


def numbers(response):
    return {a.number for a in response.context["cl"].result_list}


def test_the_deadline_filter(client, world, three):
    client.force_login(world["handler"])
    url = reverse("admin:applications_application_changelist")
    assert numbers(client.get(url, {"deadline": "overdue"})) == {three["overdue"].number}
    assert numbers(client.get(url, {"deadline": "nearly_due"})) == {three["nearly"].number}
    assert numbers(client.get(url, {"deadline": "unconfirmed"})) == {three["unconfirmed"].number}
    everything = client.get(url)
    assert three["elsewhere"].number not in numbers(everything)
    html = everything.content.decode()
    assert "deadline-overdue" in html and "已超期" in html and "deadline-nearly-due" in html


def test_the_list_does_not_query_per_row(client, world, three, django_assert_max_num_queries):
    client.force_login(world["handler"])
    url = reverse("admin:applications_application_changelist")
    for n in range(20):
        ApplicationFactory(agency=world["office"], received_on=today(), number=f"2026-9{n:04d}")
    # Once after the new rows: they changed the public version, under which the calendar and the
    # site settings are cached.
    client.get(url)
    with django_assert_max_num_queries(14):
        client.get(url)


def test_the_dashboard_counts_link_to_the_filtered_list(client, world, three):
    client.force_login(world["handler"])
    index = client.get(reverse("admin:index")).content.decode()
    assert "依申请公开办理提醒" in index
    page = client.get(reverse("admin:applications_application_dashboard"))
    counts = {item["key"]: item["count"] for item in page.context["dashboard"]}
    assert counts == {"overdue": 1, "nearly_due": 1, "unconfirmed": 1}
    assert "?deadline=overdue" in page.content.decode()


def test_the_dashboard_is_not_on_the_index_of_other_staff(client, world, three):
    client.force_login(world["editor"])
    assert "依申请公开办理提醒" not in client.get(reverse("admin:index")).content.decode()


def test_the_handling_page_has_a_query_budget(client, world, three, django_assert_max_num_queries):
    client.force_login(world["handler"])
    url = reverse("admin:applications_application_change", args=[three["overdue"].pk])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200


def test_a_clerk_of_one_agency_sees_what_is_asked_and_finds_by_name(client, world):
    from disclosure.applications.roles import REQUESTS
    from tests.factories import StaffUserFactory

    other = world["other"]
    clerk = StaffUserFactory(role=REQUESTS, agencies=[other])
    ApplicationFactory(agency=other, name="欧阳修", info_title="2025年财政预算执行情况的报告全文")
    ApplicationFactory(agency=other, name="司马光", info_title="政府采购目录")
    client.force_login(clerk)
    url = reverse("admin:applications_application_changelist")
    page = client.get(url)
    headers = [str(h["text"]) for h in page.context["result_headers"]]
    assert "受理机关" not in headers  # their one agency, not on every row
    assert {"申请人", "所需信息"} <= set(headers)
    assert "2025年财政预算执行情况的报告全文" in page.content.decode()
    found = client.get(url, {"q": "欧阳"}).context["cl"].result_list
    assert [a.name for a in found] == ["欧阳修"]
    found = client.get(url, {"q": "采购"}).context["cl"].result_list
    assert [a.name for a in found] == ["司马光"]

    # A clerk of an office with a town beneath it sees which agency each row is for.
    client.force_login(world["handler"])
    headers = [str(h["text"]) for h in client.get(url).context["result_headers"]]
    assert "受理机关" in headers
