"""Where long codes may wrap: an 索引号 such as 115002240093343308/2022-00225 wraps after its
separators, never inside a run of digits."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

SEPARATOR = re.compile(r"([/\-－—_.])")


@register.filter
def break_at_separators(value):
    """``value`` escaped, with a line-break opportunity (<wbr>) after each separator; the
    element showing it keeps its runs of digits whole (CSS ``.code-text``)."""
    text = SEPARATOR.sub(r"\1<wbr>", escape("" if value is None else str(value)))
    return mark_safe(f'<span class="code-text">{text}</span>')  # noqa: S308 - escaped; <wbr> added
