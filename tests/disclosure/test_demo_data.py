import pytest
from django.core.management import call_command

from disclosure.models import Document, IndexCounter
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_seed_demo_publishes_the_seed_reply_with_its_metadata(demo, client):
    call_command("seed_demo")  # idempotent
    document = Document.objects.get(
        index_code="115002240093343308", index_year=2022, index_serial=225
    )
    assert document.status == Document.Status.PUBLISHED
    assert (
        document.title
        == "重庆市铜梁区人民政府办公室关于区第十八届人民代表大会第一次会议第94号建议的复函"
    )
    assert (document.topic.name, document.genre.name, document.agency.name) == (
        "其他",
        "人大建议办理",
        "重庆市铜梁区人民政府",
    )
    assert str(document.written_on) == "2022-07-15"
    assert document.published_at.astimezone().strftime("%Y-%m-%d") == "2022-07-15"
    assert document.node.name == "人大代表建议办理"
    for restored in [
        "2022年6月6日",
        "渝府办发〔2021〕100号",
        "于2020年4月1日",
        "“最后一公里”",
        "“六稳”“六保”",
    ]:
        assert restored in document.body
    assert client.get(document.get_absolute_url()).status_code == 200
    # The seed keeps its old number; new documents of 2022 are numbered from 1, skipping 225.
    assert IndexCounter.objects.get(credit_code="115002240093343308", year=2022).last_serial == 0


def test_generate_demo_is_deterministic_and_marks_demo_data(demo):
    call_command("generate_demo", documents=60, seed=7)
    first = list(
        Document.objects.filter(is_demo=True).order_by("pk").values_list("title", "body", "node_id")
    )
    Document.objects.filter(is_demo=True).delete()
    call_command("generate_demo", documents=60, seed=7)
    second = list(
        Document.objects.filter(is_demo=True).order_by("pk").values_list("title", "body", "node_id")
    )
    assert first == second and len(first) == 60
    assert all(
        "演示数据" in keywords
        for keywords in Document.objects.filter(is_demo=True).values_list("keywords", flat=True)
    )
    numbers = Document.objects.exclude(index_serial=None).values_list(
        "index_code", "index_year", "index_serial"
    )
    assert len(set(numbers)) == len(numbers)
    assert Document.objects.public().filter(is_demo=True).exists()


def test_generate_demo_skips_serials_held_by_legacy_numbers(demo):
    from catalog.models import Agency

    agency = Agency.objects.get(credit_code="115002240093343308")
    held = DocumentFactory(agency=agency)
    held.index_code, held.index_year, held.index_serial = agency.credit_code, 2022, 1
    held.save()
    call_command("generate_demo", documents=400, seed=3)
    numbers = list(
        Document.objects.exclude(index_serial=None).values_list(
            "index_code", "index_year", "index_serial"
        )
    )
    assert len(set(numbers)) == len(numbers)
    assert numbers.count((agency.credit_code, 2022, 1)) == 1
    assert Document.objects.filter(index_code=agency.credit_code, index_year=2022).count() > 1


def test_generate_demo_keeps_no_query_log_with_debug_on(demo, settings):
    from django.db import connection

    settings.DEBUG = True
    call_command("generate_demo", documents=60, seed=5, batch_size=10)
    # Only the last batch's INSERT may be left: the earlier ones (megabytes each) are not kept.
    inserts = [q for q in connection.queries if 'INSERT INTO "disclosure_document"' in q["sql"]]
    assert len(inserts) <= 1
