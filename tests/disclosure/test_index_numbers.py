import threading
import time
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from disclosure.index_numbers import format_index_number, parse_index_number
from disclosure.models import Document, IndexCounter
from disclosure.services import WorkflowError, publish, set_legacy_index_number
from tests.factories import AgencyFactory, DocumentFactory, published

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
def test_a_legacy_number_is_kept_and_moves_the_counter_past_it():
    agency = AgencyFactory(credit_code=SEED_CODE)
    legacy = DocumentFactory(agency=agency)
    set_legacy_index_number(legacy, f"{SEED_CODE}/2022-00225")
    legacy.save()
    legacy = publish(legacy, at=at(2022))
    assert legacy.index_number == f"{SEED_CODE}/2022-00225"
    assert IndexCounter.objects.get(credit_code=SEED_CODE, year=2022).last_serial == 225

    fresh = published(agency=agency, published_at=at(2022, 9))
    assert fresh.index_number == f"{SEED_CODE}/2022-00226"


@pytest.mark.django_db
def test_a_legacy_number_already_in_use_is_refused():
    agency = AgencyFactory(credit_code=SEED_CODE)
    published(agency=agency, published_at=at(2022))
    with pytest.raises(ValidationError, match="已被其他文件使用"):
        set_legacy_index_number(DocumentFactory(agency=agency), f"{SEED_CODE}/2022-00001")


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
    drafts = [DocumentFactory(agency=agency, published_at=at(2025)) for _ in range(24)]
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
    assert IndexCounter.objects.get(credit_code=SEED_CODE, year=2025).last_serial == 24
