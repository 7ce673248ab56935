import pytest
from django.core.management import call_command

from disclosure.documents.models import Document, IndexCounter
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
    held.index_number_text = f"{agency.credit_code}/2022-00001"
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


def test_a_generated_titles_year_matches_its_dates(demo):
    import re

    from django.utils import timezone

    call_command("generate_demo", documents=400, seed=5)
    checked = 0
    for title, written, published, doc_number in Document.objects.filter(is_demo=True).values_list(
        "title", "written_on", "published_at", "doc_number"
    ):
        year = timezone.localtime(published).year
        assert written.year == year, title
        for match in re.findall(r"(\d{4})(?:—\d{4})?年", title):  # a plan's span: its start
            # An annual report covers the year before the one it is published in.
            expected = year - 1 if "年度报告" in title else year
            assert int(match) == expected, (title, published)
            checked += 1
        if doc_number:
            assert f"〔{year}〕" in doc_number
    assert checked > 50


def test_each_column_holds_documents_of_its_own_kind(demo):
    call_command("generate_demo", documents=400, seed=5)
    demo_docs = Document.objects.filter(is_demo=True).select_related("node", "genre")
    by_column = {}
    for document in demo_docs:
        by_column.setdefault(document.node.name, []).append(document)
    replies = by_column["人大代表建议办理"]
    assert replies and all(d.genre.name == "人大建议办理" for d in replies)
    assert all(d.title.endswith("号建议的复函") for d in replies)
    assert all(d.genre.name == "政协提案办理" for d in by_column["政协委员提案办理"])
    assert all(d.genre.name == "政策解读" for d in by_column["政策解读"])
    assert all(d.genre.name == "行政规范性文件" for d in by_column["行政规范性文件"])
    assert all("年度报告" in d.title for d in by_column["政府信息公开年报"])
    # Notices stay out of the reply columns, and nothing is filed under the guide.
    notices = [d for docs in by_column.values() for d in docs if d.title.endswith("的通知")]
    assert notices and not any(d.node.name.endswith("办理") for d in notices)
    assert "政府信息公开指南" not in by_column


def test_seed_demo_fills_the_agency_information_column(demo, client):
    from catalog.models import Agency

    call_command("seed_demo")  # idempotent
    column = Document.objects.public().filter(node__slug="jgxx")
    assert column.count() == Agency.objects.count() == 4
    for document in column.select_related("agency"):
        html = client.get(document.get_absolute_url()).content.decode()
        for heading in ("机构职能", "领导信息", "内设机构", "联系方式"):
            assert f"<h2>{heading}</h2>" in html, (document.title, heading)
        assert document.agency.phone in html
    government = column.get(agency__parent=None)
    assert (
        "区规划自然资源局" in government.body or "重庆市铜梁区规划和自然资源局" in government.body
    )


def test_generated_interpretations_interpret_an_earlier_original_they_name(demo):
    call_command("generate_demo", documents=400, seed=5)
    interpretations = Document.objects.filter(is_demo=True, genre__name="政策解读")
    assert interpretations.exists()
    for interpretation in interpretations.prefetch_related("interprets"):
        (original,) = interpretation.interprets.all()
        assert original.genre.name == "行政规范性文件"
        assert original.published_at <= interpretation.published_at
        named = original.title.split("《")[1].split("》")[0]
        assert interpretation.title == f"《{named}》政策解读"


def test_generated_annual_reports_have_no_twin_titles(demo):
    call_command("generate_demo", documents=1000, seed=5)
    titles = list(Document.objects.filter(node__slug="gknb").values_list("title", flat=True))
    assert len(titles) > 10 and len(titles) == len(set(titles))
