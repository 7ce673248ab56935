"""The demo site passes its own 网站自查 on the day it is seeded: its home page and columns are
current, none is blank, no date is made up and no application waits for months."""

from datetime import date

import pytest
from django.core.management import call_command

from disclosure.documents.models import Document
from disclosure.reports.inspection import VETO, build_inspection
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", [date(2026, 2, 10), date(2026, 12, 7)])
def test_the_demo_passes_every_veto_rule_of_its_self_inspection(settings, day):
    settings.DEBUG = True
    with on_day(day):
        call_command("seed_demo")
        inspection = build_inspection()
    failed = {o.rule.name: [i.subject for i in o.items] for o in inspection.failed_vetoes}
    assert failed == {} and inspection.verdict == "合格"
    assert sum(1 for o in inspection.outcomes if o.rule.category == VETO) >= 5


def test_the_demos_current_documents_are_published_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    count = Document.objects.count()
    call_command("seed_demo")
    assert Document.objects.count() == count
