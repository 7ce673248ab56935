"""索引号: the only place that builds or reads one.

The portal numbers new documents in one of three schemes, chosen per agency
(``Agency.IndexScheme``): ``{统一社会信用代码}/{year}-{serial:05d}`` (the default),
``{组织机构代码}/{year}-{serial:05d}`` and ``{组织机构代码}-{year}-{serial:05d}``.
A document migrated from another site keeps the number that site showed, whatever its shape
(``read_index_number``): 10-digit region codes, segmented codes, short prefixes, long runs of
digits. What every page shows is the stored text; the parts (code, year, serial) are kept beside
it only when the number is in one of the portal's own shapes, so the counter skips it.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.credit_code import is_valid_credit_code
from catalog.models import Agency
from catalog.org_code import is_valid_org_code

Scheme = Agency.IndexScheme
MAX_LENGTH = 64

# ASCII digits only, and at most nine of them: a serial must fit the database's integer column.
OWN_NUMBER = re.compile(
    r"^(?:(?P<credit>[0-9A-Z]{18})/|(?P<org>[0-9A-Z]{8}[0-9X])(?P<sep>[/-]))"
    r"(?P<year>[0-9]{4})-(?P<serial>[0-9]{5,9})$"
)
# A number kept from another site: groups of ASCII letters and digits joined by one of / - _ .
KEPT_NUMBER = re.compile(r"^[0-9A-Za-z]+(?:[/\-_.][0-9A-Za-z]+)*$")
# The portal's shapes read loosely (any serial length, either separator), to find the parts a
# kept number holds in an agency's own numbering.
PARTS = re.compile(
    r"^(?P<code>[0-9A-Z]{18}|[0-9A-Z]{8}[0-9X])[/-](?P<year>[0-9]{4})-(?P<serial>[0-9]{1,9})$"
)
LABEL = re.compile(r"^(?:信息)?(?:索\s*引\s*号|索\s*取\s*号)\s*[:：]?\s*")
# Fewer letters and digits than this name no office: "2022-225" is a year and a serial only.
MIN_CHARACTERS = 9


def format_index_number(code, year, serial, scheme=Scheme.CREDIT_CODE):
    """The number the portal gives in ``scheme``; "" until the parts are known."""
    if not (code and year and serial):
        return ""
    separator = "-" if scheme == Scheme.ORG_CODE_DASH else "/"
    return f"{code}{separator}{year}-{serial:05d}"


def tidy(text):
    """``text`` as it is kept: without a pasted 索引号： label, surrounding spaces, or the
    full-width letters, digits and signs a Chinese input method types (read as half-width)."""
    value = "".join(
        unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" else ch
        for ch in (text or "")
    )
    return LABEL.sub("", value.strip().replace("\u3000", " ")).strip()


def _format_error(text, reason):
    return ValidationError(
        _("索引号“%(value)s”格式不正确：%(reason)s"),
        code="format",
        params={"value": text, "reason": reason},
    )


def parse_index_number(text):
    """(code, year, serial) of a number in one of the portal's own schemes; ValidationError in
    Chinese when it is in none of them or its code fails its check character."""
    value = tidy(text).upper()
    match = OWN_NUMBER.match(value)
    if not match:
        raise _format_error(
            text,
            _(
                "应为“统一社会信用代码/年份-五位序号”（如 115002240093343308/2022-00225）"
                "或“组织机构代码/年份-五位序号”“组织机构代码-年份-五位序号”。"
            ),
        )
    code = match["credit"] or match["org"]
    if match["credit"] and not is_valid_credit_code(code):
        raise ValidationError(
            _("索引号中的统一社会信用代码 %(code)s 校验不通过。"),
            code="credit_code",
            params={"code": code},
        )
    if match["org"] and not is_valid_org_code(code):
        raise ValidationError(
            _("索引号中的组织机构代码 %(code)s 校验不通过。"),
            code="org_code",
            params={"code": code},
        )
    year, serial = int(match["year"]), int(match["serial"])
    if not 1990 <= year <= 2100 or serial == 0:
        raise ValidationError(
            _("索引号中的年份或序号不合理：%(value)s。"), code="range", params={"value": text}
        )
    return code, year, serial


@dataclass(frozen=True)
class IndexNumber:
    """A number as a document keeps it: ``text`` verbatim; ``code``, ``year`` and ``serial``
    when it is written as code, year and serial the way the portal writes its own."""

    text: str
    code: str | None = None
    year: int | None = None
    serial: int | None = None

    @property
    def parts(self):
        return (self.code, self.year, self.serial) if self.code else None


def read_index_number(text):
    """The IndexNumber of a number another site showed; ValidationError (Chinese) when it cannot
    be one: empty, too long, too short to name an office, or holding other characters."""
    value = tidy(text)
    if not value:
        raise ValidationError(_("索引号不能为空。"), code="required")
    if len(value) > MAX_LENGTH:
        raise _format_error(text, _("超过 %(n)s 个字符。") % {"n": MAX_LENGTH})
    if not KEPT_NUMBER.match(value):
        bad = [ch for ch in value if not (ch.isascii() and ch.isalnum()) and ch not in "/-_."]
        if bad:
            reason = _("只能由字母、数字和分隔符 / - _ . 组成，不能含有“%(chars)s”。") % {
                "chars": "".join(dict.fromkeys(bad)).replace(" ", _("空格"))
            }
        else:
            reason = _("分隔符 / - _ . 只能写在字母或数字之间，且不能相连。")
        raise _format_error(text, reason)
    if sum(ch.isalnum() for ch in value) < MIN_CHARACTERS or not any(ch.isdigit() for ch in value):
        raise _format_error(text, _("太短，缺少机构代码或序号。"))
    match = PARTS.match(value.upper())
    if match:
        year, serial = int(match["year"]), int(match["serial"])
        if 1990 <= year <= 2100 and serial:
            return IndexNumber(value, match["code"], year, serial)
    return IndexNumber(value)
