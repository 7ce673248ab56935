"""Control characters and non-characters: refused in the text fields of the project's models,
and stripped from everything the portal writes as XML (feeds, .docx, .xlsx), since XML 1.0
cannot carry some of them and one of them would break the whole file."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# C0 controls other than tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Unicode's non-characters (U+FDD0–U+FDEF and the last two code points of every plane) and lone
# surrogates: no text means them; U+FFFE, U+FFFF and surrogates cannot be written as XML.
NONCHARACTERS = re.compile(
    "[\ufdd0-\ufdef\ud800-\udfff"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)
# Everything XML 1.0 cannot carry: those controls, lone surrogates and U+FFFE/U+FFFF.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_control_character(text):
    """Whether ``text`` holds a control character other than tab and line breaks."""
    return bool(CONTROL_CHARACTERS.search(text or ""))


def refused_character(text):
    """The first character of ``text`` a text field refuses (a control character other than
    tab and line breaks, a non-character, a lone surrogate) as ``U+XXXX``, or None."""
    match = CONTROL_CHARACTERS.search(text or "") or NONCHARACTERS.search(text or "")
    return f"U+{ord(match.group()):04X}" if match else None


def refuse_control_characters(value):
    """A validator: text may hold tabs and line breaks, but no other control character, and no
    non-character or lone surrogate."""
    text = str(value)
    match = CONTROL_CHARACTERS.search(text)
    if match:
        raise ValidationError(
            _("不能包含不可见的控制字符（%(code)s），请删除后再保存。"),
            code="control_character",
            params={"code": f"U+{ord(match.group()):04X}"},
        )
    match = NONCHARACTERS.search(text)
    if match:
        raise ValidationError(
            _("不能包含无效的字符（%(code)s，Unicode 非字符），请删除后再保存。"),
            code="noncharacter",
            params={"code": f"U+{ord(match.group()):04X}"},
        )


def strip_for_xml(text):
    """``text`` without the characters XML 1.0 cannot carry: the one filter every writer of
    XML (feeds, .docx, .xlsx) passes text through."""
    return NOT_IN_XML.sub("", text)


def refuse_control_characters_in(app_config):
    """Give every CharField and TextField of the app's models the control-character validator.

    It is appended to each field's computed ``validators``, not to ``_validators`` (which
    ``deconstruct()`` reads): model validation, and so every admin form, runs it, while the
    migrations stay as they are.
    """
    for model in app_config.get_models(include_auto_created=True):
        for field in model._meta.fields:
            if isinstance(field, (models.CharField, models.TextField)):
                if refuse_control_characters not in field.validators:
                    field.validators.append(refuse_control_characters)
