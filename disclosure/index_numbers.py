"""索引号: ``{agency credit code}/{year}-{serial:05d}``. The only place that builds or reads one."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.credit_code import is_valid_credit_code

# ASCII digits only, and at most nine of them: a serial must fit the database's integer column.
INDEX_NUMBER = re.compile(r"^(?P<code>[0-9A-Z]{18})/(?P<year>[0-9]{4})-(?P<serial>[0-9]{5,9})$")


def format_index_number(code, year, serial):
    if not (code and year and serial):
        return ""
    return f"{code}/{year}-{serial:05d}"


def parse_index_number(text):
    """(code, year, serial) of an index number; ValidationError in Chinese when malformed."""
    # Full-width digits, letters and slashes typed in a Chinese input method count as half-width.
    value = unicodedata.normalize("NFKC", text or "").strip().upper()
    match = INDEX_NUMBER.match(value)
    if not match:
        raise ValidationError(
            _(
                "索引号“%(value)s”格式不正确，应为“统一社会信用代码/年份-五位序号”，如 115002240093343308/2022-00225。"
            ),
            code="format",
            params={"value": text},
        )
    code, year, serial = match["code"], int(match["year"]), int(match["serial"])
    if not is_valid_credit_code(code):
        raise ValidationError(
            _("索引号中的统一社会信用代码 %(code)s 校验不通过。"),
            code="credit_code",
            params={"code": code},
        )
    if not 1990 <= year <= 2100 or serial == 0:
        raise ValidationError(
            _("索引号中的年份或序号不合理：%(value)s。"), code="range", params={"value": text}
        )
    return code, year, serial
