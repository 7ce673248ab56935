"""Catalogue listings (公开目录, 条例 Art. 12): the rows, the filters and who may ask for what.

One module builds the rows for every surface: the public download (``public_listing``), the
staff export in the admin and ``manage.py export_catalog``; every one of them is handed out by
the download pipeline (``downloads``), which neutralises formula cells and audits the file.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django import forms
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import TreeModelChoiceField
from catalog.models import Agency, CatalogNode
from disclosure.documents.models import Attachment, Document, Genre, Topic
from portal import downloads
from portal.downloads import ENCODINGS, PUBLIC, XLSX_MAX_ROWS, Download, ExportLimited, Link  # noqa: F401
from portal.links import pk_url_template

HEADERS = [
    "序号", "索引号", "名称", "文号", "发布机构", "主题分类", "体裁分类", "成文日期", "发布日期",
    "有效性", "公开方式", "所属栏目", "内容概述", "链接",
]  # fmt: skip
COLUMN_WIDTHS = [7, 32, 60, 24, 28, 18, 14, 12, 12, 8, 10, 40, 60, 46]
# A staff export that may hold documents the public cannot see says of each what it is.
STATUS_HEADERS = ["状态", "撤回时间"]
STATUS_WIDTHS = [16, 18]
# What staff and auditors are told besides: who wrote and who published it, why it was
# withdrawn, how many attachments it has.
STAFF_HEADERS = ["起草（提交）人", "审核发布人", "撤回原因", "附件数"]
STAFF_WIDTHS = [14, 14, 40, 8]


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


def export_queryset(filters, viewer):
    """The documents of a listing, for ``viewer``: PUBLIC (public documents only, whatever the
    filters ask), SYSTEM (a command: any status asked for) or a staff member (their agencies)."""
    if filters.statuses and viewer is not PUBLIC:
        documents = Document.objects.filter(status__in=filters.statuses)
    else:
        documents = Document.objects.public()
    if viewer is not PUBLIC:
        documents = documents.for_staff(viewer)
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
    return documents.order_by("-published_at", "-pk")


def node_paths(public=False):
    """{node pk: "政务公开/法定主动公开内容/…"} for every node (``CatalogNode.paths``)."""
    return {pk: "/".join(names) for pk, names in CatalogNode.paths(public=public).items()}


LISTING_FIELDS = [
    "pk", "index_number_text", "title", "doc_number", "agency__name",
    "topic__parent__name", "topic__name", "genre__name", "written_on", "published_at", "validity",
    "disclosure_mode", "node_id", "summary",
]  # fmt: skip
STATUS_FIELDS = ["status", "withdrawn_at", "is_public"]
STAFF_FIELDS = [
    "submitted_by__last_name", "submitted_by__first_name", "submitted_by__username",
    "published_by__last_name", "published_by__first_name", "published_by__username",
    "withdrawn_reason", "attachment_count",
]  # fmt: skip


def person_name(last, first, username):
    """A member of staff as the portal names them: 姓名, or the login name without one."""
    return f"{last or ''}{first or ''}".strip() or username or ""


def staff_cells(values):
    """The staff columns of a row from its STAFF_FIELDS values."""
    s_last, s_first, s_user, p_last, p_first, p_user, reason, attachments = values
    return [
        person_name(s_last, s_first, s_user),
        person_name(p_last, p_first, p_user),
        reason,
        attachments,
    ]


def topic_label(parent, name):
    """主题分类 as a reader finds it: 综合政务 / 其他 (a second-level topic under its parent)."""
    if not name:
        return ""
    return f"{parent} / {name}" if parent else name


def status_label(status, is_public, labels):
    label = str(labels.get(status, status))
    if status == Document.Status.PUBLISHED and not is_public:
        return f"{label}（尚未公开）"  # scheduled for later, or 依申请公开
    return label


def listing_rows(documents, base_url, public=False, with_status=False, staff=False):
    """Header, then one row per document, streamed from the database, newest first.

    Reads only the listed columns (never the bodies) as tuples: the export runs at the speed
    of the database cursor, in constant memory. ``public``: column paths name no hidden column.
    ``with_status``: the rows may hold documents the public cannot see: each gets its 状态 (and
    撤回时间), and only a document the public can read now gets a link. ``staff``: who wrote
    and published each document, why it was withdrawn and how many attachments it has.
    Cells are typed: 序号 a number, dates as dates, the link a ``Link``.
    """
    yield (HEADERS + (STATUS_HEADERS if with_status else []) + (STAFF_HEADERS if staff else []))
    paths = node_paths(public)
    labels = {
        "validity": dict(Document.Validity.choices),
        "mode": dict(Document.DisclosureMode.choices),
        "status": dict(Document.Status.choices),
    }
    url_pattern = base_url + pk_url_template("disclosure:document")
    fields = list(LISTING_FIELDS)
    if with_status:
        documents = documents.annotate(
            is_public=Exists(Document.objects.public().filter(pk=OuterRef("pk")))
        )
        fields += STATUS_FIELDS
    if staff:
        documents = documents.annotate(attachment_count=ATTACHMENT_COUNT)
        fields += STAFF_FIELDS
    rows = documents.values_list(*fields).iterator(chunk_size=2000)
    for number, row in enumerate(rows, start=1):
        yield listing_row(number, row, paths, labels, url_pattern, with_status, staff)


# The number of a document's attachments, one subquery per row (never a GROUP BY over the
# whole export).
ATTACHMENT_COUNT = Coalesce(
    Subquery(
        Attachment.objects.filter(document=OuterRef("pk"))
        .order_by()
        .values("document")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    ),
    0,
)


def listing_row(number, row, paths, labels, url_pattern, with_status, staff):
    """One document's cells from its values (LISTING_FIELDS, then the status and staff ones)."""
    (pk, index_number, title, doc_number, agency, topic_parent, topic, genre, written,
     published, valid, mode, node_id, summary) = row[: len(LISTING_FIELDS)]  # fmt: skip
    rest = row[len(LISTING_FIELDS) :]
    status, withdrawn_at, is_public = (
        rest[: len(STATUS_FIELDS)] if with_status else (None, None, True)
    )
    cells = [
        number,
        index_number,
        title,
        doc_number,
        agency,
        topic_label(topic_parent, topic),
        genre or "",
        written,
        timezone.localtime(published).date() if published else None,
        str(labels["validity"].get(valid, valid)),
        str(labels["mode"].get(mode, mode)),
        paths.get(node_id, ""),
        summary,
        Link(url_pattern.format(pk)) if is_public else None,
    ]
    if with_status:
        cells += [
            status_label(status, is_public, labels["status"]),
            timezone.localtime(withdrawn_at).replace(tzinfo=None) if withdrawn_at else None,
        ]
    if staff:
        cells += staff_cells(rest[-len(STAFF_FIELDS) :])
    return cells


def too_large_for_xlsx(documents):
    return documents.count() > XLSX_MAX_ROWS


class ExportForm(forms.Form):
    """The listing's filters, for the public download and the staff export alike."""

    node = TreeModelChoiceField(
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
    topic = TreeModelChoiceField(label=_("主题分类"), queryset=Topic.objects.all(), required=False)
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
        label=_("格式"), choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")], initial="xlsx"
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
            self.fields["node"].queryset = CatalogNode.objects.for_staff(user)
            self.fields["agency"].queryset = Agency.objects.for_staff(user)

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


def listing_filename():
    """The download's name, without extension."""
    return f"政府信息公开目录_{timezone.localdate():%Y%m%d}"


def listing_download(filters, viewer, base_url):
    """The listing of ``filters`` as ``viewer`` may see it, ready for the download pipeline."""
    documents = export_queryset(filters, viewer)
    public = viewer is PUBLIC
    with_status = bool(filters.statuses) and not public
    return Download(
        what="catalog_listing",
        filename=listing_filename(),
        rows=listing_rows(documents, base_url, public, with_status, staff=not public),
        sheet="公开目录",
        widths=COLUMN_WIDTHS
        + (STATUS_WIDTHS if with_status else [])
        + ([] if public else STAFF_WIDTHS),
        details={} if public else {"filters": filters.describe()},
        # The public's file is data to reuse: its header is its first row.
        title="" if public else listing_title(filters),
    ), documents


def listing_title(filters):
    """What a staff export holds, for its title row."""
    scope = "；".join(
        f"{label}：{value}"
        for label, value in (
            ("栏目", filters.node and filters.node.name),
            ("发布机构", filters.agency and filters.agency.name),
            ("发布日期自", filters.date_from),
            ("至", filters.date_to),
            ("体裁", filters.genre and filters.genre.name),
            ("主题", filters.topic and filters.topic.name),
            ("有效性", filters.validity and Document.Validity(filters.validity).label),
        )
        if value
    )
    statuses = "、".join(str(Document.Status(s).label) for s in filters.statuses) or "已公开"
    return f"政府信息公开目录（{statuses}{'；' + scope if scope else ''}）"


def export_response(request, filters, file_format="csv", encoding="utf-8", *, user):
    """A staff member's listing as a download: their agencies only, audited, and limited per
    person like every staff download (the pipeline raises ``downloads.ExportLimited``)."""
    base_url = request.build_absolute_uri("/").rstrip("/")
    download, documents = listing_download(filters, user, base_url)
    if file_format == "xlsx":
        download.total = documents.count()
        if download.total > XLSX_MAX_ROWS:
            raise downloads.TooLarge
    return downloads.response(download, file_format, user, encoding)
