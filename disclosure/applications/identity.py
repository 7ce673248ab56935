"""The 居民身份证 number (GB 11643-1999): 6-digit area, 8-digit birth date, 3-digit order, and a
check character over the first 17 (weights 2^(17-i) mod 11; 10 is written X)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def resident_check_digit(first17):
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise_resident_id(value):
    return (value or "").strip().replace(" ", "").upper()


def validate_resident_id(value):
    """Raise ValidationError (Chinese) unless ``value`` is a well-formed 18-digit ID number."""
    value = normalise_resident_id(value)
    if len(value) != 18:
        raise ValidationError(
            _("居民身份证号码应为18位，当前为%(n)s位。"), code="length", params={"n": len(value)}
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(
            _("居民身份证号码前17位应为数字，最后一位为数字或X。"), code="charset"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > date.today():
        raise ValidationError(_("居民身份证号码中的出生日期（第7至14位）不正确。"), code="birth")
    expected = resident_check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("居民身份证号码校验位错误：请核对号码（第18位与前17位不符）。"), code="check_digit"
        )
    return value
