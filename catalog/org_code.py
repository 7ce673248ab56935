"""组织机构代码 (organisation code), GB 11714-1997: eight characters and a check character."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
BODY_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def check_character(first8):
    """The ninth character GB 11714 prescribes for the first eight: a digit, or X for ten."""
    # Letters count as 10 (A) to 35 (Z), as in the standard's character set.
    total = sum(BODY_CHARACTERS.index(ch) * w for ch, w in zip(first8, WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def is_valid_org_code(code):
    if not isinstance(code, str) or len(code) != 9:
        return False
    if any(ch not in BODY_CHARACTERS for ch in code[:8]):
        return False
    return check_character(code[:8]) == code[8]


def validate_org_code(value):
    if not isinstance(value, str) or len(value) != 9:
        raise ValidationError(
            _("组织机构代码应为9位（8位本体代码和1位校验码，不含连字符），当前为%(n)s位。"),
            code="length",
            params={"n": len(value or "")},
        )
    bad = [ch for ch in value[:8] if ch not in BODY_CHARACTERS]
    if bad or value[8] not in "0123456789X":
        raise ValidationError(
            _("组织机构代码只能由数字和大写字母组成，第9位为数字或 X。"), code="charset"
        )
    expected = check_character(value[:8])
    if expected != value[8]:
        raise ValidationError(
            _("组织机构代码校验码错误：第9位应为 %(expected)s。请核对后重新输入。"),
            code="check_digit",
            params={"expected": expected},
        )
