"""Small helpers for the text that standard directories are written in."""

import re
import unicodedata

LIST_SEPARATORS = re.compile(r"[、,，;；/\n\r\t]+")
WORKING_DAYS = re.compile(r"(\d+)\s*个?\s*工作日")
PATH_SEPARATOR = " / "


def normalise(text):
    """NFKC (full-width digits and letters to half-width) and trimmed."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


def split_list(text):
    """'政府网站、两微一端/公示栏' -> ['政府网站', '两微一端', '公示栏']."""
    return [part.strip() for part in LIST_SEPARATORS.split(text or "") if part.strip()]


def working_days_in(time_limit_text):
    """The number of working days a 公开时限 text states, or None (实时公开, 每年3月底前…)."""
    match = WORKING_DAYS.search(normalise(time_limit_text))
    return int(match.group(1)) if match else None


def join_path(names):
    """A column's or topic's path as staff choose it: ["综合政务", "其他"] -> "综合政务 / 其他"."""
    return PATH_SEPARATOR.join(names)
