"""The annual report's tables in the national templates (国办公开办函〔2021〕30号 from the report of
2021; 国办公开办函〔2019〕60号 for those of 2019 and 2020): what each computed number counts, the
balance rule of section 三, and the tables as grids of cells with the template's merged headings.

Every computed number has a key (``docs.rules.issued``, ``apps.new.person`` …) and the admin
changelist filters that list what it counts. The HTML page, the .docx and the .xlsx all draw
the same grids (``report_tables``), so the three never disagree.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from disclosure.applications.models import Application
from disclosure.documents.models.documents import Document, Genre
from disclosure.reports.models import LITIGATION_FIELDS, AnnualReport, Template, template_for_year

# --- section 二（一）: documents -----------------------------------------------------------

DOC_ROWS = [("rules", "规章"), ("normative", "行政规范性文件")]
DOC_COLUMNS = [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("valid", "现行有效件数")]
# 失效 and 废止 take a document out of force; 已修订 leaves its revised text in force.
OUT_OF_FORCE = (Document.Validity.EXPIRED, Document.Validity.REPEALED)

# --- section 三: applications --------------------------------------------------------------

AT = Application.ApplicantType
APP_COLUMNS = [(t.value, t.label) for t in AT]  # 自然人, then the five 法人或其他组织 kinds
TOTAL = "total"
R = Application.Result
RESULT_LABELS = {
    R.DISCLOSED: "（一）予以公开",
    R.PARTIAL: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    R.WITHHELD: "（三）不予公开",
    R.UNAVAILABLE: "（四）无法提供",
    R.NOT_PROCESSED: "（五）不予处理",
    R.OTHER: "（六）其他处理",
}


# The 2019 template has one row for （六）其他处理, where the 2021 one has a row per reason.
WHOLE_OTHER = "other_handling"


def result_rows(template=Template.T2021):
    """The rows of 三、本年度办理结果 as (row key, result, reason or None), in template order:
    a result without reasons is one row; one with reasons has a row per reason."""
    rows = []
    for result in RESULT_LABELS:
        reasons = Application.REASONS[result]
        if template == Template.T2019 and result == R.OTHER:
            rows.append((WHOLE_OTHER, result, None))
            continue
        if not reasons:
            rows.append((result.value, result, None))
        for reason in reasons:
            rows.append((reason.value, result, reason))
    return rows


RESULT_ROWS = result_rows()
RESULT_ROWS_BY_TEMPLATE = {Template.T2021: RESULT_ROWS, Template.T2019: result_rows(Template.T2019)}
APP_ROWS = ["new", "carried", *(key for key, _r, _s in RESULT_ROWS), "forward"]

# --- the 2019 template's section 二 (all entered) ------------------------------------------

DOC_ROWS_2019 = [("rules", "规章"), ("normative", "规范性文件")]
DOC_COLUMNS_2019 = [
    ("made", "本年新制作数量"),
    ("published", "本年新公开数量"),
    ("in_public", "对外公开总数量"),
]
ITEM_COLUMNS = {"previous": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量"}
# (第二十条 item, its columns, its rows); 本年增/减 may be negative.
ITEM_GROUPS_2019 = [
    (
        "第二十条第（五）项",
        ["previous", "change", "decisions"],
        [("licences", "行政许可"), ("services", "其他对外管理服务事项")],
    ),
    (
        "第二十条第（六）项",
        ["previous", "change", "decisions"],
        [("penalties", "行政处罚"), ("enforcements", "行政强制")],
    ),
    ("第二十条第（八）项", ["previous", "change"], [("fees", "行政事业性收费")]),
]
PROCUREMENT_COUNT = "items.procurement.count"

# The report's own fields each template shows in section 二 (the rest of its cells are keys).
ENTERED_BY_TEMPLATE = {
    Template.T2021: ["licences", "penalties", "enforcements", "fees"],
    Template.T2019: ["procurement_amount"],
}
AMOUNT_FIELDS = ("fees", "procurement_amount")


def app_keys(template, totals=False):
    """Section 三's cells; with ``totals`` the 总计 column and the （七）总计 row too."""
    rows = [key for key, _r, _s in RESULT_ROWS_BY_TEMPLATE[template]]
    rows = ["new", "carried", *rows, *([TOTAL] if totals else []), "forward"]
    columns = [col for col, _l in APP_COLUMNS] + ([TOTAL] if totals else [])
    return [f"apps.{row}.{col}" for row in rows for col in columns]


def printed_keys(template):
    """Every number cell of a printed report of ``template`` kept in ``printed_numbers``, in
    table order (the report's own fields, ``f.<name>``, are not among them)."""
    if template == Template.T2019:
        keys = [f"docs.{r}.{c}" for r, _l in DOC_ROWS_2019 for c, _c in DOC_COLUMNS_2019]
        for _title, columns, rows in ITEM_GROUPS_2019:
            keys += [f"items.{row}.{col}" for row, _l in rows for col in columns]
        keys.append(PROCUREMENT_COUNT)
    else:
        keys = [f"docs.{row}.{col}" for row, _r in DOC_ROWS for col, _c in DOC_COLUMNS]
    return keys + app_keys(template, totals=True)


def field_keys(template):
    """The report's own number fields a printed report of ``template`` enters, as ``f.<name>``."""
    return [f"f.{name}" for name in [*ENTERED_BY_TEMPLATE[template], *LITIGATION_FIELDS]]


def cell_keys():
    """Every computed cell that is counted (and may be overridden), in table order."""
    keys = [f"docs.{row}.{col}" for row, _r in DOC_ROWS for col, _c in DOC_COLUMNS]
    keys += [f"apps.{row}.{col}" for row in APP_ROWS for col, _c in APP_COLUMNS]
    return keys


CELL_KEYS = cell_keys()


def cell_label(key):
    """A cell key in words: 规章 · 本年制发件数, 一、本年新收 · 自然人 …"""
    if key.startswith("f."):
        return str(AnnualReport._meta.get_field(key[2:]).verbose_name)
    _section, row, col = key.split(".")
    if key.startswith("docs."):
        rows, columns = dict(DOC_ROWS + DOC_ROWS_2019), dict(DOC_COLUMNS + DOC_COLUMNS_2019)
        return f"{rows[row]} · {columns[col]}"
    if key.startswith("items."):
        rows = {r: label for _t, _c, group in ITEM_GROUPS_2019 for r, label in group}
        rows["procurement"] = "政府集中采购"
        return f"{rows[row]} · {ITEM_COLUMNS.get(col, '采购项目数量')}"
    rows = {
        "new": "一、本年新收",
        "carried": "二、上年结转",
        "forward": "四、结转下年度继续办理",
        TOTAL: "三、（七）总计",
        WHOLE_OTHER: "（六）其他处理",
    }
    for row_key, result, reason in RESULT_ROWS:
        rows[row_key] = RESULT_LABELS[result].split("（区分")[0] + (
            f" · {reason.label}" if reason else ""
        )
    columns = {**dict(APP_COLUMNS), TOTAL: "总计"}
    return f"{rows[row]} · {columns[col]}"


def cell_choices():
    return [(key, cell_label(key)) for key in CELL_KEYS]


# --- counting ------------------------------------------------------------------------------


@dataclass
class Source:
    """What a computed number counts, as an admin changelist filter."""

    label: str
    model: str  # "document" or "application"
    params: dict

    @property
    def counted_model(self):
        return Document if self.model == "document" else Application

    @property
    def url(self):
        opts = self.counted_model._meta
        try:
            base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:  # the model has no admin list on this site
            return ""
        return f"{base}?{urlencode(self.params)}"

    def queryset(self):
        """The rows the filter selects (what the test compares the count with)."""
        model = self.counted_model
        filters = {}
        for name, value in self.params.items():
            if name.endswith("__in"):
                value = value.split(",")
            elif name.endswith("__isnull"):
                value = value == "True"
            filters[name] = value
        return model.objects.filter(**filters)


@dataclass
class Counted:
    numbers: dict = field(default_factory=dict)  # {cell key: number}
    sources: dict = field(default_factory=dict)  # {cell key: [Source]}
    # Applications closed in the year whose result and reason name no row of the table.
    unplaced: list = field(default_factory=list)


def year_bounds(year):
    return date(year, 1, 1), date(year, 12, 31)


def in_force_sources(documents, last):
    """现行有效 on ``last`` (31 December), as three disjoint lists: 有效 and never changed,
    有效 since a change by that day, and changed after it from 有效. A blank validity (not
    stated) is never counted, nor a document that became 有效 only after the year."""
    valid, end = Document.Validity.VALID, last.isoformat()
    not_valid_now = ",".join(["", *(v for v in Document.Validity.values if v != valid)])
    return [
        Source(
            _("现为有效，从未变更"),
            "document",
            {**documents, "validity__exact": valid, "validity_changed_on__isnull": "True"},
        ),
        Source(
            _("年末前变更为有效"),
            "document",
            {**documents, "validity__exact": valid, "validity_changed_on__lte": end},
        ),
        Source(
            _("年末后才由有效变更"),
            "document",
            {
                **documents,
                "validity__in": not_valid_now,
                "validity_before__exact": valid,
                "validity_changed_on__gt": end,
            },
        ),
    ]


def count_documents(agency, year, counted):
    """Section 二（一）: the agency's published documents of the 规章 and 规范性文件 genres."""
    first, last = year_bounds(year)
    genres = defaultdict(list)
    for pk, row in Genre.objects.exclude(report_row="").values_list("pk", "report_row"):
        genres[row].append(str(pk))
    base = {"agency__id__exact": agency.pk, "status__exact": Document.Status.PUBLISHED}
    out = ",".join(OUT_OF_FORCE)
    for row, _label in DOC_ROWS:
        ids = genres.get(row)
        if not ids:
            for col, _c in DOC_COLUMNS:
                counted.numbers[f"docs.{row}.{col}"] = 0
                counted.sources[f"docs.{row}.{col}"] = []
            continue
        of_row = {**base, "genre__id__in": ",".join(ids)}
        written = {"written_on__gte": first.isoformat(), "written_on__lte": last.isoformat()}
        by_end = {**of_row, "written_on__lte": last.isoformat()}
        sources = {
            "issued": [Source(_("本年成文"), "document", {**of_row, **written})],
            "repealed": [
                Source(
                    _("本年失效或废止"),
                    "document",
                    {
                        **of_row,
                        "validity__in": out,
                        "validity_changed_on__gte": first.isoformat(),
                        "validity_changed_on__lte": last.isoformat(),
                    },
                )
            ],
            "valid": in_force_sources(by_end, last),
        }
        for col, _c in DOC_COLUMNS:
            key = f"docs.{row}.{col}"
            counted.sources[key] = sources[col]
            counted.numbers[key] = sum(s.queryset().count() for s in sources[col])


def _by_type(queryset):
    return dict(
        queryset.order_by()
        .values_list("applicant_type")
        .annotate(n=Count("pk"))
        .values_list("applicant_type", "n")
    )


def count_applications(agency, year, counted):
    """Section 三: the agency's applications, received (received_on set) and closed (closed_on)."""
    first, last = year_bounds(year)
    received = Application.objects.filter(agency=agency).received()
    base = {"agency__id__exact": agency.pk, "received_on__isnull": "False"}
    _count_received(received, base, first, last, counted)
    _count_closed(received.closed_between(first, last), base, first, last, counted)


def _count_received(received, base, first, last, counted):
    """Rows 新收, 上年结转 and 结转下年 of section 三, by applicant type, with their sources."""
    new = {"received_on__gte": first.isoformat(), "received_on__lte": last.isoformat()}
    before = {**base, "received_on__lt": first.isoformat()}
    by_end = {**base, "received_on__lte": last.isoformat()}
    groups = {
        "new": (
            received.received_between(first, last),
            [(_("本年收到"), {**base, **new})],
        ),
        "carried": (
            received.filter(received_on__lt=first).filter(
                Q(closed_on__isnull=True) | Q(closed_on__gte=first)
            ),
            [
                (_("上年收到、尚未办结"), {**before, "closed_on__isnull": "True"}),
                (_("上年收到、本年及以后办结"), {**before, "closed_on__gte": first.isoformat()}),
            ],
        ),
        "forward": (
            received.filter(received_on__lte=last).filter(
                Q(closed_on__isnull=True) | Q(closed_on__gt=last)
            ),
            [
                (_("尚未办结"), {**by_end, "closed_on__isnull": "True"}),
                (_("次年及以后办结"), {**by_end, "closed_on__gt": last.isoformat()}),
            ],
        ),
    }
    for row, (queryset, filters) in groups.items():
        numbers = _by_type(queryset)
        for col, _c in APP_COLUMNS:
            key = f"apps.{row}.{col}"
            counted.numbers[key] = numbers.get(col, 0)
            counted.sources[key] = [
                Source(label, "application", {**params, "applicant_type__exact": col})
                for label, params in filters
            ]


def _count_closed(closed, base, first, last, counted):
    """The result rows of section 三: applications closed in the year, by result (and reason)
    and applicant type, with their sources; one closed in no row is listed as unplaced."""
    closed_in_year = {"closed_on__gte": first.isoformat(), "closed_on__lte": last.isoformat()}
    tally = Counter()
    places = {
        (result.value, reason.value if reason else ""): key for key, result, reason in RESULT_ROWS
    }
    for pk, kind, result, reason in closed.values_list("pk", "applicant_type", "result", "reason"):
        key = places.get((result, reason if Application.REASONS.get(result) else ""))
        if key is None:
            counted.unplaced.append(pk)
            continue
        tally[(key, kind)] += 1
    for key, result, reason in RESULT_ROWS:
        params = {**base, **closed_in_year, "result__exact": result.value}
        if reason:
            params["reason__exact"] = reason.value
        for col, _c in APP_COLUMNS:
            cell = f"apps.{key}.{col}"
            counted.numbers[cell] = tally[(key, col)]
            counted.sources[cell] = [
                Source(_("本年办结"), "application", {**params, "applicant_type__exact": col})
            ]


def count(agency, year):
    """The computed numbers of ``agency``'s report for ``year``, as the data stand now."""
    counted = Counted()
    count_documents(agency, year, counted)
    count_applications(agency, year, counted)
    return counted


# --- a report's numbers --------------------------------------------------------------------


@dataclass
class Finding:
    """A sum that does not add up, and the cells (keys) it concerns, to be shown where."""

    message: str
    keys: tuple


@dataclass
class Figures:
    """A report's numbers: stored ones for a final report, entered ones for a printed report,
    counted ones for a draft."""

    numbers: dict  # {cell key: number} with overrides applied
    counted: dict  # {cell key: number} as counted (a draft's), or {}
    sources: dict
    overrides: dict  # {cell key: ReportOverride}
    unplaced: list
    # A printed report's 总计 cells are as printed; a counted report's are the sums.
    printed: bool = False
    template: str = Template.T2021

    @property
    def result_rows(self):
        return RESULT_ROWS_BY_TEMPLATE[self.template]

    def value(self, key):
        if key.startswith("apps.") and not self.printed:
            _s, row, col = key.split(".")
            if row == TOTAL:
                return sum(self.value(f"apps.{r}.{col}") for r, _x, _y in self.result_rows)
            if col == TOTAL:
                return sum(self.numbers.get(f"apps.{row}.{c}", 0) for c, _l in APP_COLUMNS)
        return self.numbers.get(key, 0)

    def balance_findings(self):
        """One finding for each column of section 三 where 一 + 二 ≠ 三（七） + 四."""
        findings = []
        for col, label in [*APP_COLUMNS, (TOTAL, "总计")]:
            new, carried = self.value(f"apps.new.{col}"), self.value(f"apps.carried.{col}")
            done, forward = self.value(f"apps.total.{col}"), self.value(f"apps.forward.{col}")
            if new + carried != done + forward:
                message = _(
                    "三、“%(column)s”列不平衡：本年新收 %(new)s + 上年结转 %(carried)s = "
                    "%(left)s，办理结果总计 %(done)s + 结转下年度 %(forward)s = %(right)s。"
                ) % {
                    "column": label,
                    "new": new,
                    "carried": carried,
                    "left": new + carried,
                    "done": done,
                    "forward": forward,
                    "right": done + forward,
                }
                keys = tuple(f"apps.{row}.{col}" for row in ("new", "carried", TOTAL, "forward"))
                findings.append(Finding(message, keys))
        return findings

    def balance_errors(self):
        """One message for each column of section 三 where 一 + 二 ≠ 三（七） + 四."""
        return [finding.message for finding in self.balance_findings()]

    def total_findings(self):
        """A printed report's 总计 cells that are not the sums of their parts: a row's 总计
        column, and a column's （七）总计 row."""
        if not self.printed:
            return []
        findings = []
        parts = [col for col, _l in APP_COLUMNS]
        rows = ["new", "carried", *(r for r, _x, _y in self.result_rows), TOTAL, "forward"]
        for row in rows:
            total = self.value(f"apps.{row}.{TOTAL}")
            summed = sum(self.value(f"apps.{row}.{col}") for col in parts)
            if total != summed:
                message = _("三、“%(row)s”行：总计 %(total)s 不等于各类申请人之和 %(sum)s。") % {
                    "row": cell_label(f"apps.{row}.{TOTAL}").split(" · ")[0],
                    "total": total,
                    "sum": summed,
                }
                findings.append(Finding(message, (f"apps.{row}.{TOTAL}",)))
        for col, label in [*APP_COLUMNS, (TOTAL, "总计")]:
            total = self.value(f"apps.{TOTAL}.{col}")
            summed = sum(self.value(f"apps.{r}.{col}") for r, _x, _y in self.result_rows)
            if total != summed:
                message = _(
                    "三、“%(column)s”列：（七）总计 %(total)s 不等于各项办理结果之和 %(sum)s。"
                ) % {"column": label, "total": total, "sum": summed}
                findings.append(Finding(message, (f"apps.{TOTAL}.{col}",)))
        return findings


def litigation_findings(report):
    """Section 四's 总计 cells unequal to their four parts."""
    findings = []
    for group, label, cells in report.litigation_rows():
        parts = sum(number for key, _name, number in cells if key != "total")
        if parts != cells[-1][2]:
            message = _(
                "四、%(group)s：总计 %(total)s 不等于结果维持、结果纠正、其他结果、尚未审结之和 %(parts)s。"
            ) % {"group": label, "total": cells[-1][2], "parts": parts}
            findings.append(Finding(message, (f"f.{group}_total",)))
    return findings


def findings(report, figures=None):
    """What does not add up in ``report``, each with the cells concerned."""
    figures = figures or figures_for(report)
    return [*figures.balance_findings(), *figures.total_findings(), *litigation_findings(report)]


def figures_for(report):
    """``report``'s numbers: a final report's as stored, a printed draft's as entered, a counted
    draft's counted now and overridden."""
    if report.is_final or report.is_printed:
        stored = report.final_numbers if report.is_final else report.printed_numbers
        return Figures(dict(stored), {}, {}, {}, [], report.is_printed, report.template)
    counted = count(report.agency, report.year)
    overrides = {o.cell: o for o in report.overrides.all()} if report.pk else {}
    numbers = dict(counted.numbers)
    for key, override in overrides.items():
        if key in numbers:
            numbers[key] = override.value
    return Figures(numbers, counted.numbers, counted.sources, overrides, counted.unplaced)


def problems(report, figures=None):
    """What does not add up: section 三's balance (and a printed report's 总计 cells) and
    section 四's totals. A counted report may not be made final with any; a printed one may."""
    return [finding.message for finding in findings(report, figures)]


# --- the tables as grids ---------------------------------------------------------------------


@dataclass
class Cell:
    text: str = ""
    value: object = None  # a number cell's value (int or Decimal); text cells leave it None
    header: bool = False
    scope: str = ""
    colspan: int = 1
    rowspan: int = 1
    key: str = ""  # a computed cell's key
    sources: list = field(default_factory=list)
    counted: object = None  # a draft's counted value where staff overrode it
    override: object = None
    entry_input: object = None  # the entry page's input for the cell
    warn: bool = False  # the entry page: a sum this cell is part of does not add up

    @property
    def is_number(self):
        return self.value is not None

    @property
    def display(self):
        if self.value is None:
            return self.text
        if isinstance(self.value, Decimal):
            text = format(self.value.normalize(), "f")
            return text
        return str(self.value)


def th(text, scope="col", colspan=1, rowspan=1):
    return Cell(text=text, header=True, scope=scope, colspan=colspan, rowspan=rowspan)


def num(value, key="", figures=None, colspan=1):
    cell = Cell(value=value, key=key, colspan=colspan)
    if figures is not None and key:
        cell.sources = figures.sources.get(key, [])
        override = figures.overrides.get(key)
        if override is not None:
            cell.override = override
            cell.counted = figures.counted.get(key)
    return cell


@dataclass
class Table:
    key: str
    caption: str
    head: list  # rows of header cells
    body: list  # rows of cells
    columns: int


def _title_row(text):
    return [th(text, scope="colgroup", colspan=4)]


def section_two(report, figures):
    if report.template == Template.T2019:
        return section_two_2019(report, figures)
    body = [_title_row("第二十条第（一）项")]
    body.append([th("信息内容"), *(th(label) for _k, label in DOC_COLUMNS)])
    for row, label in DOC_ROWS:
        body.append(
            [th(label, scope="row")]
            + [
                num(figures.value(f"docs.{row}.{col}"), f"docs.{row}.{col}", figures)
                for col, _c in DOC_COLUMNS
            ]
        )
    for title, column, rows in [
        ("第二十条第（五）项", "本年处理决定数量", [("行政许可", "licences")]),
        (
            "第二十条第（六）项",
            "本年处理决定数量",
            [("行政处罚", "penalties"), ("行政强制", "enforcements")],
        ),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", [("行政事业性收费", "fees")]),
    ]:
        body.append(_title_row(title))
        body.append([th("信息内容"), th(column, colspan=3)])
        for label, name in rows:
            body.append(
                [th(label, scope="row"), num(getattr(report, name), f"f.{name}", colspan=3)]
            )
    return Table("two", "二、主动公开政府信息情况", [], body, 4)


def section_two_2019(report, figures):
    """Section 二 of the 2019 template: 制作/公开 numbers of 规章 and 规范性文件, the items of
    第二十条第（五）（六）（八）项 with last year's number and this year's change, and 第（九）项
    政府集中采购."""
    body = [_title_row("第二十条第（一）项")]
    body.append([th("信息内容"), *(th(label) for _k, label in DOC_COLUMNS_2019)])
    for row, label in DOC_ROWS_2019:
        keys = [f"docs.{row}.{col}" for col, _c in DOC_COLUMNS_2019]
        body.append([th(label, scope="row"), *(num(figures.value(k), k) for k in keys)])
    for title, columns, rows in ITEM_GROUPS_2019:
        # A group of two columns stretches its last one over the table's fourth column.
        last = 4 - len(columns)
        body.append(_title_row(title))
        body.append(
            [th("信息内容")]
            + [
                th(ITEM_COLUMNS[col], colspan=last if i == len(columns) else 1)
                for i, col in enumerate(columns, start=1)
            ]
        )
        for row, label in rows:
            cells = [th(label, scope="row")]
            for i, col in enumerate(columns, start=1):
                key = f"items.{row}.{col}"
                span = last if i == len(columns) else 1
                cells.append(num(figures.value(key), key, colspan=span))
            body.append(cells)
    body.append(_title_row("第二十条第（九）项"))
    body.append([th("信息内容"), th("采购项目数量"), th("采购总金额（单位：万元）", colspan=2)])
    body.append(
        [
            th("政府集中采购", scope="row"),
            num(figures.value(PROCUREMENT_COUNT), PROCUREMENT_COUNT),
            num(report.procurement_amount, "f.procurement_amount", colspan=2),
        ]
    )
    return Table("two", "二、主动公开政府信息情况", [], body, 4)


def section_three(report, figures):
    head = [
        [
            th(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                scope="col",
                colspan=3,
                rowspan=3,
            ),
            th("申请人情况", scope="colgroup", colspan=7),
        ],
        [
            th("自然人", rowspan=2),
            th("法人或其他组织", scope="colgroup", colspan=5),
            th("总计", rowspan=2),
        ],
        [th(label) for _k, label in APP_COLUMNS[1:]],
    ]
    columns = [col for col, _l in APP_COLUMNS] + [TOTAL]

    def numbers(row):
        return [num(figures.value(f"apps.{row}.{c}"), f"apps.{row}.{c}", figures) for c in columns]

    body = [
        [th("一、本年新收政府信息公开申请数量", scope="row", colspan=3), *numbers("new")],
        [th("二、上年结转政府信息公开申请数量", scope="row", colspan=3), *numbers("carried")],
    ]
    rows = RESULT_ROWS_BY_TEMPLATE[report.template]
    groups = {}
    for key, result, reason in rows:
        groups.setdefault(result, []).append((key, reason))
    row = [th("三、本年度办理结果", scope="rowgroup", rowspan=len(rows) + 1)]
    for result, members in groups.items():
        label = RESULT_LABELS[result]
        if members[0][1] is None:
            row += [th(label, scope="row", colspan=2), *numbers(members[0][0])]
            body.append(row)
            row = []
            continue
        row.append(th(label, scope="rowgroup", rowspan=len(members)))
        for index, (key, reason) in enumerate(members, start=1):
            row += [th(f"{index}.{reason.label}", scope="row"), *numbers(key)]
            body.append(row)
            row = []
    body.append([th("（七）总计", scope="row", colspan=2), *numbers(TOTAL)])
    body.append([th("四、结转下年度继续办理", scope="row", colspan=3), *numbers("forward")])
    return Table("three", "三、收到和处理政府信息公开申请情况", head, body, 10)


def section_four(report):
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    head = [
        [th("行政复议", scope="colgroup", colspan=5), th("行政诉讼", scope="colgroup", colspan=10)],
        [
            *(th(label, rowspan=2) for label in outcomes),
            th("未经复议直接起诉", scope="colgroup", colspan=5),
            th("复议后起诉", scope="colgroup", colspan=5),
        ],
        [th(label) for label in outcomes * 2],
    ]
    body = [
        [
            num(number, f"f.{group}_{key}")
            for group, _l, cells in report.litigation_rows()
            for key, _n, number in cells
        ]
    ]
    return Table("four", "四、政府信息公开行政复议、行政诉讼情况", head, body, 15)


SECTION_TITLES = [
    ("overview", "一、总体情况"),
    ("two", "二、主动公开政府信息情况"),
    ("three", "三、收到和处理政府信息公开申请情况"),
    ("four", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other_matters", "六、其他需要报告的事项"),
]


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list = field(default_factory=list)
    table: Table | None = None
    entry_input: object = None  # the entry page's text box of a text section


def paragraphs(text):
    """Free text as paragraphs: blank lines (or single line breaks) divide them."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def report_sections(report, figures=None):
    """The six sections of ``report``, in order, with their text or table."""
    figures = figures or figures_for(report)
    tables = {
        "two": section_two(report, figures),
        "three": section_three(report, figures),
        "four": section_four(report),
    }
    sections = []
    for key, title in SECTION_TITLES:
        if key in tables:
            sections.append(Section(key, title, table=tables[key]))
        else:
            text = paragraphs(getattr(report, key)) or [_("无。")]
            sections.append(Section(key, title, paragraphs=text))
    return sections


# --- adding up a year's reports -------------------------------------------------------------

ENTERED_FIELDS = ["licences", "penalties", "enforcements", "fees", "procurement_amount"]


def district_totals(year, reports):
    """The 全区汇总 of ``year``: an unsaved report holding the sums of ``reports``' numbers
    (each final report's stored ones), and its figures."""
    template = reports[0].template if reports else template_for_year(year)
    total = AnnualReport(year=year, status=AnnualReport.Status.FINAL, template=template)
    numbers = defaultdict(int)
    for name in [*ENTERED_FIELDS, *LITIGATION_FIELDS]:
        start = Decimal(0) if name in AMOUNT_FIELDS else 0
        setattr(total, name, sum((getattr(r, name) for r in reports), start))
    for report in reports:
        for key, value in figures_for(report).numbers.items():
            numbers[key] += value
    total.final_numbers = dict(numbers)
    return total, figures_for(total)
