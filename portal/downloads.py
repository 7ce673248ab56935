"""The one download pipeline: every file the portal makes from rows or a writer goes through it.

Rows in (the header row first) → a CSV streamed row by row (UTF-8 with a BOM, so Excel on
Chinese Windows reads it, or GB18030) or an XLSX written in xlsxwriter's constant-memory mode →
every text cell a spreadsheet would run as a formula neutralised, and what XML cannot carry left
out → the row count and the SHA-256 of the bytes recorded in one audit event, with who asked,
what and in which format. No file is ever held whole in memory. Files go out with the portal's
file headers (``portal.files``).

Every workbook the portal writes comes from ``new_workbook``, which writes strings as strings:
text never becomes a formula, an array formula (``{=…}``), a number or a hyperlink (``file:``,
``external:``, ``https://``…). The only hyperlinks in a file are the ``Link`` cells the portal
makes itself, to its own http(s) addresses.

A cell is text, a number (int or float), a date (``datetime.date``), a ``Link`` or None. The XLSX
keeps each as its type (number cells, date cells with a date format, hyperlinks) under a header
row with an autofilter; the CSV writes dates as YYYY-MM-DD and a link as its address.

Who asks is a staff user, ``SYSTEM`` (a management command) or ``PUBLIC`` (the public listing's
files, built for anonymous visitors: public information, so not audited). A staff user's every
download, whatever it holds, takes that person's one export slot (``staff_export_slot``): one
at a time, STAFF_EXPORTS_PER_MINUTE a minute.
"""

import csv
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit
from portal.actors import SYSTEM
from portal.control_characters import strip_for_xml
from portal.files import file_response, protect
from portal.models import AuditEvent
from portal.ratelimit import Limited, RateLimit

FORMATS = ("csv", "xlsx")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ENCODINGS = {"utf-8": "UTF-8（Excel 可直接打开）", "gb18030": "GB18030（旧版软件）"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_576 - 1  # Excel's limit, less the header row
# What makes a spreadsheet read a cell as a formula: OWASP's list (= + - @ tab CR), the "{" of
# an array formula ({=…}), and the full-width ＝＋－＠, which Excel with a Chinese or Japanese
# input method takes for the ASCII ones when it parses an entry (an apostrophe costs nothing
# where it does not).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "{", "＝", "＋", "－", "＠")
XLSX_MAX_LINKS = 65_530  # Excel's limit of hyperlinks on one sheet; past it links stay text
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Link:
    """A cell that is a hyperlink to ``url`` (an absolute address), shown as ``text`` or it."""

    url: str
    text: str = ""

    def __str__(self):
        return self.url


class _Public:
    def __repr__(self):
        return "PUBLIC"


PUBLIC = _Public()  # the public listing's files: built for anonymous visitors, not audited


class TooLarge(Exception):
    """More rows than one Excel sheet holds."""


class ExportLimited(Exception):
    """A staff member asked for a download beyond their limit; the message says which."""


RUNNING_EXPORT_SECONDS = 600  # an export that never finished frees the user's slot after this
# One download at a time per person (the slot is given back when the file is done) ...
RUNNING_EXPORTS = RateLimit("staff-export:running", 1, RUNNING_EXPORT_SECONDS)
# ... and STAFF_EXPORTS_PER_MINUTE of them a minute.
EXPORTS_PER_MINUTE = RateLimit(
    "staff-export:started", lambda: settings.STAFF_EXPORTS_PER_MINUTE, 60
)


def staff_export_slot(actor):
    """Take ``actor``'s export slot: one download at a time, STAFF_EXPORTS_PER_MINUTE a minute
    (nothing for SYSTEM or PUBLIC). Counted by the portal's limiter, so every worker process
    sees them. Returns the function that frees the slot when the file is done; raises
    ExportLimited."""
    if actor is SYSTEM or actor is PUBLIC:
        return lambda: None
    key = f"user:{actor.pk}"
    try:
        running = RUNNING_EXPORTS.take(key)
    except Limited:
        raise ExportLimited(_("您已有一个导出正在进行，请等它完成后再试。")) from None
    try:
        EXPORTS_PER_MINUTE.take(key)
    except Limited:
        running.give_back()
        raise ExportLimited(
            _("导出过于频繁：每人每分钟最多导出 %(limit)d 次，请稍后再试。")
            % {"limit": settings.STAFF_EXPORTS_PER_MINUTE}
        ) from None
    return running.give_back


def limited_page(request, limited, admin_site):
    """What an admin download view answers when ``limited`` (ExportLimited): 429 and why."""
    context = {**admin_site.each_context(request), "title": _("请稍后再导出"), "message": limited}
    return TemplateResponse(request, "admin/export_limited.html", context, status=429)


@dataclass
class Download:
    """A file to hand out: its rows and what the audit log says of it."""

    what: str  # the audit event's name for it: catalog_listing, proposals, compliance_report
    filename: str  # without an extension
    rows: Iterable[Sequence]  # the header row first
    sheet: str = "Sheet1"
    widths: Sequence[int] = ()
    details: dict = field(default_factory=dict)  # what else the audit event records
    # The XLSX's title row above the header: what the file holds (its scope); the moment it
    # was made and ``total`` (the number of data rows, when known before writing) are added.
    title: str = ""
    total: int | None = None
    # Further sheets of the XLSX (a summary): (name, rows with their header first, widths).
    # The CSV holds the first sheet only.
    more_sheets: Sequence[tuple[str, Iterable[Sequence], Sequence[int]]] = ()


def neutralise(value):
    """A cell as text, without what XML cannot carry; one that starts like a formula gets a
    leading apostrophe."""
    text = "" if value is None else strip_for_xml(str(value))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def new_workbook(target, **options):
    """An xlsxwriter workbook writing to ``target`` in which ``write()`` and ``merge_range()``
    keep every string a string: never a formula, a number or a hyperlink."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        target,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            **options,
        },
    )


def cell_text(value):
    """A cell as the CSV writes it: numbers as digits, dates as YYYY-MM-DD, links as addresses."""
    if isinstance(value, bool):
        return neutralise(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


class Tally:
    """Counts data rows and hashes the bytes of a file as they pass."""

    def __init__(self):
        self.rows = 0
        self.sha256 = hashlib.sha256()

    def feed(self, chunk):
        self.sha256.update(chunk)
        return chunk


class _Line:
    """A file-like that hands back what csv.writer writes."""

    def write(self, value):
        return value


def csv_chunks(rows, encoding="utf-8", tally=None):
    """CSV bytes, a row at a time, every cell neutralised."""
    tally = tally or Tally()
    writer = csv.writer(_Line())
    if encoding == "utf-8":
        yield tally.feed(b"\xef\xbb\xbf")
    for index, row in enumerate(rows):
        if index:
            tally.rows += 1
        yield tally.feed(writer.writerow([cell_text(v) for v in row]).encode(encoding))


def write_xlsx(
    rows, target, sheet_name="Sheet1", widths=(), *, title="", total=None, more_sheets=()
):
    """Write an XLSX in constant memory: each sheet with its title row (when ``title`` is
    given), a frozen bold header with an autofilter, set widths, typed cells, and set up to
    print (landscape A4, fit to the width of a page, the header repeated on every page).

    ``target`` is a path or a binary file. Returns the number of data rows of the first
    sheet; raises TooLarge past Excel's row limit."""
    workbook = new_workbook(target, constant_memory=True, tmpdir=tempfile.gettempdir())
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1}),
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "datetime": workbook.add_format({"num_format": DATE_FORMAT + " hh:mm"}),
        "link": workbook.get_default_url_format(),
    }
    made = timezone.localtime()
    try:
        count = _write_sheet(
            workbook, sheet_name, rows, widths, formats, title_row(title, made, total)
        )
        for name, more_rows, more_widths in more_sheets:
            _write_sheet(workbook, name, more_rows, more_widths, formats, title_row(title, made))
    finally:
        workbook.close()
    return count


def title_row(title, made, total=None):
    """The text of a sheet's title row: what it holds, when it was made, how many rows."""
    if not title:
        return ""
    parts = [neutralise(title), f"导出时间：{made:%Y-%m-%d %H:%M}"]
    if total is not None:
        parts.append(f"共 {total} 条")
    return "　".join(parts)


def _write_sheet(workbook, name, rows, widths, formats, title):
    sheet = workbook.add_worksheet(name)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    top = 1 if title else 0  # the header's row
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    sheet.freeze_panes(top + 1, 0)
    limit = XLSX_MAX_ROWS - top
    count, columns, links = -1, 0, 0
    for count, row in enumerate(rows):
        if count > limit:
            raise TooLarge
        if count == 0:
            columns = len(row)
            if title:
                _write_title(sheet, title, columns, formats["title"])
            for col, value in enumerate(row):
                sheet.write_string(top, col, neutralise(value), formats["header"])
            continue
        for col, value in enumerate(row):
            links += write_cell(sheet, top + count, col, value, formats, links < XLSX_MAX_LINKS)
    if columns:
        sheet.autofilter(top, 0, top + max(count, 0), columns - 1)
    return max(count, 0)


def _write_title(sheet, text, columns, title_format):
    if columns > 1:
        sheet.merge_range(0, 0, 0, columns - 1, text, title_format)
    else:
        sheet.write_string(0, 0, text, title_format)


def download_xlsx(download, target):
    """``download`` as an XLSX written to ``target``; returns its number of data rows."""
    return write_xlsx(
        download.rows,
        target,
        download.sheet,
        download.widths,
        title=download.title,
        total=download.total,
        more_sheets=download.more_sheets,
    )


def write_cell(sheet, row, col, value, formats, may_link):
    """Write one data cell as its type; returns 1 when it became a hyperlink."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        sheet.write_string(row, col, neutralise(value))
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), formats["datetime"])
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, formats["date"])
    elif isinstance(value, Link):
        text = neutralise(value.text or value.url)
        # write_url refuses (returns non-zero) an address Excel cannot hold; it stays text then.
        if not (
            may_link
            and value.url.startswith(("http://", "https://"))
            and sheet.write_url(row, col, value.url, formats["link"], text) == 0
        ):
            sheet.write_string(row, col, neutralise(value.url))
            return 0
        return 1
    else:
        # write_string: a cell like "=1+1" stays text (and is neutralised besides).
        sheet.write_string(row, col, neutralise(value))
    return 0


def file_sha256(handle):
    """The SHA-256 of an open binary file, read from its start; leaves it at its start."""
    handle.seek(0)
    sha = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 16), b""):
        sha.update(chunk)
    handle.seek(0)
    return sha


def record(download, actor, file_format, rows, sha256, complete=True, ip=None):
    """The one audit event of a download (none for PUBLIC)."""
    if actor is PUBLIC:
        return
    audit.record(
        AuditEvent.Action.EXPORT,
        actor=actor,
        actor_name="manage.py" if actor is SYSTEM else None,
        ip=ip,
        details={
            "what": download.what,
            "format": file_format,
            **download.details,
            "rows": rows,
            "sha256": sha256,
            "complete": complete,
        },
    )


def write_file(download, file_format, target, actor, encoding="utf-8"):
    """Write ``download`` to ``target`` (a path or a binary file) and audit it.

    Returns ``(rows, sha256 hex)``."""
    if file_format == "xlsx":
        if isinstance(target, str | bytes) or hasattr(target, "__fspath__"):
            with open(target, "w+b") as handle:
                rows = download_xlsx(download, handle)
                sha = file_sha256(handle).hexdigest()
        else:
            rows = download_xlsx(download, target)
            sha = file_sha256(target).hexdigest()
    else:
        tally = Tally()
        handle = open(target, "wb") if not hasattr(target, "write") else target
        try:
            for chunk in csv_chunks(download.rows, encoding, tally):
                handle.write(chunk)
        finally:
            if handle is not target:
                handle.close()
        rows, sha = tally.rows, tally.sha256.hexdigest()
    record(download, actor, file_format, rows, sha)
    return rows, sha


class _ClosingChunks:
    """A response's chunks that call ``on_close`` when the response closes, read or not."""

    def __init__(self, chunks, on_close):
        self.chunks, self.on_close = chunks, on_close

    def __iter__(self):
        return self.chunks

    def close(self):
        try:
            self.chunks.close()
        finally:
            self.on_close()


def response(
    download, file_format, actor, encoding="utf-8", on_close: Callable[[], None] | None = None
):
    """``download`` as an HTTP attachment, audited.

    A CSV streams, and its event (marked incomplete if the client went away) is written when the
    last row has been sent; an XLSX is written to a temporary file first and audited then.
    ``on_close`` runs once the file is done with. Raises ExportLimited past the actor's limit."""
    release = staff_export_slot(actor)
    try:
        return _response(download, file_format, actor, encoding, _both(release, on_close))
    except BaseException:
        release()
        raise


def _both(release, on_close):
    def close():
        try:
            if on_close is not None:
                on_close()
        finally:
            release()

    return close


def _response(download, file_format, actor, encoding, on_close):
    if file_format == "xlsx":
        try:
            handle = tempfile.TemporaryFile()
            rows = download_xlsx(download, handle)
            record(download, actor, "xlsx", rows, file_sha256(handle).hexdigest())
        finally:
            on_close()
        return file_response(
            handle, f"{download.filename}.xlsx", XLSX_TYPE, private=actor is not PUBLIC
        )
    encoding = encoding if encoding in ENCODINGS else "utf-8"
    tally = Tally()
    # The rows stream after the view has returned, when the request's address is gone.
    ip = audit.current_ip.get()

    def stream():
        complete = False
        try:
            yield from csv_chunks(download.rows, encoding, tally)
            complete = True
        finally:
            record(download, actor, "csv", tally.rows, tally.sha256.hexdigest(), complete, ip)

    body = _ClosingChunks(stream(), on_close)
    http = StreamingHttpResponse(body, content_type=f"text/csv; charset={encoding}")
    return protect(http, f"{download.filename}.csv", private=actor is not PUBLIC)


@dataclass
class BuiltFile:
    """A file made whole by a writer (a report as .docx or .xlsx), not from rows: small, so
    written to a temporary file, then hashed and audited like every other download."""

    what: str  # the audit event's name for it: annual_report
    filename: str  # without an extension
    file_format: str  # its extension
    content_type: str
    write: Callable  # write(binary file) -> the number of table rows written
    details: dict = field(default_factory=dict)


def write_built(built, target, actor):
    """Write ``built`` to ``target`` (a path or a binary file) and audit it.

    Returns ``(rows, sha256 hex)``."""
    if hasattr(target, "write"):
        rows = built.write(target)
        sha = file_sha256(target).hexdigest()
    else:
        with open(target, "w+b") as handle:
            rows = built.write(handle)
            sha = file_sha256(handle).hexdigest()
    record(built, actor, built.file_format, rows, sha)
    return rows, sha


def built_response(built, actor):
    """``built`` as an HTTP attachment, audited (unless ``actor`` is PUBLIC); a staff actor's
    download takes their export slot (raises ExportLimited)."""
    release = staff_export_slot(actor)
    try:
        handle = tempfile.TemporaryFile()
        write_built(built, handle, actor)
    finally:
        release()
    return file_response(
        handle,
        f"{built.filename}.{built.file_format}",
        built.content_type,
        private=actor is not PUBLIC,
    )
