import threading
import time
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disclosure.documents import services
from disclosure.documents.index_numbers import format_index_number, parse_index_number
from disclosure.documents.models import Document, IndexCounter
from disclosure.documents.services import WorkflowError, publish, set_legacy_index_number
from portal.roles import EDITOR
from tests.factories import (
    AgencyFactory,
    DocumentFactory,
    GenreFactory,
    StaffUserFactory,
    TopicFactory,
    publish_on,
    published,
)

SEED_CODE = "115002240093343308"


def at(year, month=7, day=15):
    return timezone.make_aware(datetime(year, month, day, 9, 0))


def test_format_pads_the_serial_to_five_digits():
    assert format_index_number(SEED_CODE, 2022, 225) == "115002240093343308/2022-00225"


def test_parse_reads_a_well_formed_number():
    assert parse_index_number(" 115002240093343308/2022-00225 ") == (SEED_CODE, 2022, 225)


@pytest.mark.parametrize(
    "text",
    [
        "115002240093343308-2022-00225",  # wrong separator
        "115002240093343308/22-00225",  # two-digit year
        "115002240093343308/2022-225",  # serial not padded
        "115002240093343309/2022-00225",  # bad credit-code check digit
        "115002240093343308/2022-00000",  # serial zero
        "",
    ],
)
def test_parse_refuses_malformed_numbers(text):
    with pytest.raises(ValidationError):
        parse_index_number(text)


@pytest.mark.django_db
def test_publishing_assigns_consecutive_serials_per_agency_and_year():
    agency = AgencyFactory(credit_code=SEED_CODE)
    other = AgencyFactory()
    first = published(agency=agency, published_at=at(2023))
    second = published(agency=agency, published_at=at(2023, 8))
    next_year = published(agency=agency, published_at=at(2024))
    elsewhere = published(agency=other, published_at=at(2023))
    assert first.index_number == f"{SEED_CODE}/2023-00001"
    assert second.index_number == f"{SEED_CODE}/2023-00002"
    assert next_year.index_number == f"{SEED_CODE}/2024-00001"
    assert elsewhere.index_number == f"{other.credit_code}/2023-00001"


@pytest.mark.django_db
def test_serials_never_repeat_after_a_document_is_deleted():
    agency = AgencyFactory()
    first = published(agency=agency, published_at=at(2023))
    Document.objects.filter(pk=first.pk).delete()
    again = published(agency=agency, published_at=at(2023))
    assert again.index_serial == 2


@pytest.mark.django_db
def test_a_legacy_number_is_kept_and_leaves_the_counter_alone():
    agency = AgencyFactory(credit_code=SEED_CODE)
    legacy = DocumentFactory(agency=agency)
    set_legacy_index_number(legacy, f"{SEED_CODE}/2022-00225")
    legacy = publish_on(legacy, at(2022))
    assert legacy.index_number == f"{SEED_CODE}/2022-00225"
    assert IndexCounter.objects.get(credit_code=SEED_CODE, year=2022).last_serial == 0

    fresh = published(agency=agency, published_at=at(2022, 9))
    assert fresh.index_number == f"{SEED_CODE}/2022-00001"


@pytest.mark.django_db
def test_the_assigner_skips_serials_held_by_legacy_numbers():
    agency = AgencyFactory(credit_code=SEED_CODE)
    set_legacy_index_number(DocumentFactory(agency=agency), f"{SEED_CODE}/2023-00002")
    serials = [published(agency=agency, published_at=at(2023)).index_serial for _ in range(3)]
    assert serials == [1, 3, 4]
    assert IndexCounter.objects.get(credit_code=SEED_CODE, year=2023).last_serial == 4


@pytest.mark.django_db
def test_a_legacy_number_of_another_agency_is_refused():
    mine, theirs = AgencyFactory(), AgencyFactory()
    document = DocumentFactory(agency=mine)
    with pytest.raises(ValidationError, match="不是发布机构"):
        set_legacy_index_number(document, f"{theirs.credit_code}/2022-90000")
    document.refresh_from_db()
    assert document.index_serial is None
    assert not IndexCounter.objects.exists()


@pytest.mark.django_db
def test_a_legacy_number_taken_by_a_racing_save_is_a_validation_error(monkeypatch):
    agency = AgencyFactory(credit_code=SEED_CODE)
    published(agency=agency, published_at=at(2022))
    # A save that took the number without waiting for the counter row is not seen by the check.
    monkeypatch.setattr(services, "_refuse_if_taken", lambda *args: None)
    document = DocumentFactory(agency=agency)
    with pytest.raises(ValidationError, match="已被其他文件使用"):
        set_legacy_index_number(document, f"{SEED_CODE}/2022-00001")
    assert (document.index_code, document.index_year, document.index_serial) == ("", None, None)
    document.refresh_from_db()
    assert document.index_serial is None


@pytest.mark.django_db
def test_a_legacy_number_already_in_use_is_refused():
    agency = AgencyFactory(credit_code=SEED_CODE)
    published(agency=agency, published_at=at(2022))
    with pytest.raises(ValidationError, match="已被其他文件使用"):
        set_legacy_index_number(DocumentFactory(agency=agency), f"{SEED_CODE}/2022-00001")


@pytest.fixture
def editor(site_tree):
    """An editor (信息编辑) of one agency, and the add-form data of a draft of that agency."""
    agency = AgencyFactory(credit_code=SEED_CODE)
    user = StaffUserFactory(role=EDITOR, agencies=[agency])
    topic, genre = TopicFactory(), GenreFactory()

    def form(legacy_index_number, title="关于做好防汛工作的通知"):
        return {
            "title": title,
            "summary": "防汛安排。",
            "body": "<p>各镇街：请做好防汛工作。</p>",
            "agency": agency.pk,
            "node": site_tree["policies"].pk,
            "topic": topic.pk,
            "genre": genre.pk,
            "written_on": "2022-05-01",
            "published_at_0": "",
            "published_at_1": "",
            "validity": "valid",
            "disclosure_mode": "active",
            "legacy_index_number": legacy_index_number,
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0",
            "attachments-MAX_NUM_FORMS": "1000",
        }

    return {"user": user, "agency": agency, "form": form}


def errors_of(response):
    return response.context["adminform"].form.errors.get("legacy_index_number", [])


@pytest.mark.django_db
def test_an_editor_cannot_number_a_draft_with_another_agencys_code(client, editor):
    other = AgencyFactory()
    client.force_login(editor["user"])
    response = client.post(
        reverse("admin:disclosure_document_add"),
        editor["form"](f"{other.credit_code}/2022-90000"),
    )
    assert response.status_code == 200
    assert any("不是发布机构" in error for error in errors_of(response))
    assert not Document.objects.exists()
    assert not IndexCounter.objects.filter(credit_code=other.credit_code).exists()


@pytest.mark.django_db
def test_a_legacy_number_in_use_is_a_form_error_in_the_admin(client, editor):
    holder = published(agency=editor["agency"], published_at=at(2022))
    client.force_login(editor["user"])
    response = client.post(
        reverse("admin:disclosure_document_add"), editor["form"](holder.index_number)
    )
    assert response.status_code == 200
    assert any("已被其他文件使用" in error for error in errors_of(response))
    assert list(Document.objects.all()) == [holder]


@pytest.mark.django_db
def test_a_high_legacy_serial_does_not_make_the_counter_jump(client, editor):
    client.force_login(editor["user"])
    response = client.post(
        reverse("admin:disclosure_document_add"), editor["form"](f"{SEED_CODE}/2022-90000")
    )
    assert response.status_code == 302
    assert Document.objects.get().index_number == f"{SEED_CODE}/2022-90000"
    fresh = published(agency=editor["agency"], published_at=at(2022))
    assert fresh.index_number == f"{SEED_CODE}/2022-00001"


@pytest.mark.django_db
def test_a_numbered_draft_cannot_move_to_another_agency(client, editor):
    other = AgencyFactory()
    editor["user"].agencies.add(other)
    client.force_login(editor["user"])
    client.post(reverse("admin:disclosure_document_add"), editor["form"](f"{SEED_CODE}/2022-00225"))
    draft = Document.objects.get()
    data = {**editor["form"](""), "agency": other.pk}
    response = client.post(reverse("admin:disclosure_document_change", args=[draft.pk]), data)
    assert response.status_code == 200
    assert "不能改为其他机构" in str(response.context["adminform"].form.errors["agency"])
    draft.refresh_from_db()
    assert draft.agency == editor["agency"]


@pytest.mark.django_db
def test_publishing_twice_or_incomplete_fails_and_changes_nothing():
    document = published(published_at=at(2023))
    with pytest.raises(WorkflowError, match="已经发布"):
        publish(document)
    empty = DocumentFactory(body="")
    with pytest.raises(WorkflowError, match="正文"):
        publish(empty)
    empty.refresh_from_db()
    assert empty.status == Document.Status.DRAFT and empty.index_serial is None
    assert IndexCounter.objects.get(year=2023).last_serial == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publishers_on_postgresql_never_share_a_serial(monkeypatch):
    # Widen the window between reading and writing the counter, as a busy database would.
    original_save = IndexCounter.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.01)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(IndexCounter, "save", slow_save)
    agency = AgencyFactory(credit_code=SEED_CODE)
    # Scheduled for next year: a past date is refused, and the serials count per year.
    year = timezone.localdate().year + 1
    drafts = [DocumentFactory(agency=agency, published_at=at(year)) for _ in range(24)]
    start = threading.Barrier(6)
    errors = []

    def publisher(chunk):
        try:
            start.wait()
            for document in chunk:
                publish(document)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publisher, args=(drafts[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    serials = sorted(Document.objects.values_list("index_serial", flat=True))
    assert serials == list(range(1, 25))
    assert IndexCounter.objects.get(credit_code=SEED_CODE, year=year).last_serial == 24


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_one_legacy_number_at_once_on_postgresql(editor, monkeypatch):
    # Both forms are checked before either save commits, as on a busy server.
    original_save = Document.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.3)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Document, "save", slow_save)
    number = f"{SEED_CODE}/2022-00225"
    start = threading.Barrier(2)
    responses, errors = [], []

    def save(title):
        try:
            client = Client()
            client.force_login(editor["user"])
            start.wait()
            url = reverse("admin:disclosure_document_add")
            responses.append(client.post(url, editor["form"](number, title=title)))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(title,)) for title in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    assert any("已被其他文件使用" in error for error in errors_of(refused))
    assert Document.objects.get().index_number == number


@pytest.mark.parametrize(
    "text",
    [
        "11500224MB1520716K/2020-99999999999999999999",
        "11500224MB1520716K/2020-9223372036854775808",
        "11500224MB1520716K/2020-1234567890",
        "11500224MB1520716K/٢٠٢٠-00001",
    ],
)
def test_an_index_number_too_long_or_in_other_digits_is_a_form_error(text):
    with pytest.raises(ValidationError) as error:
        parse_index_number(text)
    assert "格式不正确" in error.value.messages[0]


def test_full_width_characters_typed_in_an_index_number_are_read_as_half_width():
    assert parse_index_number("１１５００２２４００９３３４３３０８／２０２２－００２２５") == (
        "115002240093343308",
        2022,
        225,
    )
