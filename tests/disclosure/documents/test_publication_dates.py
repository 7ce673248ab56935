"""Dates that cannot be faked (伪造发稿日期 is a 单项否决 item of the national inspection): the
server records the moment a document goes public, a 发布日期 in the past is refused (but for a
document from an old site with its old index number and a reason, audited), and the 成文日期
never comes after the 发布日期."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.documents import services
from disclosure.documents.models import CLOCK_SKEW, Document
from disclosure.documents.services import (
    WorkflowError,
    approve_revision,
    propose_revision,
    publish,
    set_legacy_index_number,
)
from portal.actors import SYSTEM
from portal.models import AuditEvent
from portal.roles import EDITOR, REVIEWER
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db
Status = Document.Status

# The day the portal's finding was made: an editor set 2026-01-05 on a document of 2026-12-07.
TODAY = date(2026, 12, 7)


def local(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


@pytest.fixture
def today():
    with on_day(TODAY):  # 12:00 in the portal's time zone, the clock standing still
        yield timezone.now()


@pytest.fixture
def org(site_tree, today):
    agency = AgencyFactory(name="区政府办公室")
    return {
        "agency": agency,
        "node": site_tree["policies"],
        "editor": StaffUserFactory(role=EDITOR, agencies=[agency]),
        "reviewer": StaffUserFactory(role=REVIEWER, agencies=[agency]),
    }


def submitted(org, **fields):
    fields.setdefault("written_on", TODAY - timedelta(days=3))
    return DocumentFactory(
        agency=org["agency"],
        node=org["node"],
        status=Status.SUBMITTED,
        submitted_by=org["editor"],
        **fields,
    )


def migrated(org, number="xzbgs/2022-00031", reason="原网站2022年3月1日发布"):
    """A document from an old site sent for review: its old number kept (as the site import
    and the form do)."""
    document = DocumentFactory(
        agency=org["agency"],
        node=org["node"],
        status=Status.SUBMITTED,
        submitted_by=org["editor"],
        written_on=date(2022, 2, 25),
        published_at=local(2022, 3, 1),
        migrated_index_number=number,
        backdate_reason=reason,
    )
    set_legacy_index_number(document, number)
    return document


def unchanged(document):
    document.refresh_from_db()
    return document.status == Status.SUBMITTED and not document.index_number_text


# --- the publish action --------------------------------------------------------------------


def test_publishing_at_a_past_time_is_refused_with_nothing_changed(org):
    document = submitted(org)
    with pytest.raises(WorkflowError, match="发布日期 2026-01-05 09:00:00 早于当前时间"):
        publish(document, org["reviewer"], at=local(2026, 1, 5))
    assert unchanged(document)
    assert not AuditEvent.objects.filter(action="publish").exists()


def test_a_past_date_the_editor_wrote_is_refused_when_the_reviewer_publishes(org):
    # The portal's finding: the date was in the draft; the reviewer pressed 发布 with no warning.
    document = submitted(org, published_at=local(2026, 1, 5), written_on=date(2026, 1, 4))
    with pytest.raises(WorkflowError, match="定时发布请填写将来的时间"):
        publish(document, org["reviewer"])
    assert unchanged(document)


def test_the_system_may_not_publish_a_past_date_either(org):
    document = submitted(org)
    with pytest.raises(WorkflowError, match="早于当前时间"):
        publish(document, SYSTEM, at=local(2026, 12, 1))
    assert unchanged(document)


def test_the_server_records_the_moment_whatever_the_form_says(org, today):
    # A reviewer who pressed 现在 two minutes before sending: within the clock's tolerance, the
    # date shown becomes the server's moment, not the one the browser sent.
    document = publish(submitted(org), org["reviewer"], at=today - timedelta(minutes=2))
    assert document.published_at == document.published_recorded_at == today
    event = AuditEvent.objects.get(action="publish")
    assert event.details["recorded_at"] == event.details["published_at"]


def test_publishing_now_records_now_to_the_second(org):
    with on_day(TODAY, at=datetime(2026, 12, 7, 15, 4, 5, 678901).time()):
        document = publish(submitted(org), org["reviewer"])
    assert document.published_recorded_at == local(2026, 12, 7, 15, 4) + timedelta(seconds=5)
    assert document.published_at == document.published_recorded_at


def test_just_beyond_the_tolerance_is_the_past(org, today):
    document = submitted(org)
    with pytest.raises(WorkflowError, match="早于当前时间"):
        publish(document, org["reviewer"], at=today - CLOCK_SKEW - timedelta(seconds=1))
    assert unchanged(document)


def test_a_scheduled_publication_is_recorded_at_its_time(org, today):
    later = today + timedelta(days=2)
    document = publish(submitted(org), org["reviewer"], at=later)
    assert document.published_at == document.published_recorded_at == later
    assert document.is_scheduled and not Document.objects.public().filter(pk=document.pk).exists()


def test_a_written_date_after_the_publication_date_is_refused_on_publishing(org):
    document = submitted(org, written_on=TODAY + timedelta(days=1))
    with pytest.raises(WorkflowError, match="成文日期 2026-12-08 晚于发布日期 2026-12-07"):
        publish(document, org["reviewer"])
    assert unchanged(document)


# --- documents from an old site ------------------------------------------------------------


def test_a_migrated_document_with_a_reason_keeps_its_old_date_audited(org, today):
    document = publish(migrated(org), org["reviewer"])
    assert document.published_at == local(2022, 3, 1)
    assert document.published_recorded_at == today and document.is_backdated
    event = AuditEvent.objects.get(action="backdate")
    assert event.details["reason"] == "原网站2022年3月1日发布"
    assert event.details["migrated_index_number"] == "xzbgs/2022-00031"
    assert Document.objects.backdated().get() == document


@pytest.mark.parametrize(
    ("number", "reason"), [("xzbgs/2022-00031", " "), ("", "原网站2022年3月1日发布")]
)
def test_an_old_date_needs_both_the_old_number_and_a_reason(org, number, reason):
    document = DocumentFactory(
        agency=org["agency"],
        node=org["node"],
        written_on=date(2022, 2, 25),
        published_at=local(2022, 3, 1),
        migrated_index_number=number,
        backdate_reason=reason,
    )
    with pytest.raises(WorkflowError, match="须填写原索引号和补录原因"):
        publish(document, SYSTEM)
    document.refresh_from_db()
    assert document.status == Status.DRAFT and document.published_recorded_at is None
    assert not AuditEvent.objects.filter(action__in=["publish", "backdate"]).exists()


# --- revisions of a published document -----------------------------------------------------


def test_the_date_of_a_public_document_cannot_move_by_a_revision(org, today):
    document = publish(submitted(org), org["reviewer"])
    other = StaffUserFactory(role=REVIEWER, agencies=[org["agency"]])
    for wanted in (local(2026, 1, 5), today + timedelta(days=3)):
        revision = propose_revision(document, org["reviewer"], {"published_at": wanted})
        with pytest.raises(WorkflowError, match="本文件已于 2026-12-07 12:00:00 公开"):
            approve_revision(revision, other)
        document.refresh_from_db()
        assert document.published_at == today
        revision.delete()


def test_a_falsified_date_from_before_the_rule_may_be_set_back_to_the_servers(org, today):
    document = publish(submitted(org), org["reviewer"])
    Document.objects.filter(pk=document.pk).update(published_at=local(2026, 1, 5))
    document.refresh_from_db()
    revision = propose_revision(document, org["reviewer"], {"published_at": today})
    approve_revision(revision, StaffUserFactory(role=REVIEWER, agencies=[org["agency"]]))
    document.refresh_from_db()
    assert document.published_at == document.published_recorded_at == today


def test_a_scheduled_document_may_be_rescheduled_but_not_backdated(org, today):
    document = publish(submitted(org), org["reviewer"], at=today + timedelta(days=2))
    other = StaffUserFactory(role=REVIEWER, agencies=[org["agency"]])
    later = today + timedelta(days=5)
    approve_revision(propose_revision(document, org["reviewer"], {"published_at": later}), other)
    document.refresh_from_db()
    assert document.published_at == document.published_recorded_at == later
    revision = propose_revision(document, org["reviewer"], {"published_at": local(2026, 1, 5)})
    with pytest.raises(WorkflowError, match="早于当前时间"):
        approve_revision(revision, other)
    document.refresh_from_db()
    assert document.published_at == later


def test_a_revision_made_before_the_reason_field_existed_still_applies(org):
    document = publish(submitted(org), org["reviewer"])
    revision = propose_revision(document, org["reviewer"], {"title": "新标题"})
    for stored in (revision.base, revision.values):
        del stored["backdate_reason"]
    revision.save()
    approve_revision(revision, StaffUserFactory(role=REVIEWER, agencies=[org["agency"]]))
    document.refresh_from_db()
    assert document.title == "新标题"


def test_a_backdated_document_cannot_lose_its_reason(org):
    document = publish(migrated(org), SYSTEM)
    revision = propose_revision(document, org["reviewer"], {"backdate_reason": ""})
    with pytest.raises(WorkflowError, match="发布日期只能是这一时间"):
        approve_revision(revision, StaffUserFactory(role=REVIEWER, agencies=[org["agency"]]))
    document.refresh_from_db()
    assert document.backdate_reason == "原网站2022年3月1日发布"


# --- the admin form ------------------------------------------------------------------------


def form_data(org, **overrides):
    data = {
        "title": "关于做好防汛工作的通知",
        "summary": "防汛安排。",
        "body": "<p>各镇街：请做好防汛工作。</p>",
        "agency": org["agency"].pk,
        "node": org["node"].pk,
        "doc_number": "",
        "written_on": "2026-01-04",
        "published_at_0": "2026-01-05",
        "published_at_1": "09:00:00",
        "backdate_reason": "",
        "validity": "valid",
        "keywords": "",
        "disclosure_mode": "active",
        "legacy_index_number": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_an_editor_entering_a_past_date_sees_why_and_nothing_is_saved(client, org):
    client.force_login(org["editor"])
    response = client.post(reverse("admin:disclosure_document_add"), form_data(org))
    assert response.status_code == 200
    page = response.content.decode()
    assert "发布日期 2026-01-05 09:00:00 早于当前时间" in page
    assert "立即发布请留空，定时发布请填写将来的时间" in page
    assert not Document.objects.exists()


def test_an_editor_may_leave_the_date_blank_or_schedule(client, org):
    client.force_login(org["editor"])
    for day, title in (("", "立即"), ("2026-12-09", "定时")):
        data = form_data(org, title=title, published_at_0=day, published_at_1=day and "09:00:00")
        assert client.post(reverse("admin:disclosure_document_add"), data).status_code == 302
    assert set(Document.objects.values_list("title", flat=True)) == {"立即", "定时"}


def test_an_old_sites_document_keeps_its_date_with_its_number_and_a_reason(client, org):
    client.force_login(org["editor"])
    number = f"{org['agency'].credit_code}/2026-00001"
    data = form_data(org, legacy_index_number=number, backdate_reason="原网站2026年1月5日发布")
    assert client.post(reverse("admin:disclosure_document_add"), data).status_code == 302
    document = Document.objects.get()
    assert (document.migrated_index_number, document.index_number) == (number, number)
    assert document.published_at == local(2026, 1, 5)
    # Without a reason the number alone is not enough.
    data = form_data(org, legacy_index_number=f"{org['agency'].credit_code}/2026-00002")
    response = client.post(reverse("admin:disclosure_document_add"), data)
    assert "须填写原索引号和补录原因" in response.content.decode()
    assert Document.objects.count() == 1


def test_a_reviewer_cannot_move_the_date_of_a_public_document_in_the_form(client, org, today):
    document = publish(submitted(org, title="已公开"), org["reviewer"])
    client.force_login(org["reviewer"])
    data = form_data(org, title="已公开", written_on="2026-12-04")
    response = client.post(reverse("admin:disclosure_document_change", args=[document.pk]), data)
    assert "本文件已于 2026-12-07 12:00:00 公开" in response.content.decode()
    assert not document.revisions.exists()


def test_the_recorded_moment_is_shown_and_cannot_be_edited(client, org):
    document = publish(submitted(org), org["reviewer"])
    client.force_login(org["reviewer"])
    page = client.get(reverse("admin:disclosure_document_change", args=[document.pk]))
    html = page.content.decode()
    assert "系统记录的发布时间" in html and 'name="published_recorded_at' not in html


def test_the_form_helper_is_the_services_rule(org, today):
    # One rule for the form, the publish action and revisions: services.publication_dates.
    draft = DocumentFactory(agency=org["agency"], node=org["node"])
    assert services.publication_dates(draft, None).published_at == today
    assert services.publication_dates(draft, today + timedelta(hours=1)).recorded_at == (
        today + timedelta(hours=1)
    )
    with pytest.raises(services.ValidationError):
        services.publication_dates(draft, local(2026, 1, 5))
