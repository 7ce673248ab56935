"""The annual report's tables (国办公开办函〔2021〕30号): what each computed number counts, the
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

from ..applications.models import Application
from ..models.documents import Document, Genre
from .models import LITIGATION_FIELDS, AnnualReport

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


def result_rows():
    """The rows of 三、本年度办理结果 as (row key, result, reason or None), in template order:
    a result without reasons is one row; one with reasons has a row per reason."""
    rows = []
    for result in RESULT_LABELS:
        reasons = Application.REASONS[result]
        if not reasons:
            rows.append((result.value, result, None))
        for reason in reasons:
            rows.append((reason.value, result, reason))
    return rows


RESULT_ROWS = result_rows()
APP_ROWS = ["new", "carried", *(key for key, _r, _s in RESULT_ROWS), "forward"]


def cell_keys():
    """Every computed cell that is counted (and may be overridden), in table order."""
    keys = [f"docs.{row}.{col}" for row, _r in DOC_ROWS for col, _c in DOC_COLUMNS]
    keys += [f"apps.{row}.{col}" for row in APP_ROWS for col, _c in APP_COLUMNS]
    return keys


CELL_KEYS = cell_keys()


def cell_label(key):
    """A cell key in words: 规章 / 本年制发件数, 本年新收 / 自然人 …"""
    _section, row, col = key.split(".")
    if key.startswith("docs."):
        return f"{dict(DOC_ROWS)[row]} · {dict(DOC_COLUMNS)[col]}"
    rows = {
        "new": "一、本年新收",
        "carried": "二、上年结转",
        "forward": "四、结转下年度继续办理",
        TOTAL: "三、（七）总计",
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
    def url(self):
        try:
            base = reverse(f"admin:disclosure_{self.model}_changelist")
        except NoReverseMatch:  # the model has no admin list on this site
            return ""
        return f"{base}?{urlencode(self.params)}"

    def queryset(self):
        """The rows the filter selects (what the test compares the count with)."""
        model = Document if self.model == "document" else Application
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
            "valid": [
                Source(_("现为有效"), "document", {**by_end, "validity__exact": "valid"}),
                Source(
                    _("年末后才改变有效性"),
                    "document",
                    {
                        **by_end,
                        "validity__in": ",".join(
                            v for v in Document.Validity.values if v != "valid"
                        ),
                        "validity_changed_on__gt": last.isoformat(),
                    },
                ),
            ],
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
    new = {"received_on__gte": first.isoformat(), "received_on__lte": last.isoformat()}
    before = {**base, "received_on__lt": first.isoformat()}
    by_end = {**base, "received_on__lte": last.isoformat()}
    closed_in_year = {"closed_on__gte": first.isoformat(), "closed_on__lte": last.isoformat()}
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
    closed = received.closed_between(first, last)
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
class Figures:
    """A report's computed numbers: stored ones for a final report, counted ones for a draft."""

    numbers: dict  # {cell key: number} with overrides applied
    counted: dict  # {cell key: number} as counted (a draft's), or {} for a final report
    sources: dict
    overrides: dict  # {cell key: ReportOverride}
    unplaced: list

    def value(self, key):
        if key.startswith("apps."):
            _s, row, col = key.split(".")
            if row == TOTAL:
                return sum(self.value(f"apps.{r}.{col}") for r, _x, _y in RESULT_ROWS)
            if col == TOTAL:
                return sum(self.numbers.get(f"apps.{row}.{c}", 0) for c, _l in APP_COLUMNS)
        return self.numbers.get(key, 0)

    def balance_errors(self):
        """One message for each column of section 三 where 一 + 二 ≠ 三（七） + 四."""
        errors = []
        for col, label in [*APP_COLUMNS, (TOTAL, "总计")]:
            new, carried = self.value(f"apps.new.{col}"), self.value(f"apps.carried.{col}")
            done, forward = self.value(f"apps.total.{col}"), self.value(f"apps.forward.{col}")
            if new + carried != done + forward:
                errors.append(
                    _(
                        "三、“%(column)s”列不平衡：本年新收 %(new)s + 上年结转 %(carried)s = "
                        "%(left)s，办理结果总计 %(done)s + 结转下年度 %(forward)s = %(right)s。"
                    )
                    % {
                        "column": label,
                        "new": new,
                        "carried": carried,
                        "left": new + carried,
                        "done": done,
                        "forward": forward,
                        "right": done + forward,
                    }
                )
        return errors


def figures_for(report):
    """``report``'s numbers: a final report's as stored, a draft's counted now and overridden."""
    if report.is_final:
        return Figures(dict(report.final_numbers), {}, {}, {}, [])
    counted = count(report.agency, report.year)
    overrides = {o.cell: o for o in report.overrides.all()} if report.pk else {}
    numbers = dict(counted.numbers)
    for key, override in overrides.items():
        if key in numbers:
            numbers[key] = override.value
    return Figures(numbers, counted.numbers, counted.sources, overrides, counted.unplaced)


def problems(report, figures=None):
    """Why ``report`` may not be made final: section 三's balance and section 四's totals."""
    figures = figures or figures_for(report)
    return figures.balance_errors() + report.litigation_errors()


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


def section_two(report, figures):
    head = []
    body = []
    title_row = lambda text: [th(text, scope="colgroup", colspan=4)]  # noqa: E731
    body.append(title_row("第二十条第（一）项"))
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
        ("第二十条第（五）项", "本年处理决定数量", [("行政许可", report.licences)]),
        (
            "第二十条第（六）项",
            "本年处理决定数量",
            [("行政处罚", report.penalties), ("行政强制", report.enforcements)],
        ),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", [("行政事业性收费", report.fees)]),
    ]:
        body.append(title_row(title))
        body.append([th("信息内容"), th(column, colspan=3)])
        for label, value in rows:
            body.append([th(label, scope="row"), num(value, colspan=3)])
    return Table("two", "二、主动公开政府信息情况", head, body, 4)


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
    result_count = len(RESULT_ROWS) + 1
    first = True
    for result, label in RESULT_LABELS.items():
        reasons = Application.REASONS[result]
        row = [th("三、本年度办理结果", scope="rowgroup", rowspan=result_count)] if first else []
        first = False
        if not reasons:
            row += [th(label, scope="row", colspan=2), *numbers(result.value)]
            body.append(row)
            continue
        for index, reason in enumerate(reasons, start=1):
            if index == 1:
                row.append(th(label, scope="rowgroup", rowspan=len(reasons)))
            row += [th(f"{index}.{reason.label}", scope="row"), *numbers(reason.value)]
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
    body = [[num(number) for _g, _l, cells in report.litigation_rows() for _k, _n, number in cells]]
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

ENTERED_FIELDS = ["licences", "penalties", "enforcements", "fees"]


def district_totals(year, reports):
    """The 全区汇总 of ``year``: an unsaved report holding the sums of ``reports``' numbers
    (each final report's stored ones), and its figures."""
    total = AnnualReport(year=year, status=AnnualReport.Status.FINAL)
    numbers = defaultdict(int)
    for name in [*ENTERED_FIELDS, *LITIGATION_FIELDS]:
        setattr(
            total,
            name,
            sum((getattr(r, name) for r in reports), Decimal(0) if name == "fees" else 0),
        )
    for report in reports:
        for key, value in figures_for(report).numbers.items():
            numbers[key] += value
    total.final_numbers = dict(numbers)
    return total, figures_for(total)
