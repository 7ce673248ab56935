"""索引号 of other sites: kept verbatim, unique, shown everywhere; schemes for new numbers."""

import importlib
from datetime import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from catalog.models import Agency
from disclosure.documents.index_numbers import read_index_number
from disclosure.documents.models import Document, IndexCounter
from disclosure.documents.search.backends import DatabaseSearchBackend, SearchRequest
from disclosure.documents.services import (
    WorkflowError,
    check_legacy_index_number,
    publish,
    set_legacy_index_number,
)
from tests.disclosure.documents.test_exports import csv_rows
from tests.factories import (
    AgencyFactory,
    DocumentFactory,
    GenreFactory,
    TopicFactory,
    publish_on,
    published,
)

pytestmark = pytest.mark.django_db

CREDIT = "115002240093343308"
ORG = "01527918X"  # a nine-character code whose check character is X (GB 11714)

# The shapes found on disclosure sites, with other digits: (number, what it is).
FOREIGN_SHAPES = [
    ("00000000X/2019-00012", "组织机构代码/年份-序号, check character X, not on record"),
    ("000000000-2020-00003", "组织机构代码-年份-序号, not on record"),
    ("5101230000/2023-000417", "10-digit region and office code/年份-六位序号"),
    ("AB01234-0101-2019-00001", "office code, class, year, serial"),
    ("001/2021-0034", "short numeric office prefix"),
    ("530000123400201900015", "21 digits: region, office, class, unit, year, serial"),
    ("330205-03-0201-20180315-0042", "region-office-class-group-date-serial"),
    ("1021901-2019-0007", "institution code with class, year, serial"),
    ("WB2207003-2023-015", "letters and digits office code-年份-三位序号"),
    ("xzbgs/2022-00031", "pinyin initials of the office/年份-序号"),
    ("zfxxgk_2020.00031", "letters, underscore and dot"),
]


def at(year, month=7, day=15):
    return timezone.make_aware(datetime(year, month, day, 9, 0))


def search(query):
    return DatabaseSearchBackend().search(SearchRequest(query=query)).ids


@pytest.fixture
def agency():
    return AgencyFactory(credit_code=CREDIT)


@pytest.mark.parametrize(("number", "shape"), FOREIGN_SHAPES)
def test_a_number_of_another_site_is_kept_and_shown_verbatim(client, agency, number, shape):
    document = DocumentFactory(agency=agency, title="迁移的文件")
    set_legacy_index_number(document, number)
    document = publish_on(document, at(2021))
    document.refresh_from_db()
    assert document.index_number == number, shape
    assert (document.index_code, document.index_serial) == ("", None)  # not in own numbering
    page = client.get(document.get_absolute_url()).content.decode()
    # Verbatim, with places to wrap after its separators.
    assert f'<td><span class="code-text">{number}</span></td>' in page.replace("<wbr>", "")
    rows, _data = csv_rows(client.get(reverse("disclosure:export"), {"format": "csv"}))
    assert rows[1][1] == number
    assert search(number) == [document.pk]


@pytest.mark.parametrize(("number", "shape"), FOREIGN_SHAPES)
def test_a_kept_number_is_unique_across_the_site(agency, number, shape):
    set_legacy_index_number(DocumentFactory(agency=agency), number)
    other = DocumentFactory(agency=AgencyFactory())
    with pytest.raises(ValidationError, match="已被其他文件使用"):
        set_legacy_index_number(other, number)
    other.refresh_from_db()
    assert other.index_number == ""


def test_a_pasted_label_and_full_width_characters_are_left_out_of_the_kept_text():
    assert read_index_number("索引号：０１５２７９１８Ｘ－２０２０－００００３").text == (
        "01527918X-2020-00003"
    )
    assert read_index_number(" 信息索引号: 001/2021-0034 ").text == "001/2021-0034"


def test_the_kept_text_keeps_the_old_sites_letter_case(agency):
    document = DocumentFactory(agency=agency)
    set_legacy_index_number(document, "ab01234-0101-2019-00001")
    assert Document.objects.get().index_number == "ab01234-0101-2019-00001"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2022-225", "太短"),
        ("0015 2021 0034", "空格"),
        ("001/2021－0034号", "号"),
        ("001//2021-0034", "不能相连"),
        ("/001/2021-0034", "之间"),
        ("0" * 65, "超过 64 个字符"),
        ("ABCDEFGHIJ", "太短"),
    ],
)
def test_what_cannot_be_an_index_number_is_refused_saying_why(agency, text, reason):
    with pytest.raises(ValidationError) as error:
        check_legacy_index_number(text, agency)
    assert "格式不正确" in error.value.messages[0] and reason in error.value.messages[0]


def test_own_scheme_number_with_the_agencys_org_code_keeps_its_parts_for_the_counter():
    agency = AgencyFactory(org_code=ORG, index_scheme=Agency.IndexScheme.ORG_CODE_SLASH)
    set_legacy_index_number(DocumentFactory(agency=agency), f"{ORG}-2023-00002")
    kept = Document.objects.get()
    assert (kept.index_number, kept.index_code, kept.index_serial) == (
        f"{ORG}-2023-00002",
        ORG,
        2,
    )
    numbers = [published(agency=agency, published_at=at(2023)).index_number for _ in range(2)]
    assert numbers == [f"{ORG}/2023-00001", f"{ORG}/2023-00003"]
    assert IndexCounter.objects.get(credit_code=ORG, year=2023).last_serial == 3


def test_an_unpadded_serial_in_the_agencys_own_shape_is_kept_as_shown_and_skipped(agency):
    set_legacy_index_number(DocumentFactory(agency=agency), f"{CREDIT}/2022-3")
    assert Document.objects.get().index_number == f"{CREDIT}/2022-3"
    serials = [published(agency=agency, published_at=at(2022)).index_serial for _ in range(3)]
    assert serials == [1, 2, 4]


def test_another_agencys_org_code_on_record_is_refused():
    AgencyFactory(org_code=ORG)
    mine = AgencyFactory()
    with pytest.raises(ValidationError, match="不是发布机构"):
        check_legacy_index_number(f"{ORG}/2020-00001", mine)


def test_a_credit_code_failing_its_check_character_is_refused(agency):
    with pytest.raises(ValidationError, match="校验不通过"):
        check_legacy_index_number("115002240093343309/2022-00225", agency)


@pytest.mark.parametrize(
    ("scheme", "first", "second"),
    [
        (Agency.IndexScheme.CREDIT_CODE, f"{CREDIT}/2024-00001", f"{CREDIT}/2024-00002"),
        (Agency.IndexScheme.ORG_CODE_SLASH, f"{ORG}/2024-00001", f"{ORG}/2024-00002"),
        (Agency.IndexScheme.ORG_CODE_DASH, f"{ORG}-2024-00001", f"{ORG}-2024-00002"),
    ],
)
def test_new_numbers_follow_the_scheme_the_agency_chose(scheme, first, second):
    agency = AgencyFactory(credit_code=CREDIT, org_code=ORG, index_scheme=scheme)
    numbers = [published(agency=agency, published_at=at(2024)).index_number for _ in range(2)]
    assert numbers == [first, second]
    assert IndexCounter.objects.get(year=2024).last_serial == 2


def test_both_org_code_schemes_share_one_counter(agency):
    agency.org_code, agency.index_scheme = ORG, Agency.IndexScheme.ORG_CODE_SLASH
    agency.save()
    published(agency=agency, published_at=at(2024))
    agency.index_scheme = Agency.IndexScheme.ORG_CODE_DASH
    agency.save()
    assert published(agency=agency, published_at=at(2024)).index_number == f"{ORG}-2024-00002"


def test_a_kept_number_written_like_the_next_new_one_is_skipped(agency):
    # Kept as text while the agency had no organisation code on record.
    set_legacy_index_number(DocumentFactory(agency=agency), f"{ORG}/2024-00001")
    agency.org_code, agency.index_scheme = ORG, Agency.IndexScheme.ORG_CODE_SLASH
    agency.save()
    assert published(agency=agency, published_at=at(2024)).index_number == f"{ORG}/2024-00002"


def test_publishing_with_an_org_code_scheme_but_no_org_code_fails_saying_so(agency):
    Agency.objects.filter(pk=agency.pk).update(index_scheme=Agency.IndexScheme.ORG_CODE_DASH)
    draft = DocumentFactory(agency=Agency.objects.get(pk=agency.pk))
    with pytest.raises(WorkflowError, match="尚未填写组织机构代码"):
        publish(draft)
    draft.refresh_from_db()
    assert draft.status == Document.Status.DRAFT and draft.index_number == ""


def test_an_org_code_scheme_needs_a_valid_org_code(agency):
    agency.index_scheme = Agency.IndexScheme.ORG_CODE_SLASH
    with pytest.raises(ValidationError) as error:
        agency.full_clean()
    # The unified code carries the former organisation code in its places 9 to 17.
    assert "009334330" in error.value.message_dict["org_code"][0]
    agency.org_code = "015279180"
    with pytest.raises(ValidationError) as error:
        agency.full_clean()
    assert "第9位应为 X" in error.value.message_dict["org_code"][0]
    agency.org_code = ORG
    agency.full_clean()


def test_the_agency_admin_saves_the_scheme_and_org_code(admin_client, agency):
    url = reverse("admin:catalog_agency_change", args=[agency.pk])
    form = {
        "name": agency.name, "short_name": "", "credit_code": CREDIT, "parent": "",
        "level": "district", "index_scheme": "org_dash", "org_code": "",
        "address": "", "office_hours": "", "phone": "", "fax": "", "email": "", "postcode": "",
        "accepts_applications": "on",
    }  # fmt: skip
    response = admin_client.post(url, form)
    assert response.status_code == 200
    assert "须填写本机构的组织机构代码" in response.content.decode()
    response = admin_client.post(url, {**form, "org_code": ORG})
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.index_scheme, agency.org_code) == ("org_dash", ORG)


def test_the_admin_keeps_a_foreign_number_typed_for_a_draft(admin_client, agency, site_tree):
    data = {
        "title": "迁移的通知", "summary": "", "body": "<p>正文</p>", "agency": agency.pk,
        "node": site_tree["policies"].pk, "topic": TopicFactory().pk, "genre": GenreFactory().pk,
        "written_on": "2019-05-01", "published_at_0": "", "published_at_1": "",
        "validity": "valid", "disclosure_mode": "active",
        "legacy_index_number": "索引号：5101230000/2019-000417",
        "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    response = admin_client.post(reverse("admin:disclosure_document_add"), data)
    assert response.status_code == 302
    assert Document.objects.get().index_number == "5101230000/2019-000417"


def test_the_migration_writes_each_existing_number_from_its_parts(agency):
    migration = importlib.import_module("disclosure.migrations.0023_index_number_text")
    # Drafts numbered from their parts alone, as every document was before the text was kept.
    small, large, unnumbered = (DocumentFactory(agency=agency) for _ in range(3))
    Document.objects.filter(pk=small.pk).update(index_code=CREDIT, index_year=2022, index_serial=1)
    Document.objects.filter(pk=large.pk).update(
        index_code=CREDIT, index_year=2023, index_serial=1234567
    )
    Document.history.filter(id=small.pk).update(index_code=CREDIT, index_year=2022, index_serial=1)
    migration.fill_index_number_text(apps, None)
    texts = dict(Document.objects.values_list("pk", "index_number_text"))
    assert texts == {
        small.pk: f"{CREDIT}/2022-00001",
        large.pk: f"{CREDIT}/2023-1234567",
        unnumbered.pk: "",
    }
    history = Document.history.filter(id=small.pk).values_list("index_number_text", flat=True)
    assert set(history) == {f"{CREDIT}/2022-00001"}  # a version's history compares texts
