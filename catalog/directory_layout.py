"""The header of a 基层政务公开标准目录 table: where it starts, how many rows it spans, and what
each column of the file holds.

Offices publish the national template with its header over two rows (or three): 公开事项 over
一级事项 | 二级事项 | 三级事项…, 公开对象 over 全社会 | 特定群众, 公开方式 over 主动 | 依申请, 公开层级
over 县级 | 乡级, and 公开内容, 公开依据, 公开时限, 公开主体, 公开渠道和载体 merged down every header
row (blank below in a CSV, repeated in an XLSX whose merged cells are filled). A column's heading
is the labels of its header rows, an upper label carried over the blanks to its right where a row
below names sub-columns. Every column is reported: what it maps to, or that it maps to nothing.
"""

import re
from dataclasses import dataclass, field

from portal.cnnum import parse_number

from .models import CatalogNode
from .text import joined, normalise

HEADER_SCAN_ROWS = 20  # title rows above the table ("××县××领域基层政务公开标准目录")
MAX_HEADER_ROWS = 3
MAX_LEVELS = 8  # 一级事项 … 八级事项: a directory deeper than this is refused
MAX_SUB_LABEL_CHARS = 20
SHOWN_CHARS = 40  # of a heading or a cell quoted in a message: a hostile header stays small

FIELD_WORDS = [
    # (field, words a heading may contain), most specific first.
    ("seq", ["序号"]),
    ("content", ["公开内容"]),
    ("basis", ["公开依据"]),
    ("time_limit", ["公开时限"]),
    ("subject", ["公开主体", "责任单位", "责任主体"]),
    ("channels", ["公开渠道", "公开载体", "公开形式", "公布方式", "公开途径"]),
    ("audience", ["公开对象", "公开范围"]),
    ("mode", ["公开方式"]),
    ("levels", ["公开层级"]),
]
FIELD_TARGETS = {
    "seq": "序号（归并同组的一级事项）",
    "content": "公开内容（要素）",
    "basis": "公开依据",
    "time_limit": "公开时限（原文，及其中的工作日数）",
    "subject": "公开主体",
    "channels": "公开渠道和载体",
    "audience": "公开对象",
    "mode": "公开方式",
    "levels": "公开层级",
}
OPTION_FIELDS = ("audience", "mode", "levels")
FIELD_LABELS = {"audience": "公开对象", "mode": "公开方式", "levels": "公开层级"}
NUMERALS = "一二三四五六七八九十"
LEVEL_HEADING = re.compile(rf"^第?([{NUMERALS}]+|[0-9]+)级(?:事项|目录|栏目|类别|分类)?(?:名称)?$")
CATEGORY_HEADINGS = {"类别", "目录类别", "事项类别", "信息类别"}  # a first level by another name
ITEM_NAMES = {"事项名称", "目录名称", "栏目名称", "公开事项名称"}
PARENTHESES = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")

# Values a cell may hold, and the option columns a spreadsheet may tick instead. Directories
# name 公开层级 after the place (县级, 乡、村级, 镇级…): a village's items are disclosed at the
# township level, the lowest the catalogue records.
OPTION_VALUES = {
    "audience": {
        "全社会": CatalogNode.Audience.PUBLIC,
        "社会公众": CatalogNode.Audience.PUBLIC,
        "特定群众": CatalogNode.Audience.SPECIFIC,
        "特定群体": CatalogNode.Audience.SPECIFIC,
        "特定主体": CatalogNode.Audience.SPECIFIC,
        "特定对象": CatalogNode.Audience.SPECIFIC,
    },
    "mode": {
        "主动": CatalogNode.Mode.ACTIVE,
        "主动公开": CatalogNode.Mode.ACTIVE,
        "依申请": CatalogNode.Mode.ON_REQUEST,
        "依申请公开": CatalogNode.Mode.ON_REQUEST,
    },
    "levels": {
        **dict.fromkeys(
            ["县级", "县", "区级", "区县级", "县区级", "县(区)级", "县(市、区)级", "县(市区)级"],
            "county",
        ),
        **dict.fromkeys(
            ["乡级", "乡", "乡镇级", "镇级", "镇", "街道级", "镇街级", "乡镇(街道)"]
            + ["乡镇(街道)级", "乡、村级", "乡村级", "乡(镇)、村级", "镇、村级", "乡镇、村级"]
            + ["村级", "村", "村(社区)级", "村(居)级", "社区级"],
            "township",
        ),
    },
}
TICKS = {"√", "✓", "✔", "☑", "■", "●", "是", "Y", "y", "V", "v", "1"}
UNTICKED = {"", "×", "✗", "否", "-", "—", "N", "n", "0", "□", "☐"}


def shortened(text, limit=SHOWN_CHARS):
    """``text`` cut to ``limit`` characters for a message, marked where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def option_value(field_name, text):
    """The stored value an option label or cell value means, or None."""
    return OPTION_VALUES[field_name].get(re.sub(r"\s+", "", normalise(text)))


def option_of(label):
    """(field, value) when a heading names one option column (全社会, 主动, 县级…)."""
    for field_name in OPTION_FIELDS:
        value = option_value(field_name, label)
        if value is not None:
            return field_name, value
    return None


def heading(cell):
    """A header cell as one run of text: broken lines and spaces inside it gone."""
    return re.sub(r"\s+", "", joined(cell))


def heading_key(label):
    """What one header label names: ("level", depth) for 一级事项, 二级事项…,
    ("item",) for a column of 事项, (field,) for an attribute, or None."""
    text = PARENTHESES.sub("", heading(label))
    if not text:
        return None
    match = LEVEL_HEADING.match(text)
    if match:
        return ("level", parse_number(match.group(1)))
    if text in CATEGORY_HEADINGS:
        return ("level", 1)
    for name, words in FIELD_WORDS:
        if any(word in text for word in words):
            return (name,)
    if text.endswith("事项") or text in ITEM_NAMES:
        return ("item",)
    return None


@dataclass
class Column:
    """One column of the file's header: its heading and what the import makes of it."""

    index: int  # 0-based
    heading: str  # the labels of its header rows, "公开事项 / 一级事项"
    kind: str = ""  # "level", "field", "option", "" (maps to nothing)
    field: str = ""  # for "field" and "option"
    depth: int | None = None  # for "level": its number (一级 = 1) when the heading gives one
    lone: bool = False  # for "level": a lone 公开事项 or 事项名称 column, the deepest level
    value: str | None = None  # for "option": the stored value, None when it cannot be mapped
    label: str = ""  # for "option": the sub-heading (全社会); for "level": its own label
    target: str = ""  # what it maps to, in words for the preview
    reason: str = ""  # why it maps to nothing

    @property
    def letter(self):
        """The spreadsheet's name of the column (A, B, … AA)."""
        number, name = self.index + 1, ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        return name

    @property
    def mapped(self):
        return bool(self.kind)


@dataclass
class Layout:
    columns: dict  # field -> column index of a column holding values
    levels: list  # column indices of the 事项 levels, top first
    options: dict  # field -> [(column index, value or None, label)]; None: cannot be mapped
    first_data_row: int  # 0-based
    header_rows: list = field(default_factory=list)  # 0-based
    headings: list = field(default_factory=list)  # [Column], every column of the header

    @property
    def width(self):
        """The number of columns up to the last one the header names."""
        return max((c.index for c in self.headings if c.heading), default=0) + 1

    @property
    def level_labels(self):
        by_index = {c.index: c for c in self.headings}
        return [by_index[col].label for col in self.levels]

    @property
    def recognised(self):
        return [c for c in self.headings if c.mapped]

    @property
    def ignored(self):
        return [c for c in self.headings if not c.mapped and c.heading]


class NoHeader(Exception):
    """No row of the first HEADER_SCAN_ROWS reads as a directory's header."""


class TooManyLevels(Exception):
    def __init__(self, count):
        self.count = count
        super().__init__(count)


def cell_at(row, col):
    return row[col] if col < len(row) else ""


def looks_like_header(row):
    """Whether a row names at least three different columns (or two levels of 事项)."""
    keys = {key for key in map(heading_key, row) if key}
    return len(keys) >= 3 or sum(key[0] in ("level", "item") for key in keys) >= 2


def spans(row, width):
    """{column: column of the label it falls under} for a header row: a label spans the blank
    cells (CSV) or equal cells (merged XLSX) to its right."""
    under, owner = {}, None
    for col in range(width):
        text = heading(cell_at(row, col))
        if text and (owner is None or text != heading(cell_at(row, owner))):
            owner = col
        if owner is not None:
            under[col] = owner
    return under


def is_sub_header(row, upper, width):
    """Whether ``row`` continues the header row ``upper``: every cell it holds repeats the cell
    above (merged down), names a heading (一级事项, 全社会, 县级…) or is a short label under a
    label spanning several columns; no tick marks, no data."""
    owners = spans(upper, width)
    span_sizes = {}
    for owner in owners.values():
        span_sizes[owner] = span_sizes.get(owner, 0) + 1
    seen = False
    for col in range(width):
        text = heading(cell_at(row, col))
        if not text:
            continue
        seen = True
        if text == heading(cell_at(upper, col)):
            continue
        if text in TICKS or text in UNTICKED:
            return False
        if heading_key(text) or option_of(text):
            continue
        owner = owners.get(col)
        if owner is not None and span_sizes[owner] > 1 and len(text) <= MAX_SUB_LABEL_CHARS:
            continue
        return False
    return seen


def column_parts(header, col, width):
    """The labels of one column over the header rows, top first, an upper label carried over
    the blanks of its span where a lower row labels the column."""
    parts = []
    for depth, row in enumerate(header):
        text = heading(cell_at(row, col))
        below = any(heading(cell_at(lower, col)) for lower in header[depth + 1 :])
        if not text and below:
            owner = spans(row, width).get(col)
            text = heading(cell_at(row, owner)) if owner is not None else ""
        if text and (not parts or parts[-1] != text):
            parts.append(text)
    return parts


def classify(col, parts):
    """The Column for one column's labels."""
    column = Column(col, shortened(" / ".join(parts), 2 * SHOWN_CHARS))
    if not parts:
        return column
    label = shortened(parts[-1])
    top, last = heading_key(parts[0]), heading_key(parts[-1])
    if last and last[0] == "level":
        column.kind, column.depth, column.label = "level", last[1], label
    elif last and last[0] not in ("item", "level"):
        column.kind, column.field = "field", last[0]
    elif len(parts) > 1 and top and top[0] in OPTION_FIELDS:
        column.kind, column.field, column.label = "option", top[0], label
        column.value = option_value(top[0], parts[-1])
    elif len(parts) > 1 and top == ("item",):
        column.kind, column.label = "level", label
    elif option_of(parts[-1]):
        column.kind, column.label = "option", label
        column.field, column.value = option_of(parts[-1])
    elif last == ("item",):
        column.kind, column.lone, column.label = "level", True, label
    return column


def find_layout(rows):
    """The Layout of a directory's rows. Raises NoHeader or TooManyLevels."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if not looks_like_header(row):
            continue
        header = [row]
        while len(header) < MAX_HEADER_ROWS and index + len(header) < len(rows):
            below = rows[index + len(header)]
            width = max(len(below), *(len(r) for r in header))
            if not is_sub_header(below, header[-1], width):
                break
            header.append(below)
        layout = layout_of(header, index)
        if layout.levels:
            return layout
    raise NoHeader


def layout_of(header, index):
    width = max(len(r) for r in header)
    headings = [classify(col, column_parts(header, col, width)) for col in range(width)]
    levels = place_levels(headings)
    columns, options = {}, {}
    for column in headings:
        if column.kind == "field":
            if column.field in columns:
                column.kind, column.reason = "", f"与{headings[columns[column.field]].letter}列重复"
                continue
            columns[column.field] = column.index
            column.target = FIELD_TARGETS[column.field]
        elif column.kind == "option":
            options.setdefault(column.field, []).append((column.index, column.value, column.label))
            meaning = FIELD_LABELS[column.field]
            column.target = (
                f"{meaning}：勾选即为“{column.label}”"
                if column.value is not None
                else f"{meaning}：“{column.label}”无法对应，勾选时报错"
            )
    for column in headings:
        if column.heading and not column.kind and not column.reason:
            column.reason = "不是标准目录的栏目"
    return Layout(
        columns,
        levels,
        options,
        index + len(header),
        list(range(index, index + len(header))),
        headings,
    )


def place_levels(headings):
    """The 事项 columns in level order: numbered levels by number, unnumbered ones under
    公开事项 in column order, a lone 公开事项 or 事项名称 column last; a level named twice, or
    past MAX_LEVELS, is refused or reported."""
    candidates = [c for c in headings if c.kind == "level"]
    if any(c.depth and c.depth >= 2 for c in candidates):
        for column in candidates:
            if column.lone:  # 事项名称 beside 一级事项 … 二级事项: the levels say it all
                mark_ignored(column, "已有各级事项列")
        candidates = [c for c in candidates if c.kind == "level"]
    order = sorted(candidates, key=lambda c: (c.lone, c.depth is None, c.depth or 0, c.index))
    levels, depths = [], set()
    for column in order:
        if column.depth and column.depth in depths:
            mark_ignored(column, "与同一级事项列重复")
            continue
        depths.add(column.depth)
        levels.append(column)
    if len(levels) > MAX_LEVELS:
        raise TooManyLevels(len(levels))
    for number, column in enumerate(levels, start=1):
        column.target = f"第{number}级栏目（名称）"
    return [c.index for c in levels]


def mark_ignored(column, reason):
    column.kind, column.target, column.reason = "", "", reason
