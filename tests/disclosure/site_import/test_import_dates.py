"""The site import and the dates: documents from an old site keep its 发布日期 with a reason
and the moment the server published them here; a row whose 成文日期 comes after its 发布日期 is
a problem of that row."""

from datetime import date

import pytest
from django.utils import timezone

from disclosure.documents.models import Document
from disclosure.documents.services import publish
from disclosure.reports.compliance import build_report
from disclosure.site_import.package import open_package
from disclosure.site_import.services import import_documents, plan_import
from portal.actors import SYSTEM
from portal.models import AuditEvent
from tests.disclosure.site_import.packages import index_number, package, row
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db
IMPORTED_ON = date(2026, 12, 7)


def run(path, **options):
    opened = open_package(path)
    try:
        with on_day(IMPORTED_ON):
            return import_documents(opened, SYSTEM, source={"file": path.name}, **options)
    finally:
        opened.close()


def test_a_row_written_after_it_was_published_is_a_problem_of_that_row(portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225), row(226, 成文日期="2022-08-01")])
    opened = open_package(path)
    try:
        plan = plan_import(opened, SYSTEM)
    finally:
        opened.close()
    assert plan.errors == [(3, "成文日期 2022-08-01 晚于发布日期 2022-07-15，请核对原网站的日期。")]
    assert not plan.ready


def test_imported_documents_keep_the_old_date_with_a_reason_and_the_moment_here(
    portal_site, tmp_path
):
    run(package(tmp_path / "old.zip", [row(225)]))
    document = Document.objects.get()
    assert timezone.localtime(document.published_at).date() == date(2022, 7, 15)
    assert timezone.localtime(document.published_recorded_at).date() == IMPORTED_ON
    assert document.backdate_reason == "从旧网站迁移（old.zip），发布日期为原网站的发布日期。"
    assert document.may_backdate and document.is_backdated
    event = AuditEvent.objects.get(action="import_documents")
    assert event.details["backdate_reason"] == document.backdate_reason
    listed = [f for f in build_report(IMPORTED_ON).findings if f.kind == "backdated"]
    assert [f.subject for f in listed] == [document.title]


def test_an_imported_draft_is_published_later_with_its_old_date(portal_site, tmp_path):
    run(package(tmp_path / "old.zip", [row(225)]), publish=False)
    draft = Document.objects.get()
    assert draft.published_recorded_at is None
    with on_day(date(2026, 12, 9)):
        document = publish(draft, SYSTEM)
    assert document.index_number == index_number(225)
    assert timezone.localtime(document.published_recorded_at).date() == date(2026, 12, 9)
    assert document.is_backdated
    assert AuditEvent.objects.get(action="backdate").details["reason"] == draft.backdate_reason
