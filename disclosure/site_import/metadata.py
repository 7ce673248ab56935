"""The old site's metadata file (.xlsx, .csv or .json): one row per document, read within
bounds, headers recognised by the words old sites use (索引号, 发布机构/发文机关, 成文日期/发文日期,
发布日期/公开日期, 文号/发文字号, 有效性/时效性 …), values kept as written."""

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath

from django.utils import timezone

from catalog.importer import fill_merged
from disclosure.documents.models import Document
from disclosure.site_import.package import METADATA_MAX_BYTES, PackageRefused
from portal.control_characters import refused_character
from portal.office_files import ArchiveLimits, OfficeFileRefused
from portal.spreadsheets import SheetLimits, read_first_sheet

MAX_ROWS = 200_001  # header included
MAX_COLUMNS = 60
MAX_CELL_CHARS = 20_000
METADATA_ARCHIVE = ArchiveLimits(
    max_bytes=METADATA_MAX_BYTES,
    max_members=500,
    max_uncompressed=512 * 1024 * 1024,
    max_ratio=100,
)
METADATA_SHEET = SheetLimits(
    max_rows=MAX_ROWS, max_columns=MAX_COLUMNS, max_merges=1000, label="元数据表"
)

# field: header words (compared without spaces, colons and brackets), the first the one shown.
HEADERS = {
    "title": ["标题", "文件标题", "信息名称", "名称", "题名", "文件名称"],
    "index_number": ["索引号", "信息索引号"],
    "agency": ["发布机构", "发文机构", "发文机关", "制定机关", "发布单位", "所属机构", "公开主体"],
    "node": ["栏目", "所属栏目", "公开目录", "目录分类", "栏目路径", "信息目录"],
    "topic": ["主题分类", "主题"],
    "genre": ["体裁分类", "体裁", "文种", "公文种类", "文种分类"],
    "doc_number": ["文号", "发文字号", "字号", "文件编号", "发文文号"],
    "written_on": ["成文日期", "发文日期", "生成日期", "产生日期", "签发日期"],
    "published_at": ["发布日期", "公开日期", "公布日期", "发布时间", "发布日期时间"],
    "validity": ["有效性", "时效性", "效力状态"],
    "keywords": ["关键词", "主题词", "关键字"],
    "summary": ["内容概述", "摘要", "内容摘要", "概述", "内容简介"],
    "body": ["正文文件", "正文", "正文文件名", "body"],
    "attachments": ["附件", "附件文件", "附件文件名", "attachments"],
}
REQUIRED = ("title", "index_number", "agency", "node", "published_at", "body")
LABELS = {key: words[0] for key, words in HEADERS.items()}
LENGTHS = {"title": 300, "index_number": 100, "doc_number": 100, "keywords": 200}
HEADER_NOISE = re.compile(r"[\s:：【】\[\]()（）*]")
VALIDITY = {
    "": "",  # not stated on the old site: shown as such, not taken for 有效
    "有效": Document.Validity.VALID,
    "现行有效": Document.Validity.VALID,
    "是": Document.Validity.VALID,
    "失效": Document.Validity.EXPIRED,
    "已失效": Document.Validity.EXPIRED,
    "无效": Document.Validity.EXPIRED,
    "废止": Document.Validity.REPEALED,
    "已废止": Document.Validity.REPEALED,
    "已修订": Document.Validity.AMENDED,
    "修订": Document.Validity.AMENDED,
    "已修改": Document.Validity.AMENDED,
}
DATE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"|(?P<m8>\d{2})(?P<d8>\d{2}))"
    r"(?:[\sT]+(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2})(?:\.\d+)?)?)?$"
)
ATTACHMENT_SEPARATORS = re.compile(r"[;；|\n]")


class MetadataRefused(PackageRefused):
    """The metadata file cannot be read at all."""


@dataclass
class OldDocument:
    """One row of the metadata file, values as written (stripped), dates parsed."""

    row: int
    values: dict = field(default_factory=dict)
    written_on: date | None = None
    published_at: datetime | None = None
    validity: str = ""
    attachments: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def __getitem__(self, key):
        # Only the metadata fields: a template asking for ``row`` then reads the attribute.
        if key not in HEADERS:
            raise KeyError(key)
        return self.values.get(key, "")


def read_rows(package, entry):
    """(header row, data rows) of the metadata entry, each a list of strings."""
    suffix = PurePosixPath(entry.name).suffix.lower()
    if suffix == ".json":
        return _json_rows(package.read(entry, METADATA_MAX_BYTES, "元数据文件"))
    if suffix == ".csv":
        rows = _csv_rows(package.read(entry, METADATA_MAX_BYTES, "元数据文件"))
    else:
        spooled = package.spool(entry, METADATA_MAX_BYTES, "元数据文件")
        try:
            sheet = read_first_sheet(spooled.file, METADATA_ARCHIVE, METADATA_SHEET)
        except OfficeFileRefused as exc:
            raise MetadataRefused(f"无法读取元数据表：{exc}") from None
        finally:
            spooled.close()
        rows = _bounded(sheet.rows)
        fill_merged(rows, sheet.merged)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise MetadataRefused("元数据文件是空的。")
    return rows[0], rows[1:]


def _csv_rows(raw):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise MetadataRefused("无法识别元数据 CSV 的编码，请另存为 UTF-8 或 GB18030。")
    try:
        return _bounded(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise MetadataRefused(f"元数据 CSV 格式有误（{exc}）。") from None


def _bounded(rows):
    table = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise MetadataRefused(f"元数据超过 {MAX_ROWS - 1} 行，请分成几个文件包导入。")
        if any(len(cell) > MAX_CELL_CHARS for cell in row):
            raise MetadataRefused(f"元数据第{number}行有单元格超过 {MAX_CELL_CHARS} 个字符。")
        table.append([str(cell) for cell in row[:MAX_COLUMNS]])
    return table


def _json_rows(raw):
    """A JSON list of objects (or {"documents": [...]}) as a header and rows of strings."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MetadataRefused(f"元数据 JSON 无法读取（{exc}）。") from None
    if isinstance(data, dict):
        data = data.get("documents")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise MetadataRefused("元数据 JSON 应为对象的列表，每个对象是一份文件。")
    if len(data) >= MAX_ROWS:
        raise MetadataRefused(f"元数据超过 {MAX_ROWS - 1} 条，请分成几个文件包导入。")
    header = list(dict.fromkeys(key for item in data for key in item))[:MAX_COLUMNS]
    rows = []
    for number, item in enumerate(data, start=1):
        row = []
        for key in header:
            value = item.get(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = ";".join(value)
            if value is not None and not isinstance(value, (str, int, float)):
                raise MetadataRefused(f"元数据第{number}条的“{key}”不是文字。")
            text = "" if value is None else str(value)
            if len(text) > MAX_CELL_CHARS:
                raise MetadataRefused(f"元数据第{number}条的“{key}”超过 {MAX_CELL_CHARS} 个字符。")
            row.append(text)
        rows.append(row)
    return header, rows


def header_fields(header):
    """{field: column} from the header row; MetadataRefused naming the missing columns."""
    words = {
        HEADER_NOISE.sub("", word).lower(): key
        for key, options in HEADERS.items()
        for word in options
    }
    words.update({key.lower(): key for key in HEADERS})
    columns = {}
    for column, cell in enumerate(header):
        key = words.get(HEADER_NOISE.sub("", unicodedata.normalize("NFKC", cell)).lower())
        if key and key not in columns:
            columns[key] = column
    missing = [LABELS[key] for key in REQUIRED if key not in columns]
    if missing:
        raise MetadataRefused(
            f"元数据缺少这些列：{'、'.join(missing)}（第一行应为表头，如 标题、索引号、发布机构、"
            "栏目、发布日期、正文文件）。"
        )
    return columns


def parse_date(text):
    """(date, time or None) of a date as old sites write it, or None."""
    value = unicodedata.normalize("NFKC", text).strip()
    match = DATE.match(value)
    if not match:
        return None
    month, day = match["m"] or match["m8"], match["d"] or match["d8"]
    try:
        day_value = date(int(match["y"]), int(month), int(day))
        clock = time(int(match["H"]), int(match["M"]), int(match["S"] or 0)) if match["H"] else None
    except ValueError:
        return None
    if not 1990 <= day_value.year <= 2100:
        return None
    return day_value, clock


def read_documents(header, rows):
    """OldDocuments of the rows; problems of a row are listed on it (``problems``)."""
    columns = header_fields(header)
    documents = []
    for number, row in enumerate(rows, start=2):
        values = {
            key: (row[column] if column < len(row) else "").strip()
            for key, column in columns.items()
        }
        documents.append(_read_document(number, values))
    return documents


def _read_document(number, values):
    document = OldDocument(row=number, values=values)
    problems = document.problems
    for key in REQUIRED:
        if not values.get(key):
            problems.append(f"缺少{LABELS[key]}。")
    for key, text in values.items():
        bad = refused_character(text)
        if bad:
            problems.append(f"{LABELS[key]}含有不允许的控制字符（{bad}）。")
        if key in LENGTHS and len(text) > LENGTHS[key]:
            problems.append(f"{LABELS[key]}超过 {LENGTHS[key]} 个字符。")
    for key in ("written_on", "published_at"):
        if values.get(key):
            parsed = parse_date(values[key])
            if parsed is None:
                problems.append(f"{LABELS[key]}“{values[key]}”无法识别，应如 2022-07-15。")
            elif key == "written_on":
                document.written_on = parsed[0]
            else:
                moment = datetime.combine(parsed[0], parsed[1] or time(0, 0))
                document.published_at = timezone.make_aware(moment)
    written, published = document.written_on, document.published_at
    if written and published and written > timezone.localtime(published).date():
        problems.append(
            f"成文日期 {written} 晚于发布日期 {timezone.localtime(published).date()}，请核对原网站的日期。"
        )
    validity = unicodedata.normalize("NFKC", values.get("validity", "")).strip()
    if validity not in VALIDITY:
        problems.append(f"有效性“{validity}”无法识别，应为 有效、失效、废止 或 已修订。")
    else:
        document.validity = VALIDITY[validity]
    document.attachments = [
        name.strip()
        for name in ATTACHMENT_SEPARATORS.split(values.get("attachments", ""))
        if name.strip()
    ]
    return document
