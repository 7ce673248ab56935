"""The demo data's dates as an inspector would check them: no 成文日期 after its 发布日期, and no
发布日期 before the moment the server recorded without an old index number and a reason."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from disclosure.documents.models import Document
from disclosure.reports.models import AnnualReport
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db


def written_after_published():
    return [
        (title, written, timezone.localtime(published).date())
        for title, written, published in Document.objects.exclude(written_on=None)
        .exclude(published_at=None)
        .values_list("title", "written_on", "published_at")
        if written > timezone.localtime(published).date()
    ]


def backdated_without_reason():
    return list(
        Document.objects.backdated()
        .filter(Q(migrated_index_number="") | Q(backdate_reason=""))
        .values_list("title", flat=True)
    )


@pytest.fixture(params=[date(2026, 2, 10), date(2026, 12, 7)], ids=["before-march", "december"])
def seeded(request, settings):
    settings.DEBUG = True
    with on_day(request.param):
        call_command("seed_demo")
        call_command("generate_demo", documents=200, seed=5)
    return request.param


def test_seed_and_generated_demo_dates_hold_together(seeded):
    assert written_after_published() == []
    assert backdated_without_reason() == []
    shown = Document.objects.filter(status__in=["published", "withdrawn"])
    assert not shown.filter(published_recorded_at=None).exists()


def test_the_showcase_annual_report_is_written_before_it_is_published(seeded):
    document = AnnualReport.objects.get(year=2025).document
    published_on = timezone.localtime(document.published_at).date()
    assert document.written_on <= published_on
    assert document.published_at == document.published_recorded_at
    # Scheduled for 20 March while that is ahead; published the day it is made after that.
    assert published_on == (date(2026, 3, 20) if seeded < date(2026, 3, 20) else seeded)


def test_the_seeds_old_documents_keep_their_dates_with_a_reason(seeded):
    seed = Document.objects.get(index_number_text="115002240093343308/2022-00225")
    assert timezone.localtime(seed.published_at).date() == date(2022, 7, 15)
    assert seed.migrated_index_number == seed.index_number
    assert "原网站2022年7月15日发布" in seed.backdate_reason
    replies = Document.objects.filter(
        genre__slug__in=["congress-reply", "cppcc-reply"], is_demo=False
    )
    assert replies.count() == 4 and all(r.may_backdate for r in replies)
