"""The interpretation rules follow the genre's flags, whatever staff call the genre."""

from datetime import date

import pytest
from django.urls import reverse

from disclosure.documents.models import Genre
from disclosure.reports.compliance import build_report
from portal.roles import EDITOR, REVIEWER
from tests.disclosure.conftest import local
from tests.disclosure.documents.test_workflow import add_form
from tests.factories import AgencyFactory, StaffUserFactory, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed(site_tree):
    """The migrated genres with a rule, renamed in the admin as staff might."""
    normative = Genre.objects.get(name="行政规范性文件")
    reading = Genre.objects.get(name="政策解读")
    normative.name, reading.name = "规范性文件（区级）", "文件解读"
    normative.save()
    reading.save()
    return normative, reading


def staff(role, agency):
    return StaffUserFactory(role=role, agencies=[agency])


def test_the_migration_flags_the_two_genres_with_a_rule():
    assert list(Genre.objects.filter(needs_interpretation=True).values_list("name", flat=True)) == [
        "行政规范性文件"
    ]
    assert list(Genre.objects.filter(is_interpretation=True).values_list("name", flat=True)) == [
        "政策解读"
    ]


def test_a_renamed_normative_genre_still_needs_an_interpretation(site_tree, renamed, client):
    normative, reading = renamed
    agency = AgencyFactory()
    explained = published(title="已解读的办法", genre=normative, agency=agency,
                          doc_number="铜府发〔2025〕1号", published_at=local(2025, 1, 5))  # fmt: skip
    published(title="未解读的办法", genre=normative, agency=agency,
              doc_number="铜府发〔2025〕2号", published_at=local(2025, 1, 5))  # fmt: skip
    interpretation = published(title="解读", genre=reading, agency=agency,
                               published_at=local(2025, 2, 1))  # fmt: skip
    interpretation.interprets.add(explained)
    assert interpretation.is_interpretation and not explained.is_interpretation

    report = build_report(date(2025, 3, 1))
    assert [f.subject for f in report.findings if f.kind == "no_interpretation"] == ["未解读的办法"]

    client.force_login(staff(REVIEWER, agency))
    listing = client.get(
        reverse("admin:disclosure_document_changelist"), {"interpretation": "missing"}
    ).content.decode()
    assert "未解读的办法" in listing and "已解读的办法</a>" not in listing


def test_a_renamed_interpretation_genre_may_still_name_its_policy(site_tree, renamed, client):
    _normative, reading = renamed
    agency = AgencyFactory()
    policy = published(title="某管理办法", agency=agency)
    client.force_login(staff(EDITOR, agency))
    org = {"district": agency, "node": site_tree["policies"]}
    refused = client.post(
        reverse("admin:disclosure_document_add"),
        add_form(org, genre=Genre.objects.get(name="通知").pk, interprets=[policy.pk]),
    )
    assert "只有体裁为“政策解读”的文件" in refused.content.decode()
    accepted = client.post(
        reverse("admin:disclosure_document_add"),
        add_form(org, title="《某管理办法》解读", genre=reading.pk, interprets=[policy.pk]),
    )
    assert accepted.status_code == 302
    assert reading.document_set.get(title="《某管理办法》解读").interprets.get() == policy
