"""Import a 基层政务公开标准目录 spreadsheet (CSV or XLSX) into the catalogue tree.

一级事项 and 二级事项 become two levels of nodes under a given node path. The whole file is
validated before anything is written; then new nodes are bulk-inserted and the tree is rebuilt
once, under the tree lock, in one transaction.
"""

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat

from portal import audit, page_cache
from portal.actors import SYSTEM
from portal.control_characters import refused_character
from portal.models import AuditEvent
from portal.office_files import ArchiveLimits, OfficeFileRefused
from portal.spreadsheets import DamagedFile, NoWorksheet, SheetLimits, read_first_sheet

from . import services
from .models import CatalogNode
from .scoping import agency_scope
from .text import checklist_choices, normalise, parse_channels, split_list, working_days_in
from .tree import TreeChangeRefused, tree_write_lock

HEADER_KEYS = [
    # (field, words a header cell may contain), most specific first.
    ("seq", ["序号"]),
    ("first", ["一级事项"]),
    ("second", ["二级事项"]),
    ("item", ["公开事项", "事项名称"]),  # one column of 事项 instead of 一级 + 二级
    ("content", ["公开内容"]),
    ("basis", ["公开依据"]),
    ("time_limit", ["公开时限"]),
    ("subject", ["公开主体"]),
    ("channels", ["公开渠道", "公开载体"]),
    ("audience", ["公开对象"]),
    ("mode", ["公开方式"]),
    ("levels", ["公开层级"]),
]
OPTION_FIELDS = ("audience", "mode", "levels")

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
        "县级": "county",
        "县": "county",
        "区级": "county",
        "区县级": "county",
        "县区级": "county",
        "县(区)级": "county",
        "县(市、区)级": "county",
        "县(市区)级": "county",
        "乡级": "township",
        "乡": "township",
        "乡镇级": "township",
        "镇级": "township",
        "镇": "township",
        "街道级": "township",
        "镇街级": "township",
        "乡镇(街道)": "township",
        "乡镇(街道)级": "township",
        "乡、村级": "township",
        "乡村级": "township",
        "乡(镇)、村级": "township",
        "镇、村级": "township",
        "乡镇、村级": "township",
        "村级": "township",
        "村": "township",
        "村(社区)级": "township",
        "村(居)级": "township",
        "社区级": "township",
    },
}
OPTION_LABELS = {
    "audience": "全社会、特定群众",
    "mode": "主动、依申请",
    "levels": "县级、乡级（含乡、村级，镇级，村级）",
}
FIELD_LABELS = {"audience": "公开对象", "mode": "公开方式", "levels": "公开层级"}
TICKS = {"√", "✓", "✔", "☑", "■", "●", "是", "Y", "y", "V", "v", "1"}
UNTICKED = {"", "×", "✗", "否", "-", "—", "N", "n", "0", "□", "☐"}
SAME_AS_ABOVE = {"同上", "同上。", "同上行"}
PARENTHESES = re.compile(r"\(.*?\)|（.*?）|\[.*?\]|【.*?】")
SPACES = re.compile(r"\s+")


class DirectoryImportError(Exception):
    """The file cannot be imported; ``errors`` lists (row number, message)."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(
            "\n".join(f"第{row}行：{message}" if row else message for row, message in errors)
        )


@dataclass
class DirectoryItem:
    row_number: int
    first: str
    second: str
    content: str = ""
    basis: str = ""
    time_limit_text: str = ""
    subject: str = ""
    channels: list = field(default_factory=list)
    audience: str = ""
    mode: str = ""
    level_county: bool = False
    level_township: bool = False

    def node_values(self):
        return {
            "content": self.content,
            "basis": self.basis,
            "time_limit_text": self.time_limit_text,
            "time_limit_days": working_days_in(self.time_limit_text),
            "subject": self.subject,
            "channels": self.channels,
            "audience": self.audience,
            "mode": self.mode,
            "level_county": self.level_county,
            "level_township": self.level_township,
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self):
        return self.created + self.updated


# --- reading -------------------------------------------------------------------------------

# What a directory can be: a district's 基层政务公开标准目录 has a few thousand items at most, in
# about a dozen columns. A file beyond these limits is refused before its rows are read.
MAX_BYTES = 5 * 1024 * 1024  # the file as uploaded or given to the command
MAX_ROWS = 5000  # rows of the sheet or the CSV, header rows included
MAX_COLUMNS = 100
MAX_CELL_CHARS = 10_000
# An .xlsx: its parts, what they inflate to, and how far one part may be compressed (a
# directory's XML compresses about 10:1; a zip bomb 1000:1).
DIRECTORY_ARCHIVE = ArchiveLimits(
    max_bytes=MAX_BYTES, max_members=200, max_uncompressed=20 * 1024 * 1024, max_ratio=100
)
DIRECTORY_SHEET = SheetLimits(
    max_rows=MAX_ROWS, max_columns=MAX_COLUMNS, max_merges=2 * MAX_ROWS, label="标准目录"
)


def read_table(path):
    """Rows of cell strings from a .csv (UTF-8, UTF-8 with BOM or GB18030) or .xlsx file.

    Merged cells in an XLSX take the value of their top-left cell, as a reader sees them. A
    file that cannot be read as its type, or is larger than a directory can be (MAX_BYTES,
    MAX_ROWS, MAX_CELL_CHARS, DIRECTORY_ARCHIVE, DIRECTORY_SHEET), raises DirectoryImportError,
    never another error; nothing past a limit is read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DirectoryImportError(
            [(0, f"不支持的文件类型“{path.suffix}”：请使用 .csv 或 .xlsx。")]
        )
    size = path.stat().st_size
    if size == 0:
        raise DirectoryImportError([(0, "文件是空的。")])
    if size > MAX_BYTES:
        limit = filesizeformat(MAX_BYTES)
        problem = f"文件过大（{filesizeformat(size)}）：标准目录文件不能超过 {limit}。"
        raise DirectoryImportError([(0, problem)])
    if suffix == ".csv":
        return read_csv(path.read_bytes())
    return read_xlsx(path)


def read_csv(raw):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DirectoryImportError(
            [(0, "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV。")]
        )
    # newline="" lets the csv module see every line ending (\r\n, \n, a lone \r).
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return bounded(reader)
    except csv.Error as exc:
        raise DirectoryImportError([(reader.line_num, f"CSV 格式有误，无法读取（{exc}）。")])


def read_xlsx(path):
    """Rows of the first worksheet, read in bounded memory; chartsheets before it are passed
    over."""
    try:
        sheet = read_first_sheet(path, DIRECTORY_ARCHIVE, DIRECTORY_SHEET)
    except NoWorksheet:
        raise DirectoryImportError([(0, "工作簿中只有图表，没有可以导入的工作表。")])
    except DamagedFile as exc:
        problem = f"文件已损坏，或含有 Excel 不允许的字符（如 NUL）（{exc.detail}）"
        raise DirectoryImportError([(0, f"无法读取 Excel 文件：{problem}。{SAVE_AGAIN}")])
    except OfficeFileRefused as exc:
        if exc.not_office:
            problem = "文件不是 .xlsx 工作簿，可能是其他格式（如 .xls、CSV 或 PDF）改了扩展名"
            raise DirectoryImportError([(0, f"无法读取 Excel 文件：{problem}。{SAVE_AGAIN}")])
        raise DirectoryImportError([(0, f"无法读取 Excel 文件：{exc}")])
    rows = bounded(sheet.rows)
    fill_merged(rows, sheet.merged)
    return rows


SAVE_AGAIN = "请在 Excel 中另存为 .xlsx 后重新导入。"


def bounded(rows):
    """``rows`` (an iterable of lists of cell strings) as a list, each cut at MAX_COLUMNS.

    Raises DirectoryImportError past MAX_ROWS (reading no further) or at a cell longer than
    MAX_CELL_CHARS."""
    table = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            problem = (
                f"文件超过 {MAX_ROWS} 行，超出标准目录的上限，未读取。请拆分为几个文件分别导入。"
            )
            raise DirectoryImportError([(0, problem)])
        if any(len(cell) > MAX_CELL_CHARS for cell in row):
            raise DirectoryImportError(
                [(number, f"有单元格超过 {MAX_CELL_CHARS} 个字符，超出标准目录的上限。")]
            )
        table.append(list(row[:MAX_COLUMNS]))
    return table


def fill_merged(rows, merged):
    """Give every cell of a merged range its top-left cell's value, as a reader sees it; ranges
    are cut to the table. Raises DirectoryImportError when ranges overlap past the table's size."""
    width = max(map(len, rows), default=0)
    for row in rows:
        row.extend([""] * (width - len(row)))
    cut = [
        (min_col, min_row, min(max_col, width), min(max_row, len(rows)))
        for min_col, min_row, max_col, max_row in merged
        if min_row <= len(rows) and min_col <= width
    ]
    if sum((c2 - c1 + 1) * (r2 - r1 + 1) for c1, r1, c2, r2 in cut) > len(rows) * width:
        raise DirectoryImportError([(0, "工作表中的合并单元格互相重叠，文件可能已损坏。")])
    for min_col, min_row, max_col, max_row in cut:
        anchor = rows[min_row - 1][min_col - 1]
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                rows[r - 1][c - 1] = anchor


def header_key(cell):
    text = SPACES.sub("", PARENTHESES.sub("", normalise(cell)))
    for key, words in HEADER_KEYS:
        if any(word in text for word in words):
            return key
    return None


def option_value(field_name, text):
    """The stored value an option label or cell value means, or None."""
    return OPTION_VALUES[field_name].get(SPACES.sub("", normalise(text)))


def option_of(cell):
    """(field, value) when a header cell names one option column (全社会, 主动, 县级…)."""
    for field_name in OPTION_FIELDS:
        value = option_value(field_name, cell)
        if value is not None:
            return field_name, value
    return None


def header_columns(row):
    columns = {}
    for col, cell in enumerate(row):
        key = header_key(cell)
        if key and key not in columns:
            columns[key] = col
    if "second" not in columns and "item" in columns:
        columns["second"] = columns["item"]
    return columns


def is_header(columns):
    # A title row may mention 公开事项 too: a header with it names at least three columns.
    if "first" in columns and "second" in columns:
        return True
    return "second" in columns and len(set(columns.values())) >= 3


def is_option_header(row, header, columns):
    """A second header row names options (全社会 | 特定群众 …) and holds no 事项 of its own:
    its 二级事项 cell is empty, or repeats the header above (a header merged over both rows)."""
    second = columns["second"]
    below = normalise(row[second]) if second < len(row) else ""
    if below and below != normalise(header[second]):
        return False
    return sum(1 for cell in row if option_of(cell)) >= 2


@dataclass
class Layout:
    columns: dict  # field -> column index
    options: dict  # field -> [(column index, value or None, label)]; None: cannot be mapped
    first_data_row: int  # 0-based

    @property
    def width(self):
        """The number of columns up to the last one the header names."""
        named = [*self.columns.values()]
        named += [col for choices in self.options.values() for col, *_rest in choices]
        return max(named) + 1


def option_columns(header, option_row):
    """The option columns of a two-row header: each label in the lower row belongs to the
    公开对象/方式/层级 header above it (or, unmerged, to the nearest header on its left)."""
    options = {}
    group = None
    for col in range(max(len(header), len(option_row))):
        above = header[col] if col < len(header) else ""
        if normalise(above):
            group = header_key(above)
        label = normalise(option_row[col]) if col < len(option_row) else ""
        if not label:
            continue
        if group in OPTION_FIELDS:
            options.setdefault(group, []).append((col, option_value(group, label), label))
        else:
            found = option_of(label)
            if found:
                options.setdefault(found[0], []).append((col, found[1], label))
    return options


def find_layout(rows):
    for index, row in enumerate(rows[:15]):
        columns = header_columns(row)
        if not is_header(columns):
            continue
        below = rows[index + 1] if index + 1 < len(rows) else []
        if "first" not in columns and "second" in header_columns(below):
            continue  # 公开事项 spans 一级事项 and 二级事项 in the row below
        if below and is_option_header(below, row, columns):
            return Layout(columns, option_columns(row, below), index + 2)
        options = {}
        for col, cell in enumerate(row):  # option labels in the header row itself
            found = option_of(cell) if header_key(cell) is None else None
            if found:
                options.setdefault(found[0], []).append((col, found[1], normalise(cell)))
        return Layout(columns, options, index + 1)
    raise DirectoryImportError(
        [(0, "找不到表头：前15行中没有包含“二级事项”（或“公开事项”）及其他栏目名称的一行。")]
    )


# --- parsing -------------------------------------------------------------------------------


def resolve_same_as_above(rows, first_data_row, errors):
    """Rows with every "同上" replaced by the value of the same column in the row above."""
    resolved = list(rows[:first_data_row])
    above = None
    for index in range(first_data_row, len(rows)):
        row = list(rows[index])
        if not any(normalise(c) for c in row):
            resolved.append(row)
            continue
        for col, value in enumerate(row):
            if SPACES.sub("", normalise(value)) in SAME_AS_ABOVE:
                if above is None:
                    errors.append((index + 1, "“同上”：上面没有可以沿用的一行。"))
                    row[col] = ""
                else:
                    row[col] = above[col] if col < len(above) else ""
        resolved.append(row)
        above = row
    return resolved


def first_level_names(rows, layout, cell):
    """{row index: 一级事项} for every data row: its own; else the one its 序号 group names
    (rows sharing a 序号, or with none under it); else the row above's; else "" (one level)."""
    data = [
        index
        for index in range(layout.first_data_row, len(rows))
        if any(normalise(c) for c in rows[index])
    ]
    groups, group_of, current = {}, {}, None
    for index in data:
        seq = cell(rows[index], "seq")
        if current is None or (seq and seq != current[1]) or not current[1]:
            current = (index, seq)
        group_of[index] = current
        if current not in groups and cell(rows[index], "first"):
            groups[current] = cell(rows[index], "first")
    names, previous = {}, ""
    for index in data:
        name = cell(rows[index], "first") or groups.get(group_of[index]) or previous
        names[index] = previous = name
    return names


def read_directory(rows):
    """(items, errors): every row with no error as a DirectoryItem, and (row number, message)
    for each problem. Blank rows are passed over."""
    layout = find_layout(rows)
    # Cells beyond the header's columns are nobody's: notes beside the table, stray marks.
    rows = [row[: layout.width] for row in rows]
    errors = []
    rows = resolve_same_as_above(rows, layout.first_data_row, errors)

    def cell(row, key):
        col = layout.columns.get(key)
        return normalise(row[col]) if col is not None and col < len(row) else ""

    firsts = first_level_names(rows, layout, cell)
    items = []
    for index, first in firsts.items():
        row = rows[index]
        row_number = index + 1
        row_errors = []
        second = cell(row, "second")
        if not second:
            label = "二级事项" if "first" in layout.columns else "公开事项"
            row_errors.append(f"缺少{label}。")
        code = refused_character(cell(row, "channels"))  # before parsing may drop it
        if code:
            row_errors.append(
                f"公开渠道和载体含有不可见的控制字符或无效字符（{code}），请删除后重新导入。"
            )
        item = DirectoryItem(
            row_number=row_number,
            first=first,
            second=second,
            content=cell(row, "content"),
            basis=cell(row, "basis"),
            time_limit_text=cell(row, "time_limit"),
            subject=cell(row, "subject"),
            channels=parse_channels(cell(row, "channels"), CatalogNode.CHANNEL_OPTIONS),
        )
        for field_name in OPTION_FIELDS:
            chosen, problem = read_choice(row, field_name, layout, cell)
            if problem:
                row_errors.append(problem)
                continue
            if field_name == "levels":
                item.level_county = "county" in chosen
                item.level_township = "township" in chosen
            elif len(chosen) > 1:
                row_errors.append(f"{FIELD_LABELS[field_name]}只能选择一项。")
            elif chosen:
                setattr(item, field_name, chosen[0])
        own_first = bool(cell(row, "first"))  # an inherited 一级事项 is reported on its own row
        row_errors.extend(value_problems(item, own_first))
        errors.extend((row_number, problem) for problem in row_errors)
        if not row_errors:
            items.append(item)

    seen = {}
    groups = {item.first for item in items if item.first}
    unique = []
    for item in items:
        key = (item.first, item.second)
        if key in seen:
            name = f"{item.first} / {item.second}" if item.first else item.second
            errors.append((item.row_number, f"“{name}”与第{seen[key]}行重复。"))
        elif not item.first and item.second in groups:
            errors.append((item.row_number, f"“{item.second}”已是一级事项，不能再作单独事项。"))
        else:
            seen[key] = item.row_number
            unique.append(item)
    if not unique and not errors:
        errors.append((0, "文件中没有事项。"))
    errors.sort(key=lambda error: error[0])
    return unique, errors


def parse_directory(rows):
    """Validate every row; return [DirectoryItem] or raise DirectoryImportError with all errors."""
    items, errors = read_directory(rows)
    if errors:
        raise DirectoryImportError(errors)
    return items


def value_problems(item, own_first=True):
    """What the CatalogNode fields a row is saved to would refuse: each value is checked by its
    own model field (length, range), and text may hold no control characters."""
    values = [
        ("一级事项", "name", item.first if own_first else ""),
        ("二级事项", "name", item.second),
    ]
    values += [(None, name, value) for name, value in item.node_values().items()]
    problems = []
    for label, name, value in values:
        if value in ("", None, []):
            continue
        model_field = CatalogNode._meta.get_field(name)
        label = label or model_field.verbose_name
        texts = value if isinstance(value, list) else [value]
        code = next(filter(None, (refused_character(t) for t in texts if isinstance(t, str))), None)
        if code:
            problems.append(f"{label}含有不可见的控制字符或无效字符（{code}），请删除后重新导入。")
            continue
        try:
            model_field.clean(value, None)
        except ValidationError as exc:
            problems.extend(f"{label}：{message}" for message in exc.messages)
    return problems


def unmapped(field_name, text):
    return (
        f"{FIELD_LABELS[field_name]}“{text}”不是可选值，无法对应到"
        f"{OPTION_LABELS[field_name]}中的任何一项。"
    )


def read_choice(row, field_name, layout, cell):
    """The option values a row gives for 公开对象/方式/层级, by ticks or by value."""
    label = FIELD_LABELS[field_name]
    option_columns = layout.options.get(field_name)
    chosen = []
    if option_columns:
        for col, value, column_label in option_columns:
            mark = normalise(row[col]) if col < len(row) else ""
            if mark in TICKS:
                if value is None:
                    return [], unmapped(field_name, column_label)
                chosen.append(value)
            elif mark not in UNTICKED:
                return [], f"{label}栏中的“{mark}”不是勾选标记（应为 √ 或留空）。"
        return list(dict.fromkeys(chosen)), None
    text = cell(row, field_name)
    parts = checklist_choices(text)
    if parts is None:
        whole = option_value(field_name, text)
        parts = [text] if whole is not None else split_list(text.replace("和", "、"))
    for part in parts:
        value = option_value(field_name, part)
        if value is None:
            return [], unmapped(field_name, part)
        chosen.append(value)
    return list(dict.fromkeys(chosen)), None


# --- writing -------------------------------------------------------------------------------

CHANGE_LABELS = {
    "content": "公开内容",
    "basis": "公开依据",
    "time_limit_text": "公开时限",
    "time_limit_days": "公开时限（工作日）",
    "subject": "公开主体",
    "channels": "公开渠道和载体",
    "audience": "公开对象",
    "mode": "公开方式",
    "level_county": "县级公开",
    "level_township": "乡级公开",
    "agency": "所属机构",
}


@dataclass
class PlannedNode:
    """One row of a plan: a column the import would create, change or leave as it is."""

    names: list  # below the target: [一级事项, 二级事项] or [事项]
    row_number: int = 0  # 0: a 一级事项 made for its 二级事项
    node: CatalogNode | None = None  # the existing column
    changes: list = field(default_factory=list)  # [(field, label, old, new)]

    @property
    def path(self):
        return " / ".join(self.names)


@dataclass
class ImportPlan:
    target: str  # the path imported under, 'A/B/C'
    missing: list  # names of the path that do not exist yet
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    def summary(self):
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


def path_names(under):
    if isinstance(under, CatalogNode):
        return list(CatalogNode.objects.path_to(under.pk).values_list("name", flat=True))
    names = [part.strip() for part in str(under).split("/") if part.strip()]
    if not names:
        raise DirectoryImportError([(0, "目标栏目路径为空。")])
    return names


def find_path(under):
    """(the deepest existing node of the path ``under``, the names below it that are missing)."""
    if isinstance(under, CatalogNode):
        return CatalogNode.objects.filter(pk=under.pk).first(), []
    names = path_names(under)
    parent = None
    for depth, name in enumerate(names):
        node = CatalogNode.objects.filter(parent=parent, name=name).order_by("lft").first()
        if node is None:
            return parent, names[depth:]
        parent = node
    return parent, []


def changed_values(node, values, agency):
    changes = [(name, value) for name, value in values.items() if getattr(node, name) != value]
    if agency is not None and node.agency_id != agency.pk:
        changes.append(("agency", agency))
    return changes


def describe(name, value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    if name == "audience" and value:
        return str(CatalogNode.Audience(value).label)
    if name == "mode" and value:
        return str(CatalogNode.Mode(value).label)
    return "" if value is None else str(value)


def plan_directory(items, under, agency=None):
    """What importing ``items`` below ``under`` (a path or a node) would create, change and
    leave as it is, read from the tree as it is now; nothing is written."""
    parent, missing = find_path(under)
    plan = ImportPlan(target="/".join(path_names(under)), missing=missing)
    target = None if missing else parent
    children = {n.name: n for n in CatalogNode.objects.filter(parent=target)} if target else {}
    below = {
        (n.parent_id, n.name): n
        for n in CatalogNode.objects.filter(parent__in=[n.pk for n in children.values()])
    }
    planned_firsts = set()
    for item in items:
        values = item.node_values()
        if item.first:
            group = children.get(item.first)
            if group is None and item.first not in planned_firsts:
                planned_firsts.add(item.first)
                plan.created.append(PlannedNode([item.first]))
            node = below.get((group.pk, item.second)) if group else None
            names = [item.first, item.second]
        else:
            node = children.get(item.second)
            names = [item.second]
        if node is None:
            plan.created.append(PlannedNode(names, item.row_number))
            continue
        changes = [
            (name, CHANGE_LABELS[name], describe(name, getattr(node, name)), describe(name, new))
            for name, new in changed_values(node, values, agency)
        ]
        entry = PlannedNode(names, item.row_number, node, changes)
        (plan.updated if changes else plan.unchanged).append(entry)
    return plan


def check_may_import(plan, user, agency, under):
    """Raise DirectoryImportError unless ``user`` may put the plan's columns where it would."""
    if agency is not None and not agency_scope(user).covers(agency.pk):
        raise DirectoryImportError([(0, f"您无权为机构“{agency.name}”导入栏目。")])
    parent, _missing = find_path(under)
    errors = []
    try:
        services.check_may_file_under(parent, user)
    except TreeChangeRefused as refusal:
        errors.append((0, str(refusal)))
    allowed = set(
        CatalogNode.objects.filter(pk__in=[e.node.pk for e in plan.updated])
        .for_staff(user)
        .values_list("pk", flat=True)
    )
    for entry in plan.updated:
        if entry.node.pk not in allowed:
            errors.append((entry.row_number, f"您无权修改栏目“{entry.path}”。"))
        elif any(name == "agency" for name, *_ in entry.changes):
            try:
                services.check_may_change_subtree(entry.node, user, "修改")
            except TreeChangeRefused as refusal:
                errors.append((entry.row_number, str(refusal)))
    if errors:
        raise DirectoryImportError(errors)


def ensure_path(path, create=True):
    """The node at 'A/B/C' (names from a root), creating missing nodes; call under the lock.

    With ``create`` false a missing node is an error that names it."""
    parent, missing = find_path(path)
    if missing and not create:
        raise DirectoryImportError(
            [(0, f"目标栏目“{'/'.join(path_names(path))}”不存在（缺少“{missing[0]}”）。")]
        )
    for name in missing:
        node = CatalogNode(parent=parent, name=name)
        node.save()
        parent = node
    return parent


def import_directory(
    items, under, agency=None, *, create=True, actor=SYSTEM, source=None, expected=None
):
    """Create or update the nodes for ``items`` below ``under`` (a node path or a node), in one
    transaction under the tree lock, with one audit event.

    ``create``: whether missing columns of the path may be made; ``actor``: who imports (a staff
    member is held to their scope); ``source``: what the audit event says was imported (file
    name, digest); ``expected``: the plan summary a person confirmed: if the tree has changed
    since, ``PlanChanged`` is raised and nothing is written.
    """
    result = ImportResult()
    with transaction.atomic(), tree_write_lock():
        plan = plan_directory(items, under, agency)
        if expected is not None and plan_digest(plan) != expected:
            raise PlanChanged(plan)
        if actor is not SYSTEM:
            check_may_import(plan, actor, agency, under)
        if isinstance(under, CatalogNode):
            target = CatalogNode.objects.get(pk=under.pk)
        else:
            target = ensure_path(under, create)
        target.refresh_tree_fields()
        tree_id = target.tree_id
        # New nodes get lft values past every existing one, so the rebuild keeps the
        # order staff gave existing siblings and puts new ones after them, in file order.
        next_position = (
            CatalogNode.objects.filter(tree_id=tree_id).aggregate(m=Max("rght"))["m"] or 0
        ) + 1

        def new_node(parent, level, name, **values):
            nonlocal next_position
            node = CatalogNode(
                parent=parent,
                name=name,
                agency=agency,
                tree_id=tree_id,
                level=level,
                lft=next_position,
                rght=next_position + 1,
                **values,
            )
            next_position += 2
            return node

        children = {n.name: n for n in CatalogNode.objects.filter(parent=target)}
        new_firsts = []
        for name in dict.fromkeys(item.first for item in items if item.first):
            if name not in children:
                node = new_node(target, target.level + 1, name)
                children[name] = node
                new_firsts.append(node)
        CatalogNode.objects.bulk_create(new_firsts)
        result.created += len(new_firsts)

        below = {
            (n.parent_id, n.name): n
            for n in CatalogNode.objects.filter(parent__in=[n.pk for n in children.values()])
        }
        to_create, to_update = [], []
        update_fields = set()
        for item in items:
            values = item.node_values()
            if item.first:
                parent, level = children[item.first], target.level + 2
                node = below.get((parent.pk, item.second))
            else:
                parent, level = target, target.level + 1
                node = children.get(item.second)
            if node is None:
                node = new_node(parent, level, item.second, **values)
                to_create.append(node)
                if not item.first:
                    children[item.second] = node
                continue
            changed = changed_values(node, values, agency)
            if changed:
                for name, value in changed:
                    setattr(node, name, value)
                update_fields.update(name for name, _value in changed)
                to_update.append(node)
            else:
                result.unchanged += 1
        CatalogNode.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            CatalogNode.objects.bulk_update(to_update, sorted(update_fields), batch_size=500)
        result.created += len(to_create)
        result.updated += len(to_update)
        if result.created:
            CatalogNode.objects.rebuild(tree_id=tree_id)
        if result.created or result.updated:
            # Bulk writes send no signals: forget the cached public pages here.
            page_cache.bump_public_version()
        audit.record(
            AuditEvent.Action.IMPORT_CATALOG,
            actor=actor,
            obj=target,
            details={
                "under": plan.target,
                "agency": agency.credit_code if agency is not None else "",
                "items": len(items),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                **(source or {}),
            },
        )
    return result


class PlanChanged(Exception):
    """The catalogue changed between the preview a person confirmed and the import."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__("目录在预览之后已有变化，请核对新的预览后再确认导入。")


def plan_digest(plan):
    """A digest of what a plan would do, to tell whether it still holds when it is applied."""
    entries = [
        (kind, entry.path, [(name, new) for name, _label, _old, new in entry.changes])
        for kind in ("created", "updated", "unchanged")
        for entry in getattr(plan, kind)
    ]
    payload = json.dumps([plan.target, plan.missing, entries], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()
