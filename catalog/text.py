"""Small helpers for the text that standard directories are written in."""

import re
import unicodedata

from portal.cnnum import parse_number

LIST_SEPARATORS = re.compile(r"[、,，;；/\n\r\t]+")
WORKING_DAYS = re.compile(r"([0-9]+|[一二两三四五六七八九十百零〇]+)\s*个?\s*工作日")

# A checklist cell: ■ or √ (and their look-alikes) before a chosen entry, □ or ☐ before one
# that is not chosen, as in "■政府网站 □政府公报 ■公开查阅点".
CHOSEN_MARKS = "■√✓✔☑▣●"
UNCHOSEN_MARKS = "□☐○"
CHECKLIST_ENTRY = re.compile(
    f"([{CHOSEN_MARKS}{UNCHOSEN_MARKS}])([^{CHOSEN_MARKS}{UNCHOSEN_MARKS}]*)"
)
ENTRY_TRIM = "、,，;；:：_ \t\r\n"
SPACES = re.compile(r"\s+")
PARENTHESES = re.compile(r"\(.*?\)")
PATH_SEPARATOR = " / "


def normalise(text):
    """NFKC (full-width digits and letters to half-width) and trimmed."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


# Chinese characters and CJK punctuation: white space beside one is a line wrap or spacing, not a
# word break ("办事 指南", "综合\n业务", "公开　主体").
CJK = "\u2e80-\u2fff\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SPACE_BESIDE_CJK = re.compile(f"(?<=[{CJK}])\\s+|\\s+(?=[{CJK}])")


def joined(text):
    """A heading or name as one run: ``normalise``d, white space beside a Chinese character
    dropped, other runs of white space made one space ('办事 指南' -> '办事指南')."""
    return SPACES.sub(" ", SPACE_BESIDE_CJK.sub("", normalise(text)))


def split_list(text):
    """'政府网站、两微一端/公示栏' -> ['政府网站', '两微一端', '公示栏']."""
    return [part.strip() for part in LIST_SEPARATORS.split(text or "") if part.strip()]


def working_days_in(time_limit_text):
    """The number of working days a 公开时限 text states, or None (实时公开, 每年3月底前…).

    '20工作日', '信息形成(变更)20个工作日内', '二十个工作日' all give 20.
    """
    match = WORKING_DAYS.search(normalise(time_limit_text))
    return parse_number(match.group(1)) if match else None


def is_checklist(text):
    return any(mark in text for mark in CHOSEN_MARKS + UNCHOSEN_MARKS) and bool(
        CHECKLIST_ENTRY.search(text)
    )


def checklist_choices(text):
    """The chosen entries of a checklist cell ('■全社会 □特定群众' -> ['全社会']), or None when
    the text is not a checklist."""
    text = normalise(text)
    if not is_checklist(text):
        return None
    chosen = []
    for mark, entry in CHECKLIST_ENTRY.findall(text):
        entry = entry.strip(ENTRY_TRIM)
        if mark in CHOSEN_MARKS and entry:
            chosen.append(entry)
    return chosen


def _key(name):
    return SPACES.sub("", normalise(name))


def channel_names(standard):
    """{spelling: standard name}: each standard channel by its own spelling, without its
    parenthesised part and without its slashes ('入户现场'), longest spelling first."""
    spellings = {}
    for name in standard:
        key = _key(name)
        for spelling in (key, PARENTHESES.sub("", key), key.replace("/", "")):
            spellings.setdefault(spelling, name)
    return dict(sorted(spellings.items(), key=lambda item: -len(item[0])))


def parse_channels(text, standard):
    """The channels a 公开渠道和载体 cell names, in its order, standard ones by their standard name.

    A checklist keeps only the chosen entries; a plain list is split on 、，；/ and spaces except
    inside a standard name ('入户/现场' stays one channel). '其他：村务公开栏' keeps what follows 其他.
    """
    spellings = channel_names(standard)
    chosen = checklist_choices(text)
    if chosen is not None:
        names = []
        for entry in chosen:
            entry = SPACES.sub("", entry)
            if entry.startswith("其他"):
                entry = entry[2:].strip(ENTRY_TRIM + "()") or "其他"
            names.append(spellings.get(entry, entry))
        return list(dict.fromkeys(names))
    rest = re.sub(r"\s*([()])\s*", r"\1", normalise(text))
    found = []
    for spelling, name in spellings.items():
        for match in re.finditer(re.escape(spelling), rest):
            found.append((match.start(), name))
        # Blank out what was matched, keeping positions, so a shorter spelling cannot match inside.
        rest = re.sub(re.escape(spelling), lambda m: "、" * len(m.group()), rest)
    for match in re.finditer(r"[^、,，;；/\s]+", rest):
        found.append((match.start(), match.group()))
    return list(dict.fromkeys(name for _, name in sorted(found)))


def join_path(names):
    """A column's or topic's path as staff choose it: ["综合政务", "其他"] -> "综合政务 / 其他"."""
    return PATH_SEPARATOR.join(names)
