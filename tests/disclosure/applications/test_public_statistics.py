"""The public statistics: per year and agency, applications received and closed by result."""

from datetime import date

import pytest
from django.urls import reverse

from disclosure.applications.models import Application
from tests.factories import AgencyFactory, ApplicationFactory

pytestmark = pytest.mark.django_db
Result = Application.Result


def closed(agency, result, on, received_on):
    return ApplicationFactory(agency=agency, status=Application.Status.CLOSED, result=result,
                              closed_on=on, received_on=received_on)  # fmt: skip


def row_of(response, name):
    for row in response.context["rows"]:
        if row["name"] == name:
            return row
    raise AssertionError(f"no row for {name}")


@pytest.fixture
def figures(db):
    transport = AgencyFactory(name="铜梁区交通局")
    education = AgencyFactory(name="铜梁区教委")
    ApplicationFactory(agency=transport, received_on=date(2025, 3, 2))
    ApplicationFactory(agency=transport, received_on=date(2025, 4, 2))
    closed(transport, Result.DISCLOSED, date(2025, 5, 6), date(2025, 4, 8))
    closed(transport, Result.WITHHELD, date(2026, 1, 9), date(2025, 12, 20))  # closed next year
    closed(education, Result.PARTIAL, date(2025, 7, 1), date(2025, 6, 3))
    ApplicationFactory(agency=education, received_on=date(2026, 2, 3))
    # Not received yet (waiting for 确认收到): counted nowhere.
    ApplicationFactory(agency=education, received_on=None, status=Application.Status.SUBMITTED)
    return transport, education


def test_received_and_closed_are_counted_per_agency_for_the_year(client, figures):
    response = client.get(reverse("applications:statistics"), {"year": 2025})
    transport = row_of(response, "铜梁区交通局")
    assert transport["received"] == 4
    labels = list(Result.labels)
    assert transport["results"][labels.index("予以公开")] == 1
    assert transport["results"][labels.index("不予公开")] == 0  # closed in 2026
    assert transport["closed"] == 1
    education = row_of(response, "铜梁区教委")
    assert education["received"] == 1 and education["closed"] == 1
    assert response.context["total"]["received"] == 5
    assert response.context["total"]["closed"] == 2


def test_another_year_counts_its_own(client, figures):
    response = client.get(reverse("applications:statistics"), {"year": 2026})
    transport = row_of(response, "铜梁区交通局")
    assert transport["received"] == 0
    assert transport["results"][list(Result.labels).index("不予公开")] == 1
    assert row_of(response, "铜梁区教委")["received"] == 1
    assert {2025, 2026} <= set(response.context["years"])


def test_the_page_shows_counts_and_no_personal_data(client, figures):
    page = client.get(reverse("applications:statistics"), {"year": 2025}).content.decode()
    assert "铜梁区交通局" in page and "予以公开" in page
    application = Application.objects.first()
    for personal in (application.name, application.id_number, application.phone,
                     application.info_title, application.number):  # fmt: skip
        assert personal not in page


def test_an_unknown_year_falls_back_to_the_latest(client, figures):
    response = client.get(reverse("applications:statistics"), {"year": "abc"})
    assert response.status_code == 200
    assert response.context["year"] == response.context["years"][0]


def test_a_closed_application_shows_on_a_page_cached_before(client, figures):
    transport, _ = figures
    url = reverse("applications:statistics")
    before = client.get(url, {"year": 2025}).context["total"]["closed"]
    closed(transport, Result.DISCLOSED, date(2025, 8, 1), date(2025, 7, 1))
    after = client.get(url, {"year": 2025})
    assert after.context["total"]["closed"] == before + 1


def test_the_statistics_are_linked_from_the_guide(client, figures):
    page = client.get(reverse("applications:guide")).content.decode()
    assert reverse("applications:statistics") in page


def test_the_page_has_a_query_budget(client, figures, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(reverse("applications:statistics"), {"year": 2025})


def test_an_application_withdrawn_before_receipt_is_closed_in_neither_count(client, db):
    agency = AgencyFactory(name="铜梁区民政局")
    closed(agency, Result.OTHER, date(2025, 3, 9), received_on=None)  # withdrawn, never received
    closed(agency, Result.DISCLOSED, date(2025, 5, 6), date(2025, 4, 8))
    response = client.get(reverse("applications:statistics"), {"year": 2025})
    assert row_of(response, "铜梁区民政局")["closed"] == 1
    year = (date(2025, 1, 1), date(2025, 12, 31))
    # The annual report counts from the same selectors.
    assert Application.objects.filter(agency=agency).closed_between(*year).count() == 1
    assert Application.objects.filter(agency=agency).received_between(*year).count() == 1
