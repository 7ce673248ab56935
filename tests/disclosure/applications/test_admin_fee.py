"""A fee notice shows the amount before it is charged."""

from decimal import Decimal

import pytest
from django.urls import reverse

from disclosure.applications import services
from disclosure.applications.models import Application, Letter
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(world):
    return ApplicationFactory(agency=world["office"], received_on=services.today())


def test_the_amount_is_shown_first_and_charged_only_when_confirmed(client, world, application):
    client.force_login(world["handler"])
    url = reverse("admin:applications_application_step", args=[application.pk, "fee"])
    preview = client.post(url, {"method": "page", "pages": "120", "_preview": "1"})
    assert preview.status_code == 200
    # 30 free, 31-100 at 10 yuan (700), 101-120 at 20 yuan (400)
    assert preview.context["fee"].amount == Decimal("1100")
    assert "1100 元" in preview.content.decode()
    assert "确认收费并发出收费通知" in preview.content.decode()
    application.refresh_from_db()
    assert application.fee_amount is None and application.status == Application.Status.IN_PROGRESS

    # Confirming another page count than the one previewed shows the new amount again.
    changed = client.post(
        url, {"method": "page", "pages": "130", "amount": "1100", "_confirm": "1"}
    )
    assert changed.status_code == 200 and changed.context["fee"].amount == Decimal("1300")
    application.refresh_from_db()
    assert application.fee_amount is None

    done = client.post(url, {"method": "page", "pages": "130", "amount": "1300", "_confirm": "1"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.FEE
    assert application.fee_amount == Decimal("1300")
    assert application.letters.get().kind == Letter.Kind.FEE


def test_a_free_application_is_not_charged(client, world, application):
    client.force_login(world["handler"])
    url = reverse("admin:applications_application_step", args=[application.pk, "fee"])
    response = client.post(url, {"method": "item", "_preview": "1"})
    page = response.content.decode()
    # The reason reads once and plainly: "按件计收：申请人本月第1件申请（…），本申请不收费。"
    assert "按件计收：申请人本月第1件申请" in page and "本申请不收费" in page
    assert "按按" not in page and page.count("每月10件以下免费") == 1
    response = client.post(url, {"method": "item", "amount": "0", "_confirm": "1"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.fee_notice_on is None
