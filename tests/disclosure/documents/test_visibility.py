"""Who may see a document, as queryset methods: public() now and at a past moment, and staff preview."""

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from disclosure.applications.roles import REQUESTS
from disclosure.documents.models import Document
from disclosure.documents.services import publish, withdraw
from portal.actors import SYSTEM
from portal.roles import AUDITOR, EDITOR
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory, publish_on

pytestmark = pytest.mark.django_db

DAY = date(2024, 6, 10)


def moment(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def end_of(day):
    return timezone.make_aware(datetime.combine(day, time.max))


def published_on(day, **kwargs):
    return publish_on(DocumentFactory(**kwargs), moment(day))


def withdrawn_on(document, day):
    withdraw(document, SYSTEM, "政策调整")
    Document.objects.filter(pk=document.pk).update(withdrawn_at=moment(day))
    return document


def test_a_document_published_after_the_day_was_not_public_on_it():
    early = published_on(DAY - timedelta(days=3))
    same_day = published_on(DAY)
    later = published_on(DAY + timedelta(days=1))
    public = set(Document.objects.public(at=end_of(DAY)))
    assert early in public and same_day in public and later not in public


def test_a_document_withdrawn_before_the_day_was_not_public_on_it():
    gone_before = withdrawn_on(published_on(DAY - timedelta(days=9)), DAY - timedelta(days=1))
    gone_after = withdrawn_on(published_on(DAY - timedelta(days=9)), DAY + timedelta(days=1))
    public = set(Document.objects.public(at=end_of(DAY)))
    assert gone_before not in public and gone_after in public
    # Today both are withdrawn: the public sees neither.
    assert not Document.objects.public().filter(pk__in=[gone_before.pk, gone_after.pk]).exists()


def test_a_past_day_counts_only_what_was_disclosed_actively():
    exempt = published_on(DAY - timedelta(days=1), disclosure_mode=Document.DisclosureMode.EXEMPT)
    draft = DocumentFactory()
    public = set(Document.objects.public(at=end_of(DAY)))
    assert exempt not in public and draft not in public


def test_public_without_a_moment_is_what_is_due_now():
    due = publish(DocumentFactory())
    scheduled = publish(DocumentFactory(), at=timezone.now() + timedelta(days=1))
    assert list(Document.objects.public()) == [due]
    later = timezone.now() + timedelta(days=2)
    assert set(Document.objects.public(at=later)) == {due, scheduled}


@pytest.fixture
def staff(db):
    own, other = AgencyFactory(name="区政府办公室"), AgencyFactory(name="区教委")

    def make(role, *agencies):
        return StaffUserFactory(role=role, agencies=agencies)

    return {
        "own": own,
        "other": other,
        "editor": make(EDITOR, own),
        "requests": make(REQUESTS, own),
        "auditor": make(AUDITOR),
        "other_editor": make(EDITOR, other),
    }


def test_staff_preview_documents_of_their_agencies_in_any_state(staff):
    draft = DocumentFactory(agency=staff["own"])
    scheduled = publish(DocumentFactory(agency=staff["own"]), at=timezone.now() + timedelta(days=3))
    foreign = DocumentFactory(agency=staff["other"])
    own_view = set(Document.objects.previewable_by(staff["editor"]))
    assert own_view == {draft, scheduled}
    assert set(Document.objects.previewable_by(staff["auditor"])) == {draft, scheduled, foreign}
    assert set(Document.objects.previewable_by(staff["other_editor"])) == {foreign}


def test_nobody_else_previews_anything(staff):
    DocumentFactory(agency=staff["own"])
    assert not Document.objects.previewable_by(AnonymousUser()).exists()
    staff["editor"].is_staff = False
    assert not Document.objects.previewable_by(staff["editor"]).exists()
    staff["requests"].is_active = False
    assert not Document.objects.previewable_by(staff["requests"]).exists()
