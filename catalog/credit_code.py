"""统一社会信用代码 (unified social credit code), GB 32100-2015."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 31 characters of the code; I, O, Z, S, V are never used.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17):
    """The 18th character that GB 32100-2015 prescribes for the first 17."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code):
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(ch not in ALPHABET for ch in code):
        return False
    return check_character(code[:17]) == code[17]


def validate_credit_code(value):
    if not isinstance(value, str) or len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)s位。"),
            code="length",
            params={"n": len(value or "")},
        )
    bad = [ch for ch in value if ch not in ALPHABET]
    if bad:
        raise ValidationError(
            _(
                "统一社会信用代码含有不允许的字符：%(chars)s（只能使用数字和除I、O、Z、S、V以外的大写字母）。"
            ),
            code="charset",
            params={"chars": "".join(dict.fromkeys(bad))},
        )
    expected = check_character(value[:17])
    if expected != value[17]:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第18位应为 %(expected)s。请核对后重新输入。"),
            code="check_digit",
            params={"expected": expected},
        )
