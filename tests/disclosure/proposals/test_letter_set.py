"""Every test letter in letters/ (one per real layout, in our own words) is read field by field
as its .json says; the seed letter reads exactly as it always has."""

import json

import pytest
from django.conf import settings as django_settings

from disclosure.proposals.letters import FIELDS, parse_reply_letter
from tests.disclosure.proposals.letter_set import (
    FOLDER,
    OUTCOMES,
    accuracy,
    accuracy_table,
    field_outcomes,
    letters,
)

LETTERS = list(letters())
SEED = django_settings.BASE_DIR / "tests/disclosure/proposals/seed_letter.txt"


def test_the_set_covers_at_least_fifteen_letters_in_ten_real_shapes():
    shapes = {json.loads(p.read_text(encoding="utf-8"))["shape"] for p in FOLDER.glob("*.json")}
    assert len(LETTERS) >= 15 and len(shapes) >= 10
    for _name, _text, spec in LETTERS:
        assert set(spec["expected"]) == set(FIELDS) - {"body"}


@pytest.mark.parametrize("name, text, spec", LETTERS, ids=[name for name, _, _ in LETTERS])
def test_each_letter_reads_every_field_it_states_and_invents_none(name, text, spec):
    parsed = parse_reply_letter(text)
    outcomes = field_outcomes(parsed, spec)
    wrong = {
        field: (spec["expected"].get(field), parsed.values.get(field))
        for field, outcome in outcomes.items()
        if outcome != "right"
    }
    assert wrong == {}
    assert sorted(parsed.notes) == sorted(spec.get("notes", []))


def test_the_accuracy_table_counts_every_field_of_every_letter(capsys):
    table = accuracy(parse_reply_letter)
    assert set(table) == set(FIELDS)
    assert all(sum(counts[o] for o in OUTCOMES) == len(LETTERS) for counts in table.values())
    with capsys.disabled():
        print("\n" + "\n".join(accuracy_table(parse_reply_letter)))


def test_the_seed_letter_reads_as_it_always_has():
    expected = json.loads((FOLDER.parent / "seed_letter_expected.json").read_text(encoding="utf-8"))
    parsed = parse_reply_letter(SEED.read_text(encoding="utf-8"))
    values = {**parsed.values, "letter_date": parsed.values["letter_date"].isoformat()}
    assert values == expected
    assert parsed.notes == {} and parsed.missing == ["category", "doc_number"]


DOCX_LETTERS = [
    "01_cppcc_category_number_signer_one_line",
    "09_cppcc_red_head_brackets_kind_not_category",
]


@pytest.mark.parametrize("name", DOCX_LETTERS)
@pytest.mark.parametrize("head_in_table", [False, True], ids=["paragraphs", "head in a table"])
def test_a_letter_as_a_word_file_reads_as_its_text_does(name, head_in_table):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from disclosure.proposals.letter_files import read_letter_file
    from tests.disclosure.proposals.letter_documents import letter_docx

    _name, text, spec = next(letter for letter in LETTERS if letter[0] == name)
    upload = SimpleUploadedFile(f"{name}.docx", letter_docx(text, head_in_table))
    parsed = parse_reply_letter(read_letter_file(upload))
    assert {f: o for f, o in field_outcomes(parsed, spec).items() if o != "right"} == {}
