"""The staff dashboard of open proposals and the handling list export."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import ProposalFactory
from tests.office import AS_TEXT, HOSTILE, assert_plain_xlsx

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
    # Without a format the list is a workbook, titled with its session and its number of rows.
    response = client.get(reverse("admin:disclosure_proposal_export"), {"session": session.pk})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    title, header = sheet["A1"].value, sheet["A2"].value
    assert title.startswith(f"{session.name}建议提案办理清单") and title.endswith("共 2 条")
    assert header == "编号"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_staff_text_stays_text_in_the_handling_list(client, boss, session, file_format):
    for number, text in enumerate(HOSTILE, start=1):
        ProposalFactory(session=session, number=number, title=text, lead_delegate=text)
    response = client.get(
        reverse("admin:disclosure_proposal_export"), {"session": session.pk, "format": file_format}
    )
    data = b"".join(response.streaming_content)
    if file_format == "xlsx":
        assert_plain_xlsx(data)
    else:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert [row[1] for row in rows[1:]] == [AS_TEXT[text] for text in HOSTILE]
        assert [row[2] for row in rows[1:]] == [AS_TEXT[text] for text in HOSTILE]


def test_the_admin_index_tells_proposal_staff_what_is_overdue(client, boss, session):
    ProposalFactory(session=session, number=1, title="早已逾期", assigned_on=date(2022, 1, 4))
    ProposalFactory(session=session, number=2, title="尚早", assigned_on=date(2099, 1, 4))
    panels = dict(client.get(reverse("admin:index")).context["panels"])
    counts = {item["label"]: item["count"] for item in panels["建议提案办理提醒"]}
    assert counts == {"逾期未答复": 1, "15天内到期": 0}
