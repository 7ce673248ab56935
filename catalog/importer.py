"""Import a 基层政务公开标准目录 spreadsheet (CSV or XLSX) into the catalogue tree.

一级事项 and 二级事项 become two levels of nodes under a given node path. The whole file is
validated before anything is written; then new nodes are bulk-inserted and the tree is rebuilt
once, under the tree lock, in one transaction.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from openpyxl.reader.excel import ExcelReader

from portal import page_cache
from portal.control_characters import has_control_character

from .models import CatalogNode
from .text import normalise, split_list, working_days_in
from .tree import tree_write_lock

HEADER_KEYS = [
    # (field, words a header cell may contain), most specific first.
    ("seq", ["序号"]),
    ("first", ["一级事项"]),
    ("second", ["二级事项"]),
    ("content", ["公开内容"]),
    ("basis", ["公开依据"]),
    ("time_limit", ["公开时限"]),
    ("subject", ["公开主体"]),
    ("channels", ["公开渠道", "公开载体"]),
    ("audience", ["公开对象"]),
    ("mode", ["公开方式"]),
    ("levels", ["公开层级"]),
]

# Values a cell may hold, and the option columns a spreadsheet may tick instead.
OPTION_VALUES = {
    "audience": {
        "全社会": CatalogNode.Audience.PUBLIC,
        "特定群众": CatalogNode.Audience.SPECIFIC,
        "特定群体": CatalogNode.Audience.SPECIFIC,
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
        "区级": "county",
        "区县级": "county",
        "乡级": "township",
        "乡镇级": "township",
        "镇级": "township",
        "镇街级": "township",
        "乡镇(街道)": "township",
    },
}
OPTION_LABELS = {
    "audience": "全社会、特定群众",
    "mode": "主动、依申请",
    "levels": "县级、乡级",
}
FIELD_LABELS = {"audience": "公开对象", "mode": "公开方式", "levels": "公开层级"}
TICKS = {"√", "✓", "✔", "☑", "●", "是", "Y", "y", "V", "v", "1"}
UNTICKED = {"", "×", "✗", "否", "-", "—", "N", "n", "0"}
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


def read_table(path):
    """Rows of cell strings from a .csv (UTF-8, UTF-8 with BOM or GB18030) or .xlsx file.

    Merged cells in an XLSX take the value of their top-left cell, as a reader sees them.
    A file that cannot be read as its type raises DirectoryImportError, never another error.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DirectoryImportError(
            [(0, f"不支持的文件类型“{path.suffix}”：请使用 .csv 或 .xlsx。")]
        )
    if path.stat().st_size == 0:
        raise DirectoryImportError([(0, "文件是空的。")])
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
        return [list(row) for row in reader]
    except csv.Error as exc:
        raise DirectoryImportError([(reader.line_num, f"CSV 格式有误，无法读取（{exc}）。")])


class CellsOnlyReader(ExcelReader):
    """openpyxl's reader, keeping chartsheets only as empty placeholders.

    The importer needs cells, and a chartsheet has none; openpyxl fails on some chartsheets
    it could read past (one without a drawing), so it never opens them.
    """

    def read_chartsheet(self, sheet, rel):
        self.wb.create_chartsheet(sheet.name)


def read_xlsx(path):
    """Rows of the first worksheet; chartsheets before it are passed over."""
    try:
        reader = CellsOnlyReader(path, data_only=True)
        reader.read()
    except zipfile.BadZipFile:
        problem = "文件不是 .xlsx 工作簿，可能是其他格式（如 .xls、CSV 或 PDF）改了扩展名"
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problem = f"文件已损坏，或含有 Excel 不允许的字符（如 NUL）（{detail}）"
    else:
        problem = None
    if problem:
        raise DirectoryImportError(
            [(0, f"无法读取 Excel 文件：{problem}。请在 Excel 中另存为 .xlsx 后重新导入。")]
        )
    worksheets = reader.wb.worksheets
    if not worksheets:
        raise DirectoryImportError([(0, "工作簿中只有图表，没有可以导入的工作表。")])
    sheet = worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        anchor = rows[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                rows[r - 1][c - 1] = anchor
    return rows


def header_key(cell):
    text = SPACES.sub("", PARENTHESES.sub("", normalise(cell)))
    for key, words in HEADER_KEYS:
        if any(word in text for word in words):
            return key
    return None


def option_of(cell):
    """(field, value) when a header cell names one option column (全社会, 主动, 县级…)."""
    text = SPACES.sub("", normalise(cell))
    for field_name, values in OPTION_VALUES.items():
        if text in values:
            return field_name, values[text]
    return None


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
    options: dict  # field -> [(column index, value)]
    first_data_row: int  # 0-based


def find_layout(rows):
    for index, row in enumerate(rows[:15]):
        columns = {}
        for col, cell in enumerate(row):
            key = header_key(cell)
            if key and key not in columns:
                columns[key] = col
        if "first" not in columns or "second" not in columns:
            continue
        options = {}
        first_data_row = index + 1
        header_rows = [row]
        if index + 1 < len(rows) and is_option_header(rows[index + 1], row, columns):
            header_rows.append(rows[index + 1])
            first_data_row = index + 2
        for header_row in header_rows:
            for col, cell in enumerate(header_row):
                found = option_of(cell)
                if found:
                    options.setdefault(found[0], []).append((col, found[1]))
        return Layout(columns, options, first_data_row)
    raise DirectoryImportError(
        [(0, "找不到表头：前15行中没有同时包含“一级事项”和“二级事项”的一行。")]
    )


# --- parsing -------------------------------------------------------------------------------


def parse_directory(rows):
    """Validate every row; return [DirectoryItem] or raise DirectoryImportError with all errors."""
    layout = find_layout(rows)
    errors = []
    items = []
    previous_first = ""

    def cell(row, key):
        col = layout.columns.get(key)
        return normalise(row[col]) if col is not None and col < len(row) else ""

    for index in range(layout.first_data_row, len(rows)):
        row = rows[index]
        row_number = index + 1
        if not any(normalise(c) for c in row):
            continue
        first = cell(row, "first") or previous_first
        second = cell(row, "second")
        if not first:
            errors.append((row_number, "缺少一级事项。"))
        if not second:
            errors.append((row_number, "缺少二级事项。"))
        previous_first = first
        item = DirectoryItem(
            row_number=row_number,
            first=first,
            second=second,
            content=cell(row, "content"),
            basis=cell(row, "basis"),
            time_limit_text=cell(row, "time_limit"),
            subject=cell(row, "subject"),
            channels=split_list(cell(row, "channels")),
        )
        for field_name in ("audience", "mode", "levels"):
            chosen, problem = read_choice(row, field_name, layout, cell)
            if problem:
                errors.append((row_number, problem))
                continue
            if field_name == "levels":
                item.level_county = "county" in chosen
                item.level_township = "township" in chosen
            elif len(chosen) > 1:
                errors.append((row_number, f"{FIELD_LABELS[field_name]}只能选择一项。"))
            elif chosen:
                setattr(item, field_name, chosen[0])
        own_first = bool(cell(row, "first"))  # an inherited 一级事项 is reported on its own row
        errors.extend((row_number, problem) for problem in value_problems(item, own_first))
        items.append(item)

    seen = {}
    for item in items:
        key = (item.first, item.second)
        if item.second and key in seen:
            errors.append(
                (item.row_number, f"“{item.first} / {item.second}”与第{seen[key]}行重复。")
            )
        seen.setdefault(key, item.row_number)
    if not items and not errors:
        errors.append((0, "文件中没有事项。"))
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
        if any(isinstance(text, str) and has_control_character(text) for text in texts):
            problems.append(f"{label}含有不可见的控制字符（如 NUL），请删除后重新导入。")
            continue
        try:
            model_field.clean(value, None)
        except ValidationError as exc:
            problems.extend(f"{label}：{message}" for message in exc.messages)
    return problems


def read_choice(row, field_name, layout, cell):
    """The option values a row gives for 公开对象/方式/层级, by ticks or by value."""
    label = FIELD_LABELS[field_name]
    option_columns = layout.options.get(field_name)
    chosen = []
    if option_columns:
        for col, value in option_columns:
            mark = normalise(row[col]) if col < len(row) else ""
            if mark in TICKS:
                chosen.append(value)
            elif mark not in UNTICKED:
                return [], f"{label}栏中的“{mark}”不是勾选标记（应为 √ 或留空）。"
        return list(dict.fromkeys(chosen)), None
    text = cell(row, field_name)
    for part in split_list(text.replace("和", "、")):
        value = OPTION_VALUES[field_name].get(part.replace(" ", ""))
        if value is None:
            return [], f"{label}“{part}”不是可选值（{OPTION_LABELS[field_name]}）。"
        chosen.append(value)
    return list(dict.fromkeys(chosen)), None


# --- writing -------------------------------------------------------------------------------


def ensure_path(path):
    """The node at 'A/B/C' (names from a root), creating missing nodes; call under the lock."""
    names = [part.strip() for part in path.split("/") if part.strip()]
    if not names:
        raise DirectoryImportError([(0, "目标栏目路径为空。")])
    parent = None
    for name in names:
        node = CatalogNode.objects.filter(parent=parent, name=name).order_by("lft").first()
        if node is None:
            node = CatalogNode(parent=parent, name=name)
            node.save()
        parent = node
    return parent


def import_directory(items, under, agency=None):
    """Create or update the nodes for ``items`` below the node path ``under``."""
    result = ImportResult()
    with transaction.atomic(), tree_write_lock():
        target = ensure_path(under)
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

        firsts = {n.name: n for n in CatalogNode.objects.filter(parent=target)}
        new_firsts = []
        for name in dict.fromkeys(item.first for item in items):
            if name not in firsts:
                node = new_node(target, target.level + 1, name)
                firsts[name] = node
                new_firsts.append(node)
        CatalogNode.objects.bulk_create(new_firsts)
        result.created += len(new_firsts)

        existing = {
            (n.parent_id, n.name): n
            for n in CatalogNode.objects.filter(parent__in=[n.pk for n in firsts.values()])
        }
        to_create, to_update = [], []
        update_fields = set()
        for item in items:
            parent = firsts[item.first]
            values = item.node_values()
            node = existing.get((parent.pk, item.second))
            if node is None:
                to_create.append(new_node(parent, target.level + 2, item.second, **values))
                continue
            changed = [name for name, value in values.items() if getattr(node, name) != value]
            if agency is not None and node.agency_id != agency.pk:
                node.agency = agency
                changed.append("agency")
            if changed:
                for name in changed:
                    if name != "agency":
                        setattr(node, name, values[name])
                update_fields.update(changed)
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
    return result
