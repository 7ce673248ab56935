import pytest
from django.core.exceptions import ValidationError

from catalog.credit_code import is_valid_credit_code, validate_credit_code
from catalog.models import Agency


@pytest.mark.parametrize(
    "code",
    [
        "115002240093343308",  # 铜梁区人民政府, from the seed page's 索引号
        "91350100M000100Y43",  # the standard's own example
        "11500224MB1520716K",
    ],
)
def test_valid_credit_codes_pass(code):
    assert is_valid_credit_code(code)
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code, reason",
    [
        ("115002240093343309", "check_digit"),  # last character changed
        ("115002240093343380", "check_digit"),  # two characters swapped
        ("11500224009334330", "length"),
        ("1150022400933433080", "length"),
        ("11500224009334330I", "charset"),  # I is not in the alphabet
        ("11500224mb1520716k", "charset"),  # lower case
        ("", "length"),
    ],
)
def test_invalid_credit_codes_are_refused_with_a_reason(code, reason):
    assert not is_valid_credit_code(code)
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert excinfo.value.code == reason


def test_check_digit_error_names_the_expected_character():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("115002240093343309")
    assert "8" in excinfo.value.messages[0]


@pytest.mark.django_db
def test_agency_with_invalid_code_fails_full_clean():
    agency = Agency(name="某局", credit_code="115002240093343309")
    with pytest.raises(ValidationError) as excinfo:
        agency.full_clean()
    assert "credit_code" in excinfo.value.message_dict
