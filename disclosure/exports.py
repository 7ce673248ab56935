"""Catalogue listings (公开目录, 条例 Art. 12) as CSV or XLSX, in constant memory.

One module builds the rows for every surface: the public download, the staff export in the
admin and ``manage.py export_catalog``. Cells a spreadsheet would run as a formula are
neutralised; staff exports are recorded in the audit log with their row count and SHA-256.
"""

import csv
import hashlib
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency, CatalogNode
from catalog.scoping import open_nodes, scoped_agencies, scoped_documents
from portal import audit
from portal.links import pk_url_template
from portal.models import AuditEvent

from .index_numbers import format_index_number
from .models import Document, Genre, Topic

HEADERS = [
    "序号", "索引号", "名称", "文号", "发布机构", "主题分类", "体裁分类", "成文日期", "发布日期",
    "有效性", "公开方式", "所属栏目", "内容概述", "链接",
]  # fmt: skip
COLUMN_WIDTHS = [7, 32, 60, 24, 28, 18, 14, 12, 12, 8, 10, 40, 60, 46]
XLSX_MAX_ROWS = 1_048_576 - 1  # Excel's limit, less the header row
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ENCODINGS = {"utf-8": "UTF-8（Excel 可直接打开）", "gb18030": "GB18030（旧版软件）"}


class ExportTooLarge(Exception):
    pass


class ExportLimited(Exception):
    """A staff member asked for an export beyond their limit; the message says which."""


RUNNING_EXPORT_SECONDS = 600  # an export that never finished frees the user's slot after this


def staff_export_slot(user):
    """Take ``user``'s export slot: one export at a time, STAFF_EXPORTS_PER_MINUTE a minute.

    Counted in the shared cache, so every worker process sees them. Returns the function that
    frees the slot when the export is done; raises ExportLimited.
    """
    shared = caches["shared"]
    running = f"staff-export:running:{user.pk}"
    if not shared.add(running, 1, RUNNING_EXPORT_SECONDS):
        raise ExportLimited(_("您已有一个导出正在进行，请等它完成后再试。"))
    minute = f"staff-export:count:{user.pk}:{int(timezone.now().timestamp() // 60)}"
    shared.add(minute, 0, 120)
    try:
        count = shared.incr(minute)
    except ValueError:  # expired between add and incr
        shared.set(minute, count := 1, 120)
    limit = settings.STAFF_EXPORTS_PER_MINUTE
    if count > limit:
        shared.delete(running)
        raise ExportLimited(
            _("导出过于频繁：每人每分钟最多导出 %(limit)d 次，请稍后再试。") % {"limit": limit}
        )
    return lambda: shared.delete(running)


def neutralise(value):
    """A cell as text; one that starts like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass
class ExportFilters:
    node: CatalogNode | None = None
    agency: Agency | None = None
    date_from: date | None = None
    date_to: date | None = None
    genre: Genre | None = None
    topic: Topic | None = None
    validity: str = ""
    statuses: list = field(default_factory=list)  # empty: public documents only

    def describe(self):
        """What the audit log records of the filters."""
        parts = {
            "node": self.node and self.node.name,
            "agency": self.agency and self.agency.name,
            "date_from": self.date_from and self.date_from.isoformat(),
            "date_to": self.date_to and self.date_to.isoformat(),
            "genre": self.genre and self.genre.name,
            "topic": self.topic and self.topic.name,
            "validity": self.validity,
            "statuses": self.statuses or ["public"],
        }
        return {k: v for k, v in parts.items() if v}


def export_queryset(filters, user=None):
    """The documents of a listing. Without ``user``: the public view. With: that staff member's."""
    if filters.statuses:
        documents = Document.objects.filter(status__in=filters.statuses)
    else:
        documents = Document.objects.public()
    if user is not None:
        documents = scoped_documents(documents, user)
    documents = documents.with_metadata(
        node=filters.node,
        agency=filters.agency,
        topic=filters.topic,
        genre=filters.genre,
        validity=filters.validity,
    )
    tz = timezone.get_current_timezone()
    if filters.date_from:
        documents = documents.filter(
            published_at__gte=datetime.combine(filters.date_from, time.min, tz)
        )
    if filters.date_to:
        documents = documents.filter(
            published_at__lte=datetime.combine(filters.date_to, time.max, tz)
        )
    return documents.order_by("published_at", "pk")


def node_paths(public=False):
    """{node pk: "政务公开/法定主动公开内容/…"} for every node, from one query.

    ``public``: hidden columns (and everything beneath them) are left out of every path; a node
    inside a hidden column gets the path of its nearest visible ancestor ("" under a hidden root).
    """
    paths, hidden = {}, set()
    rows = CatalogNode.objects.order_by("tree_id", "lft").values_list(
        "pk", "parent_id", "name", "is_visible"
    )
    for pk, parent_id, name, is_visible in rows:
        parent_path = paths.get(parent_id, "")
        if public and (not is_visible or parent_id in hidden):
            hidden.add(pk)
            paths[pk] = parent_path
        else:
            paths[pk] = f"{parent_path}/{name}" if parent_path else name
    return paths


LISTING_FIELDS = [
    "pk", "index_code", "index_year", "index_serial", "title", "doc_number", "agency__name",
    "topic__name", "genre__name", "written_on", "published_at", "validity", "disclosure_mode",
    "node_id", "summary",
]  # fmt: skip


def listing_rows(documents, base_url, public=False):
    """Header, then one neutralised row per document, streamed from the database.

    Reads only the listed columns (never the bodies) as tuples: the export runs at the speed
    of the database cursor, in constant memory. ``public``: column paths name no hidden column.
    """
    yield HEADERS
    paths = node_paths(public)
    validity = dict(Document.Validity.choices)
    modes = dict(Document.DisclosureMode.choices)
    url_pattern = base_url + pk_url_template("disclosure:document")
    rows = documents.values_list(*LISTING_FIELDS).iterator(chunk_size=2000)
    for number, row in enumerate(rows, start=1):
        (pk, code, year, serial, title, doc_number, agency, topic, genre, written, published, valid, mode,
         node_id, summary) = row  # fmt: skip
        yield [
            str(number),
            format_index_number(code, year, serial),
            neutralise(title),
            neutralise(doc_number),
            neutralise(agency),
            neutralise(topic or ""),
            neutralise(genre or ""),
            written.isoformat() if written else "-",
            timezone.localtime(published).date().isoformat() if published else "-",
            str(validity.get(valid, valid)),
            str(modes.get(mode, mode)),
            neutralise(paths.get(node_id, "")),
            neutralise(summary),
            url_pattern.format(pk),
        ]


class _Line:
    """A file-like that hands back what csv.writer writes."""

    def write(self, value):
        return value


class Tally:
    """Counts data rows and hashes the bytes of an export as they pass."""

    def __init__(self):
        self.rows = 0
        self.sha256 = hashlib.sha256()

    def feed(self, chunk):
        self.sha256.update(chunk)
        return chunk


def csv_chunks(rows, encoding="utf-8", tally=None):
    """CSV bytes, a row at a time; UTF-8 starts with a BOM so Excel on Chinese Windows reads it."""
    tally = tally or Tally()
    writer = csv.writer(_Line())
    if encoding == "utf-8":
        yield tally.feed(b"\xef\xbb\xbf")
    for index, row in enumerate(rows):
        if index:
            tally.rows += 1
        yield tally.feed(writer.writerow(row).encode(encoding))


REPORT_WIDTHS = [7, 20, 50, 80, 50]


def write_xlsx(rows, target, sheet_name="公开目录", widths=COLUMN_WIDTHS):
    """Write an XLSX (one sheet, frozen header, set widths) in xlsxwriter's constant-memory mode.

    ``target`` is a path or a binary file. Returns the number of data rows.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "tmpdir": tempfile.gettempdir()}
    )
    sheet = workbook.add_worksheet(sheet_name)
    header = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    count = -1
    for count, row in enumerate(rows):
        if count > XLSX_MAX_ROWS:
            workbook.close()
            raise ExportTooLarge
        # write_string: a title like "=1+1" stays text (and is neutralised besides).
        for col, value in enumerate(row):
            sheet.write_string(count, col, value, header if count == 0 else None)
    workbook.close()
    return max(count, 0)


def file_sha256(handle):
    handle.seek(0)
    sha = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 16), b""):
        sha.update(chunk)
    handle.seek(0)
    return sha


def record_download(user, what, file_format, rows, sha256, complete=True, **details):
    """One audit event for a file handed out: what, its format, row count and SHA-256."""
    audit.record(
        AuditEvent.Action.EXPORT,
        actor=user,
        actor_name=None if user else "manage.py",
        details={
            "what": what,
            "format": file_format,
            **details,
            "rows": rows,
            "sha256": sha256,
            "complete": complete,
        },
    )


def record_export(user, filters, rows, sha256, file_format, complete=True):
    record_download(
        user, "catalog_listing", file_format, rows, sha256, complete, filters=filters.describe()
    )


def too_large_for_xlsx(documents):
    return documents.count() > XLSX_MAX_ROWS


class ExportForm(forms.Form):
    """The listing's filters, for the public download and the staff export alike."""

    node = forms.ModelChoiceField(
        label=_("栏目（含下级）"), queryset=CatalogNode.objects.none(), required=False
    )
    agency = forms.ModelChoiceField(
        label=_("发布机构"), queryset=Agency.objects.none(), required=False
    )
    date_from = forms.DateField(
        label=_("发布日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("发布日期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    genre = forms.ModelChoiceField(
        label=_("体裁分类"), queryset=Genre.objects.all(), required=False
    )
    topic = forms.ModelChoiceField(
        label=_("主题分类"), queryset=Topic.objects.all(), required=False
    )
    validity = forms.ChoiceField(
        label=_("有效性"), required=False, choices=[("", "全部"), *Document.Validity.choices]
    )
    status = forms.MultipleChoiceField(
        label=_("状态"),
        required=False,
        choices=Document.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则只导出已公开的文件。"),
    )
    format = forms.ChoiceField(
        label=_("格式"), choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")], initial="csv"
    )
    encoding = forms.ChoiceField(
        label=_("CSV 编码"), choices=list(ENCODINGS.items()), initial="utf-8", required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None:
            del self.fields["status"]
            self.fields["node"].queryset = CatalogNode.objects.visible()
            self.fields["agency"].queryset = Agency.objects.all()
        else:
            self.fields["node"].queryset = open_nodes(CatalogNode.objects.all(), user)
            self.fields["agency"].queryset = scoped_agencies(Agency.objects.all(), user)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        for day in (start, end):
            if day and not 1949 <= day.year <= 2100:
                raise forms.ValidationError(_("日期应在1949年至2100年之间。"))
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return cleaned

    def filters(self):
        data = self.cleaned_data
        return ExportFilters(
            node=data.get("node"),
            agency=data.get("agency"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            genre=data.get("genre"),
            topic=data.get("topic"),
            validity=data.get("validity") or "",
            statuses=list(data.get("status") or []),
        )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def listing_filename():
    """The download's name, without extension."""
    return f"政府信息公开目录_{timezone.localdate():%Y%m%d}"


def export_response(request, filters, file_format="csv", encoding="utf-8", user=None):
    """The listing as a download: CSV streamed, XLSX built in a temporary file.

    Staff exports (``user`` given) are scoped to the user's agencies, audited and limited per
    user (``staff_export_slot``, which raises ExportLimited).
    """
    release = staff_export_slot(user) if user is not None else (lambda: None)
    try:
        return _export_response(request, filters, file_format, encoding, user, release)
    except BaseException:
        release()
        raise


class _ReleasingChunks:
    """A response's chunks that free the export slot when the response closes, read or not."""

    def __init__(self, chunks, release):
        self.chunks, self.release = chunks, release

    def __iter__(self):
        return self.chunks

    def close(self):
        try:
            self.chunks.close()
        finally:
            self.release()


def _export_response(request, filters, file_format, encoding, user, release):
    documents = export_queryset(filters, user)
    base_url = request.build_absolute_uri("/").rstrip("/")
    public = user is None
    filename = listing_filename()
    if file_format == "xlsx":
        if too_large_for_xlsx(documents):
            raise ExportTooLarge
        handle = tempfile.TemporaryFile()
        rows = write_xlsx(listing_rows(documents, base_url, public), handle)
        sha = file_sha256(handle).hexdigest()
        if user is not None:
            record_export(user, filters, rows, sha, "xlsx")
        release()
        return FileResponse(
            handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
        )

    encoding = encoding if encoding in ENCODINGS else "utf-8"
    tally = Tally()

    def stream():
        complete = False
        try:
            yield from csv_chunks(listing_rows(documents, base_url, public), encoding, tally)
            complete = True
        finally:
            if user is not None:
                record_export(user, filters, tally.rows, tally.sha256.hexdigest(), "csv", complete)

    response = StreamingHttpResponse(
        _ReleasingChunks(stream(), release), content_type=f"text/csv; charset={encoding}"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def report_response(report, file_format, user):
    """A compliance report as a CSV or XLSX download, recorded in the audit log."""
    filename = f"合规检查_{report.as_of:%Y%m%d}"
    as_of = report.as_of.isoformat()
    if file_format == "xlsx":
        handle = tempfile.TemporaryFile()
        rows = write_xlsx(report.rows(), handle, sheet_name="合规检查", widths=REPORT_WIDTHS)
        sha = file_sha256(handle).hexdigest()
        record_download(user, "compliance_report", "xlsx", rows, sha, as_of=as_of)
        return FileResponse(
            handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
        )
    tally = Tally()

    def stream():
        complete = False
        try:
            yield from csv_chunks(report.rows(), "utf-8", tally)
            complete = True
        finally:
            record_download(
                user,
                "compliance_report",
                "csv",
                tally.rows,
                tally.sha256.hexdigest(),
                complete,
                as_of=as_of,
            )

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response
