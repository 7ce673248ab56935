"""Import a 基层政务公开标准目录 spreadsheet (CSV or XLSX) into the catalogue tree.

The header is found by ``directory_layout``; each level of 事项 (一级事项, 二级事项, …) becomes a
level of nodes under a given node path. The whole file is validated before anything is written,
and what it would do is a plan (``plan_directory``) that a person sees first; the import makes the
plan again under the tree lock and writes that plan: new nodes bulk-inserted level by level and
the tree rebuilt once, in one transaction.
"""

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat

from catalog import actions as catalog_actions
from catalog import directory_layout as headers
from catalog import services
from catalog.models import Agency, CatalogNode, kind_from_name
from catalog.scoping import agency_scope
from catalog.text import (
    CHOSEN_MARKS,
    checklist_choices,
    joined,
    normalise,
    parse_channels,
    split_list,
    working_days_in,
)
from catalog.tree import TreeChangeRefused, tree_write_lock
from portal import audit, page_cache
from portal.actors import SYSTEM
from portal.control_characters import refused_character
from portal.office_files import ArchiveLimits, OfficeFileRefused
from portal.spreadsheets import DamagedFile, NoWorksheet, SheetLimits, read_first_sheet

SAME_AS_ABOVE = {"同上", "同上。", "同上行"}
SPACES = re.compile(r"\s+")
ERRORS_SHOWN = 50  # a file of thousands of bad rows names the first ones and counts the rest
SAMPLE_SIZE = 10  # items the preview shows with every field they will store


def clipped(errors, limit=ERRORS_SHOWN):
    """(the first ``limit`` errors, how many more there are)."""
    return errors[:limit], max(0, len(errors) - limit)


def more_errors(count):
    return f"另有 {count} 处错误未列出，请先改正以上各处后重新导入。"


class DirectoryImportError(Exception):
    """The file cannot be imported; ``errors`` lists (row number, message)."""

    def __init__(self, errors):
        self.errors = errors
        shown, more = clipped(errors)
        lines = [f"第{row}行：{message}" if row else message for row, message in shown]
        super().__init__("\n".join(lines + ([more_errors(more)] if more else [])))


@dataclass
class DirectoryItem:
    row_number: int
    names: list  # the 事项 levels below the column imported under, top first
    content: str = ""
    basis: str = ""
    time_limit_text: str = ""
    subject: str = ""
    channels: list = field(default_factory=list)
    audience: str = ""
    mode: str = ""
    level_county: bool = False
    level_township: bool = False

    @property
    def path(self):
        return " / ".join(self.names)

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

    def shown_values(self):
        """[(label, value as shown)] for every field the import stores for this item."""
        return [(CHANGE_LABELS[name], describe(name, v)) for name, v in self.node_values().items()]


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
MAX_CELL_CHARS = 2000  # a 公开依据 citing several articles runs to a few hundred
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
                [
                    (
                        number,
                        f"有单元格超过 {MAX_CELL_CHARS} 个字符（标准目录每个单元格的上限），"
                        "请删减后重新导入。",
                    )
                ]
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


def find_layout(rows):
    """The header of ``rows`` (a Layout); DirectoryImportError when there is none, or when it
    has more levels of 事项 than MAX_LEVELS."""
    try:
        return headers.find_layout(rows)
    except headers.NoHeader:
        problem = (
            f"找不到表头：前{headers.HEADER_SCAN_ROWS}行中没有包含“二级事项”"
            "（或“公开事项”）及其他栏目名称的一行。"
        )
        raise DirectoryImportError([(0, problem)])
    except headers.TooManyLevels as exc:
        problem = f"文件有 {exc.count} 级事项，超过上限 {headers.MAX_LEVELS} 级，请合并后重新导入。"
        raise DirectoryImportError([(0, problem)])


# --- parsing -------------------------------------------------------------------------------

NOTE_START = re.compile(r"^(注|备注|附注|说明|填表说明|附件)|^.{0,15}说明[:：]")


@dataclass
class DirectoryReading:
    """What a directory file holds: its items, its errors (row number, message), its layout
    and what the person importing it should know first (columns not imported, rows passed
    over, columns empty in every row)."""

    items: list
    errors: list
    layout: "headers.Layout | None" = None
    warnings: list = field(default_factory=list)

    @property
    def sample(self):
        return self.items[:SAMPLE_SIZE]

    @property
    def shown_errors(self):
        return clipped(self.errors)[0]

    @property
    def more_errors(self):
        count = clipped(self.errors)[1]
        return more_errors(count) if count else ""


def passed_over(row):
    """Why a row below the header is no row of the table (a note, a title, the header
    repeated where a table goes on), or None."""
    values = list(dict.fromkeys(filter(None, map(normalise, row))))
    if len(values) == 1:
        text = joined(values[0])
        if NOTE_START.match(text):
            return "说明"
        if "目录" in text and len(text) <= 80:
            return "标题"
        if sum(1 for c in row if normalise(c)) >= 3:
            return "跨列合并的说明或标题"
    if values and all(headers.heading_key(v) or headers.option_of(v) for v in values):
        return "重复的表头"
    if len(values) >= 3 and values == [str(n) for n in range(1, len(values) + 1)]:
        return "列的编号"  # 1 | 2 | 3 … under the header, as some templates number columns
    return None


def data_rows(rows, table, warnings):
    """Indices of the rows of the table: not blank, not passed over (each named in
    ``warnings``)."""
    indices = []
    for index in range(table.first_data_row, len(rows)):
        if not any(normalise(c) for c in rows[index]):
            continue
        reason = passed_over(rows[index])
        if reason:
            text = next(joined(c) for c in rows[index] if normalise(c))
            warnings.append(f"第{index + 1}行是{reason}，已略过：“{headers.shortened(text)}”。")
            continue
        indices.append(index)
    return indices


def resolve_same_as_above(rows, indices, errors):
    """Rows with every "同上" replaced by the value of the same column in the row above."""
    resolved = [list(row) for row in rows]
    above = None
    for index in indices:
        row = resolved[index]
        for col, value in enumerate(row):
            if SPACES.sub("", normalise(value)) in SAME_AS_ABOVE:
                if above is None:
                    errors.append((index + 1, "“同上”：上面没有可以沿用的一行。"))
                    row[col] = ""
                else:
                    row[col] = above[col] if col < len(above) else ""
        above = row
    return resolved


def first_level_names(rows, indices, table, cell):
    """{row index: 一级事项} for every data row: its own; else the one its 序号 group names
    (rows sharing a 序号, or with none under it); else the row above's; else "" (none)."""
    top = table.levels[0]
    groups, group_of, current = {}, {}, None
    for index in indices:
        seq = cell(rows[index], "seq")
        if current is None or (seq and seq != current[1]) or not current[1]:
            current = (index, seq)
        group_of[index] = current
        if current not in groups and level_name(rows[index], top):
            groups[current] = level_name(rows[index], top)
    names, previous = {}, ""
    for index in indices:
        name = level_name(rows[index], top) or groups.get(group_of[index]) or previous
        names[index] = previous = name
    return names


def level_name(row, col):
    return joined(row[col]) if col < len(row) else ""


def item_paths(rows, indices, table, cell):
    """{row index: (names, own)}: the 事项 path of each row, and for each name whether the row
    gives it itself. A blank level above the row's deepest name is the one of the row above
    (a merged cell), the first level by its 序号 group; one that cannot be found is left out."""
    firsts = first_level_names(rows, indices, table, cell)
    paths, previous = {}, []
    for index in indices:
        raw = [level_name(rows[index], col) for col in table.levels]
        deepest = max((depth for depth, name in enumerate(raw) if name), default=-1)
        names, own = [], []
        for depth in range(deepest + 1):
            name, given = raw[depth], bool(raw[depth])
            if not name and depth == 0:
                name = firsts[index]
            elif not name and previous[:depth] == names and len(previous) > depth:
                name = previous[depth]
            if name:
                names.append(name)
                own.append(given)
        if len(table.levels) > 1 and deepest == 0:
            names, own = [], []  # a 一级事项 alone is no item: its 二级事项 is missing
        paths[index] = (names, own)
        previous = names if names else previous
    return paths


def read_directory(rows):
    """A DirectoryReading of ``rows``: every row with no error as a DirectoryItem, and
    (row number, message) for each problem. Blank rows, notes and titles are passed over."""
    table = find_layout(rows)
    warnings = []
    indices = data_rows(rows, table, warnings)
    warnings.extend(beyond_the_header(rows, indices, table))
    # Cells beyond the header's columns are nobody's: notes beside the table, stray marks.
    rows = [row[: table.width] for row in rows]
    errors = []
    rows = resolve_same_as_above(rows, indices, errors)

    def cell(row, key):
        col = table.columns.get(key)
        return normalise(row[col]) if col is not None and col < len(row) else ""

    items = []
    for index, (names, own) in item_paths(rows, indices, table, cell).items():
        item, row_errors = read_item(rows[index], index + 1, names, own, table, cell)
        errors.extend((index + 1, problem) for problem in row_errors)
        if not row_errors:
            items.append(item)
    unique = distinct_items(items, errors)
    if not unique and not errors:
        errors.append((0, "文件中没有事项。"))
    errors.sort(key=lambda error: error[0])
    warnings.extend(column_warnings(rows, indices, table))
    return DirectoryReading(unique, errors, table, warnings)


def read_item(row, row_number, names, own, table, cell):
    """(DirectoryItem, [problems]) for one row of the table."""
    problems = []
    if not names:
        labels = table.level_labels[1:] or table.level_labels
        problems.append(f"缺少{'或'.join(labels)}。")
    code = refused_character(cell(row, "channels"))  # before parsing may drop it
    if code:
        problems.append(
            f"公开渠道和载体含有不可见的控制字符或无效字符（{code}），请删除后重新导入。"
        )
    item = DirectoryItem(
        row_number=row_number,
        names=names,
        content=cell(row, "content"),
        basis=cell(row, "basis"),
        time_limit_text=joined(cell(row, "time_limit")),
        subject=joined(cell(row, "subject")),
        channels=parse_channels(cell(row, "channels"), CatalogNode.CHANNEL_OPTIONS),
    )
    for field_name in headers.OPTION_FIELDS:
        chosen, problem = read_choice(row, field_name, table, cell)
        if problem:
            problems.append(problem)
        elif field_name == "levels":
            item.level_county = "county" in chosen
            item.level_township = "township" in chosen
        elif len(chosen) > 1:
            problems.append(f"{headers.FIELD_LABELS[field_name]}只能选择一项。")
        elif chosen:
            setattr(item, field_name, chosen[0])
    problems.extend(dropped_values(item, table, cell, row))
    problems.extend(value_problems(item, own, table.level_labels))
    return item, problems


def dropped_values(item, table, cell, row):
    """A value the row gives in a column the import reads, which the item would not store:
    never imported in silence."""
    stored = {"channels": item.channels, "time_limit": item.time_limit_text}
    stored.update(content=item.content, basis=item.basis, subject=item.subject)
    problems = []
    for key, value in stored.items():
        text = cell(row, key)
        if text and not value and checklist_choices(text) != []:
            heading = next(c.heading for c in table.headings if c.index == table.columns[key])
            shown = headers.shortened(text)
            problems.append(f"“{heading}”栏的“{shown}”无法读取，请改正后重新导入。")
    return problems


def distinct_items(items, errors):
    """``items`` without those repeating an earlier path, or naming a column that is also
    the parent of another item (each reported in ``errors``)."""
    seen, parents, unique = {}, set(), []
    for item in items:
        parents.update(tuple(item.names[:depth]) for depth in range(1, len(item.names)))
    for item in items:
        key = tuple(item.names)
        if key in seen:
            errors.append((item.row_number, f"“{item.path}”与第{seen[key]}行重复。"))
        elif key in parents:
            errors.append((item.row_number, f"“{item.path}”已是上级事项，不能再作单独事项。"))
        else:
            seen[key] = item.row_number
            unique.append(item)
    return unique


def beyond_the_header(rows, indices, table):
    """A warning naming the first column right of the header that holds something."""
    cols = [
        col
        for index in indices
        for col in range(table.width, len(rows[index]))
        if normalise(rows[index][col])
    ]
    if not cols:
        return []
    letter = headers.Column(min(cols), "").letter
    return [f"{letter}列起在表头之外（没有栏目名称），其中的内容不会导入。"]


def column_warnings(rows, indices, table):
    """Columns that map to nothing but hold something, and columns that map to a field but
    are empty in every row."""
    warnings = []

    def filled(col):
        return any(col < len(rows[i]) and normalise(rows[i][col]) for i in indices)

    for column in table.headings:
        if not column.heading:
            continue
        if not column.mapped and filled(column.index):
            warnings.append(
                f"{column.letter}列“{column.heading}”有内容，但{column.reason}，不会导入。"
            )
        elif column.kind in ("field", "level") and not filled(column.index):
            warnings.append(
                f"{column.letter}列“{column.heading}”（{column.target}）在所有行中都是空的。"
            )
    for field_name, choices in table.options.items():
        if not any(filled(col) for col, *_rest in choices):
            label = headers.FIELD_LABELS[field_name]
            warnings.append(f"{label}的勾选列在所有行中都是空的。")
    return warnings


def parse_directory(rows):
    """Validate every row; return [DirectoryItem] or raise DirectoryImportError with all errors."""
    reading = read_directory(rows)
    if reading.errors:
        raise DirectoryImportError(reading.errors)
    return reading.items


def value_problems(item, own, level_labels):
    """What the CatalogNode fields a row is saved to would refuse: each value is checked by its
    own model field (length, range), and text may hold no control characters. A level the row
    does not give itself (a merged cell above) is reported on its own row."""
    values = [
        (level_labels[min(depth, len(level_labels) - 1)], "name", name if given else "")
        for depth, (name, given) in enumerate(zip(item.names, own, strict=True))
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


OPTION_LABELS = {
    "audience": "全社会、特定群众",
    "mode": "主动、依申请",
    "levels": "县级、乡级（含乡、村级，镇级，村级）",
}


def unmapped(field_name, text):
    return (
        f"{headers.FIELD_LABELS[field_name]}“{headers.shortened(text)}”不是可选值，无法对应到"
        f"{OPTION_LABELS[field_name]}中的任何一项。"
    )


def read_choice(row, field_name, table, cell):
    """The option values a row gives for 公开对象/方式/层级, by ticks or by value."""
    label = headers.FIELD_LABELS[field_name]
    option_columns = table.options.get(field_name)
    chosen = []
    if option_columns:
        for col, value, column_label in option_columns:
            mark = normalise(row[col]) if col < len(row) else ""
            if mark in headers.TICKS:
                if value is None:
                    return [], unmapped(field_name, column_label)
                chosen.append(value)
            elif mark not in headers.UNTICKED:
                shown = headers.shortened(mark)
                return [], f"{label}栏中的“{shown}”不是勾选标记（应为 √ 或留空）。"
        return list(dict.fromkeys(chosen)), None
    text = cell(row, field_name)
    parts = checklist_choices(text)
    if parts is None:
        whole = headers.option_value(field_name, text)
        parts = [text] if whole is not None else split_list(text.replace("和", "、"))
        if text and not parts:
            return [], unmapped(field_name, text)
    elif not parts and any(mark in text for mark in CHOSEN_MARKS):
        shown = headers.shortened(text)
        return [], f"{label}栏中的“{shown}”只有勾选标记，没有写明是哪一项。"
    for part in parts:
        value = headers.option_value(field_name, part)
        if value is None:
            return [], unmapped(field_name, part)
        chosen.append(value)
    return list(dict.fromkeys(chosen)), None


# --- writing -------------------------------------------------------------------------------

CHANGE_LABELS = {
    "content": "公开内容（要素）",
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

    names: list  # below the target: [一级事项, 二级事项, …] or [事项]
    row_number: int = 0  # 0: a parent column made for the items below it
    node: CatalogNode | None = None  # the existing column
    changes: list = field(default_factory=list)  # [(field, label, old, new)] as shown
    values: dict = field(default_factory=dict)  # what is written: all of a new column's, the
    # changed ones of an existing column
    parent: CatalogNode | None = None  # a new column's existing parent; None: made by the plan

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


def existing_paths(target):
    """{(names below target): node} for the columns below ``target``, as deep as an import
    reaches; the first by tree order where siblings share a name."""
    nodes = CatalogNode.objects.filter(
        tree_id=target.tree_id,
        lft__gt=target.lft,
        rght__lt=target.rght,
        level__lte=target.level + headers.MAX_LEVELS,
    ).order_by("lft")
    paths, found = {target.pk: ()}, {}
    for node in nodes:
        if node.parent_id in paths:
            paths[node.pk] = paths[node.parent_id] + (node.name,)
            found.setdefault(paths[node.pk], node)
    return found


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
    leave as it is, read from the tree as it is now; nothing is written. The plan is what
    ``apply_plan`` writes."""
    parent, missing = find_path(under)
    plan = ImportPlan(target="/".join(path_names(under)), missing=missing)
    target = None if missing else parent
    existing = existing_paths(target) if target else {}
    planned = set()

    def parent_of(path):
        return existing.get(path[:-1]) if len(path) > 1 else target

    for item in items:
        for depth in range(1, len(item.names)):
            prefix = tuple(item.names[:depth])
            if prefix not in existing and prefix not in planned:
                planned.add(prefix)
                plan.created.append(PlannedNode(list(prefix), parent=parent_of(prefix)))
        path, values = tuple(item.names), item.node_values()
        node = existing.get(path)
        if node is None:
            entry = PlannedNode(item.names, item.row_number, values=values)
            entry.parent = parent_of(path)
            plan.created.append(entry)
            continue
        changed = changed_values(node, values, agency)
        shown = [
            (name, CHANGE_LABELS[name], describe(name, getattr(node, name)), describe(name, new))
            for name, new in changed
        ]
        entry = PlannedNode(item.names, item.row_number, node, shown, dict(changed))
        (plan.updated if changed else plan.unchanged).append(entry)
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
    # A new column under an existing one is filed there: held to the same rule as the target.
    checked_parents = {parent.pk} if parent is not None else set()
    for entry in plan.created:
        parent_node = entry.parent
        if parent_node is None or parent_node.pk in checked_parents:
            continue
        checked_parents.add(parent_node.pk)
        try:
            services.check_may_file_under(parent_node, user)
        except TreeChangeRefused as refusal:
            errors.append((entry.row_number, str(refusal)))
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
        node = CatalogNode(parent=parent, name=name, kind=kind_from_name(name))
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
    name, digest); ``expected``: the digest of the plan a person confirmed: the plan is made
    again under the lock and, unless it is that plan, ``PlanChanged`` is raised and nothing is
    written. The plan made here is the one written.
    """
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
        result = apply_plan(plan, target, agency)
        if result.changed:
            # Bulk writes send no signals: forget the cached public pages here.
            page_cache.bump_public_version()
        if result.created >= ANALYZE_AFTER_COLUMNS:
            analyze_columns()
        audit.record(
            catalog_actions.IMPORT_CATALOG,
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


# A directory import creating this many columns or more gathers the catalogue's statistics.
ANALYZE_AFTER_COLUMNS = 100


def analyze_columns():
    """Fresh planner statistics of the catalogue (PostgreSQL), within the import's transaction:
    until autovacuum gets to them, the planner would take a subtree of thousands of new columns
    for one column and read every document below it to list twenty (seconds at 1M documents)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CatalogNode._meta.db_table}")


def apply_plan(plan, target, agency):
    """Write ``plan`` below ``target``: its new columns, level by level, and the changed values
    of its existing ones; call under the tree lock, in a transaction."""
    target.refresh_tree_fields()
    tree_id = target.tree_id
    # New nodes get lft values past every existing one, so the rebuild keeps the order staff
    # gave existing siblings and puts new ones after them, in file order.
    position = (CatalogNode.objects.filter(tree_id=tree_id).aggregate(m=Max("rght"))["m"] or 0) + 1
    made = {(): target}
    for depth in sorted({len(entry.names) for entry in plan.created}):
        nodes = []
        for entry in (e for e in plan.created if len(e.names) == depth):
            node = CatalogNode(
                parent=entry.parent or made[tuple(entry.names[:-1])],
                name=entry.names[-1],
                # A new column's kind from its name (动态, 通知, 规划 …); staff may change it.
                kind=kind_from_name(entry.names[-1]),
                agency=agency,
                tree_id=tree_id,
                level=target.level + depth,
                lft=position,
                rght=position + 1,
                **entry.values,
            )
            position += 2
            made[tuple(entry.names)] = node
            nodes.append(node)
        CatalogNode.objects.bulk_create(nodes, batch_size=500)
    for entry in plan.updated:
        for name, value in entry.values.items():
            setattr(entry.node, name, value)
    fields = sorted({name for entry in plan.updated for name in entry.values})
    if plan.updated:
        CatalogNode.objects.bulk_update([e.node for e in plan.updated], fields, batch_size=500)
    if plan.created:
        CatalogNode.objects.rebuild(tree_id=tree_id)
    return ImportResult(len(plan.created), len(plan.updated), len(plan.unchanged))


class PlanChanged(Exception):
    """The catalogue changed between the preview a person confirmed and the import."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__("目录在预览之后已有变化，请核对新的预览后再确认导入。")


def plan_digest(plan):
    """A digest of everything a plan would write, to tell whether it still holds when it is
    applied."""

    def plain(values):
        return sorted(
            (name, value.pk if isinstance(value, CatalogNode | Agency) else value)
            for name, value in values.items()
        )

    entries = [
        (kind, entry.names, entry.node.pk if entry.node else None, plain(entry.values))
        for kind in ("created", "updated", "unchanged")
        for entry in getattr(plan, kind)
    ]
    payload = json.dumps([plan.target, plan.missing, entries], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()
