"""The staff dashboard of open proposals and the handling list export."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_dashboard_lists_overdue_first_and_export(client, boss, session):
    ProposalFactory(session=session, number=1, title="早已逾期", assigned_on=date(2022, 1, 4))
    ProposalFactory(session=session, number=2, title="尚早", assigned_on=date(2099, 1, 4))
    html = client.get(reverse("admin:disclosure_proposal_dashboard")).content.decode()
    assert html.index("早已逾期") < html.index("尚早")
    response = client.get(
        reverse("admin:disclosure_proposal_export"), {"session": session.pk, "format": "csv"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("编号,标题,领衔") and "早已逾期" in text
