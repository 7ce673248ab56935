"""The compliance report (合规检查): what an inspector would find, as of a given day.

Reproducible for a past date: a document counts as public on that day as
``Document.objects.public(at=…)`` says, at the end of the day.
"""

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Case, F, Max, Q, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from catalog.models import Agency, CatalogNode, effective_time_limit_days
from disclosure.documents.freshness import column_freshness
from disclosure.documents.models import Document
from disclosure.proposals.models import Proposal
from disclosure.reports.annual import problems as report_problems
from disclosure.reports.guide import GUIDE_STALE_DAYS, is_stale
from disclosure.reports.models import AnnualReport, DisclosureGuide, WebsiteAnnualReport
from portal.actors import SYSTEM
from portal.downloads import Download, Link
from portal.links import pk_url_template
from portal.workdays import WorkdayIndex

HOME_STALE_DAYS = 14  # 国办 site inspection: home page not updated for two weeks

KINDS = {
    "late": "逾期公开",
    "backdated_unexplained": "发布日期早于系统记录",
    "backdated": "补录的历史发布日期",
    "stale_column": "栏目不更新",
    "stale_home": "首页不更新",
    "no_interpretation": "行政规范性文件未解读",
    "missing_metadata": "元数据缺失",
    "overdue_proposal": "建议提案逾期未答复",
    "annual_report_missing": "年度报告未公开",
    "annual_report_late": "年度报告逾期公开",
    "annual_report_unbalanced": "年度报告数据不平衡",
    "website_report_missing": "政府网站工作年度报表未发布",
    "website_report_late": "政府网站工作年度报表逾期发布",
    "guide_missing": "未编制公开指南",
    "guide_stale": "公开指南超过一年未更新",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    detail: str
    url: str = ""  # where staff correct it (the admin)
    provisional: bool = False
    agency: str = ""  # 发布机构 (of a column: its agency; of a proposal: its lead unit)
    index_number: str = ""
    public_url: str = ""  # the page the public reads, while the public may read it
    document_pk: int | None = None  # filled in with its agency, number and page (``described``)

    @property
    def kind_label(self):
        return KINDS[self.kind]


@dataclass
class Report:
    as_of: date
    findings: list = field(default_factory=list)

    @property
    def summary(self):
        counts = Counter(f.kind for f in self.findings)
        return [(label, counts.get(kind, 0)) for kind, label in KINDS.items()]

    @property
    def by_agency(self):
        """[(agency, {kind: count}, total)] for every agency with a finding, most first; the
        findings of no agency (the home page) under "全区"."""
        counts = {}
        for finding in self.findings:
            counts.setdefault(finding.agency or "全区", Counter())[finding.kind] += 1
        rows = [(agency, kinds, sum(kinds.values())) for agency, kinds in counts.items()]
        return sorted(rows, key=lambda row: (-row[2], row[0]))

    @property
    def kinds_found(self):
        """The kinds with a finding, in the report's order: the columns of the summary."""
        found = {f.kind for f in self.findings}
        return [(kind, label) for kind, label in KINDS.items() if kind in found]

    def rows(self):
        """The findings as file rows; links absolute (``PORTAL_BASE_URL``), so they open from
        a spreadsheet: the public page while the public may read it, and the admin page."""
        base_url = settings.PORTAL_BASE_URL
        yield ["序号", "问题类型", "发布机构", "索引号", "对象", "说明", "公开页面", "管理页面"]
        for number, finding in enumerate(self.findings, start=1):
            detail = finding.detail + ("（含暂定工作日）" if finding.provisional else "")
            yield [
                number,
                finding.kind_label,
                finding.agency,
                finding.index_number,
                finding.subject,
                detail,
                Link(base_url + finding.public_url) if finding.public_url else None,
                Link(base_url + finding.url) if finding.url else None,
            ]

    @property
    def agency_table(self):
        """The summary per agency: [agency, its count of each kind found…, total]."""
        kinds = self.kinds_found
        return [
            [agency, *[counts.get(kind, 0) for kind, _label in kinds], total]
            for agency, counts, total in self.by_agency
        ]

    def agency_rows(self):
        """The summary per agency as file rows."""
        yield ["发布机构", *[label for _kind, label in self.kinds_found], "合计"]
        yield from self.agency_table


REPORT_WIDTHS = [7, 20, 28, 32, 50, 80, 46, 46]


def report_download(report):
    """The report as a file for the download pipeline: the findings, and in the XLSX a second
    sheet with their number per agency."""
    return Download(
        what="compliance_report",
        filename=f"合规检查_{report.as_of:%Y%m%d}",
        rows=report.rows(),
        sheet="合规检查",
        widths=REPORT_WIDTHS,
        details={"as_of": report.as_of.isoformat()},
        title=f"合规检查（截至 {report.as_of:%Y年%-m月%-d日}）",
        total=len(report.findings),
        more_sheets=[
            ("按机构汇总", report.agency_rows(), [28, *[12] * len(report.kinds_found), 8])
        ],
    )


def end_of(day):
    return datetime.combine(day, time.max, timezone.get_current_timezone())


def public_on(day, viewer):
    """Documents the public could see at the end of ``day``."""
    return Document.objects.public(at=end_of(day)).for_staff(viewer)


def admin_url(document_pk):
    return reverse("admin:disclosure_document_change", args=[document_pk])


# When a document went public, as the late-publication check counts: the moment the server
# recorded (whatever its 发布日期 says), but for a document migrated from an old site with a
# reason, whose old site's date is the only one known (listed as 补录的历史发布日期). Rows
# written without the server's record (bulk loads) count from their 发布日期.
FIRST_PUBLIC = Case(
    When(~Q(migrated_index_number="") & ~Q(backdate_reason=""), then=F("published_at")),
    default=Coalesce("published_recorded_at", "published_at"),
)


def late_disclosures(day, viewer):
    rows = (
        public_on(day, viewer)
        .exclude(written_on=None)
        .annotate(first_public=FIRST_PUBLIC)
        # Not public yet on ``day`` by the server's record: not counted.
        .filter(first_public__lte=end_of(day))
        .values_list(
            "pk", "title", "written_on", "published_at", "first_public", "node__time_limit_days"
        )
    )
    published = [
        (
            pk,
            title,
            written,
            timezone.localtime(first).date(),
            None if first == shown else shown,
            limit,
        )
        for pk, title, written, shown, first, limit in rows
    ]
    if not published:
        return []
    index = WorkdayIndex(
        min(r[2] for r in published) - timedelta(days=1), max(max(r[3] for r in published), day)
    )
    findings = []
    for pk, title, written, published_on, shown, limit in published:
        limit = effective_time_limit_days(limit)
        elapsed = index.between(written, published_on)
        if elapsed > limit:
            shown_on = shown and timezone.localtime(shown).date()
            shown = (
                f"（页面显示 {shown_on}，按系统记录计）"
                if shown_on not in (None, published_on)
                else ""
            )
            findings.append(
                Finding(
                    "late",
                    title,
                    f"成文日期 {written}，发布日期 {published_on}{shown}，相隔 {int(elapsed)} 个工作日，超过 {limit} 个工作日的公开时限",
                    admin_url(pk),
                    elapsed.provisional,
                    document_pk=pk,
                )
            )
    return findings


def backdated_documents(day, viewer):
    """Documents public on ``day`` whose 发布日期 lies before the moment the server recorded:
    those migrated from an old site with a reason (补录的历史发布日期, with the reason), and any
    other (a 发布日期 that says more than the server knows: 伪造发稿日期 to an inspector)."""
    rows = (
        public_on(day, viewer)
        .backdated()
        .filter(published_recorded_at__lte=end_of(day))
        .values_list(
            "pk",
            "title",
            "published_at",
            "published_recorded_at",
            "migrated_index_number",
            "backdate_reason",
        )
        .order_by("published_recorded_at", "pk")
    )
    findings = []
    for pk, title, shown, recorded, number, reason in rows:
        shown, recorded = timezone.localtime(shown), timezone.localtime(recorded)
        if number and reason.strip():
            detail = (
                f"发布日期 {shown:%Y-%m-%d}（原网站），本站发布于 {recorded:%Y-%m-%d %H:%M}；"
                f"原索引号 {number}；补录原因：{reason.strip()}"
            )
            findings.append(Finding("backdated", title, detail, admin_url(pk), document_pk=pk))
        else:
            detail = (
                f"页面显示的发布日期 {shown:%Y-%m-%d %H:%M} 早于系统记录的发布时间 "
                f"{recorded:%Y-%m-%d %H:%M}，且不是写明补录原因的迁移文件：检查会认定为伪造发稿日期，"
                "请将发布日期改为系统记录的时间"
            )
            findings.append(
                Finding("backdated_unexplained", title, detail, admin_url(pk), document_pk=pk)
            )
    return findings


def stale_columns(day, viewer):
    findings = []
    columns = CatalogNode.objects.for_staff(viewer).select_related("agency")
    # A column is as fresh as the public sees it: every agency's documents in it count, as they
    # do for 空白栏目 (reports.inspection), though the viewer checks only the columns they work in.
    for column in column_freshness(day, columns):
        if not column.stale:
            continue
        node, period = column.node, column.period_days
        url = reverse("admin:catalog_catalognode_change", args=[node.pk])
        agency = node.agency.name if node.agency else ""
        if column.last_published is None:
            # A blank column is not shown to the public: no public page to link.
            detail = f"{node.get_kind_display()}栏目，要求每 {period} 天更新，尚无公开信息"
            findings.append(Finding("stale_column", node.name, detail, url, agency=agency))
            continue
        detail = (
            f"最近一次更新为 {column.last_published}，已 {column.days_since} 天，"
            f"超过更新周期 {period} 天（{node.get_kind_display()}）"
        )
        findings.append(
            Finding(
                "stale_column",
                node.name,
                detail,
                url,
                agency=agency,
                public_url=node.get_absolute_url(),
            )
        )
    latest = public_on(day, SYSTEM).aggregate(latest=Max("published_at"))["latest"]
    if latest is None or end_of(day) - latest > timedelta(days=HOME_STALE_DAYS):
        when = timezone.localtime(latest).date() if latest else "无"
        findings.append(
            Finding(
                "stale_home",
                "首页",
                f"最新公开信息发布于 {when}，超过 {HOME_STALE_DAYS} 天未更新",
                reverse("home"),
                public_url=reverse("home"),
            )
        )
    return findings


def normative_without_interpretation(day, viewer):
    moment = end_of(day)
    interpreted = public_on(day, SYSTEM).filter(
        genre__is_interpretation=True, published_at__lte=moment
    )
    # The documents a public interpretation explains, as one subquery: excluding through the
    # relation (interpretations__in) made SQLite run it again for each document.
    explained = Document.interprets.through.objects.filter(from_document__in=interpreted).values(
        "to_document"
    )
    documents = (
        public_on(day, viewer)
        .filter(genre__needs_interpretation=True)
        .exclude(pk__in=explained)
        .values_list("pk", "title")
    )
    return [
        Finding(
            "no_interpretation",
            title,
            "行政规范性文件没有公开的政策解读",
            admin_url(pk),
            document_pk=pk,
        )
        for pk, title in documents
    ]


def missing_metadata(day, viewer):
    findings = []
    rows = public_on(day, viewer).values_list(
        "pk",
        "title",
        "topic_id",
        "genre_id",
        # An annual report (年报) is no 公文: it has no 文号, whatever its genre says.
        Case(When(annual_report__isnull=False, then=False), default="genre__requires_doc_number"),
        "doc_number",
        "written_on",
        "published_at",
    )
    for pk, title, topic, genre, needs_number, number, written, published in rows:
        problems = []
        if topic is None:
            problems.append("未填主题分类")
        if genre is None:
            problems.append("未填体裁分类")
        elif needs_number and not number.strip():
            problems.append("缺少文号")
        if written and written > timezone.localtime(published).date():
            problems.append("成文日期晚于发布日期")
        if problems:
            findings.append(
                Finding(
                    "missing_metadata", title, "；".join(problems), admin_url(pk), document_pk=pk
                )
            )
    return findings


def overdue_proposals(day, viewer):
    proposals = (
        Proposal.objects.filter(assigned_on__lte=day)
        .select_related("session", "lead_unit")
        .prefetch_related("replies")
    )
    proposals = proposals.for_staff(viewer)
    findings = []
    for proposal in proposals:
        deadline = proposal.deadline
        if proposal.overdue_on(day):
            findings.append(
                Finding(
                    "overdue_proposal",
                    f"{proposal.session.name}第{proposal.number}号 {proposal.title}",
                    f"主办单位 {proposal.lead_unit.name}，交办 {proposal.assigned_on}，答复期限 {deadline}，逾期未答复",
                    reverse("admin:disclosure_proposal_change", args=[proposal.pk]),
                    deadline.provisional,
                    agency=proposal.lead_unit.name,
                )
            )
    return findings


def annual_report_deadline(agency, year):
    """When ``agency``'s report for ``year`` must be public (条例 Arts. 49-50): 31 March for the
    government itself (the agency at the top of the tree, no parent at district level), 31
    January for its departments and the townships and streets under it."""
    if agency.parent_id is None and agency.level == Agency.Level.DISTRICT:
        return date(year + 1, 3, 31)
    return date(year + 1, 1, 31)


def annual_reports(day, viewer):
    """Reports missing or published after their deadline, and reports whose sums do not add up.

    Every year from the first report on record (at least the last one) whose deadline has
    passed by ``day``; whether a report was public is read as of each moment, so a report
    withdrawn later still counts as published on time. A report published as a document in
    the 年报 column without being compiled here (a printed one, or one from an old site)
    counts as that agency's report of the year its title names."""
    agencies = list(Agency.objects.for_staff(viewer).order_by("level", "name"))
    reports = {
        (r.agency_id, r.year): r
        for r in AnnualReport.objects.for_staff(viewer).select_related("agency", "document")
    }
    in_column = reports_in_column(viewer)
    first_year = min([year for _agency, year in reports] + [day.year - 1])
    findings = []
    for year in range(first_year, day.year):
        for agency in agencies:
            deadline = annual_report_deadline(agency, year)
            if deadline >= day:
                continue
            report = reports.get((agency.pk, year))
            documents = [report.document_id] if report and report.document_id else []
            documents += in_column.get((agency.pk, year), [])
            finding = _missing_or_late(agency, year, report, documents, deadline, day)
            if finding:
                findings.append(finding)
    findings.extend(_unbalanced_reports(reports.values(), day))
    return findings


REPORT_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def reports_in_column(viewer):
    """{(agency pk, year): [document pks]}: the documents of the 年报 column (slug ``gknb``)
    that no compiled report owns, by the year their title names."""
    column = CatalogNode.objects.filter(slug="gknb").first()
    if column is None:
        return {}
    rows = (
        Document.objects.filter(
            node__tree_id=column.tree_id,
            node__lft__gte=column.lft,
            node__lft__lt=column.rght,
            annual_report__isnull=True,
        )
        .for_staff(viewer)
        .values_list("pk", "agency_id", "title")
    )
    found = {}
    for pk, agency_id, title in rows:
        year = REPORT_TITLE_YEAR.search(title)
        if year and ("年度报告" in title or "年报" in title):
            found.setdefault((agency_id, int(year.group(1))), []).append(pk)
    return found


def _missing_or_late(agency, year, report, documents, deadline, day):
    """A finding when none of ``documents`` (``agency``'s report for ``year``) was public by
    ``day``, or the first was made public after ``deadline``; None when one was public in
    time."""
    url = (
        reverse("admin:disclosure_annualreport_change", args=[report.pk])
        if report
        else reverse("admin:disclosure_annualreport_add")
    )
    public = (
        Document.objects.public(at=end_of(day)).filter(pk__in=documents).order_by("published_at")
    ).first()
    on_time = (
        public is not None
        and Document.objects.public(at=end_of(deadline)).filter(pk__in=documents).exists()
    )
    subject = f"{agency.name}{year}年度报告"
    where = {"agency": agency.name, "document_pk": public.pk if public else None}
    if public is None:
        return Finding(
            "annual_report_missing",
            subject,
            f"应于 {deadline} 前公开，至 {day} 尚未公开",
            url,
            agency=agency.name,
        )
    if not on_time:
        published_on = timezone.localtime(public.published_at).date()
        return Finding(
            "annual_report_late",
            subject,
            f"应于 {deadline} 前公开，{published_on} 才公开",
            url,
            **where,
        )
    return None


def _unbalanced_reports(reports, day):
    """A finding for each problem with the sums of a report for a year up to ``day``'s."""
    return [
        Finding(
            "annual_report_unbalanced",
            f"{report.agency.name}{report.year}年度报告",
            problem,
            reverse("admin:disclosure_annualreport_change", args=[report.pk]),
            agency=report.agency.name,
            document_pk=report.document_id,
        )
        for report in reports
        if report.year <= day.year
        for problem in report_problems(report)
    ]


def website_report_deadline(year):
    """When the 政府网站工作年度报表 of ``year`` must be on the home page (国办函〔2018〕12号):
    31 January of the next year."""
    return date(year + 1, 1, 31)


def website_reports(day, viewer):
    """The site's 政府网站工作年度报表 not public by ``day`` once its deadline has passed, or made
    public after it: each year from the first on record (at least the last one). The site's
    own report: shown to whoever sees the compliance report."""
    reports = {r.year: r for r in WebsiteAnnualReport.objects.select_related("document")}
    first_year = min([*reports, day.year - 1])
    findings = []
    for year in range(first_year, day.year):
        deadline = website_report_deadline(year)
        if deadline >= day:
            continue
        report = reports.get(year)
        document = report.document if report else None
        url = (
            reverse("admin:disclosure_websiteannualreport_change", args=[report.pk])
            if report
            else reverse("admin:disclosure_websiteannualreport_add")
        )
        subject = f"{year}年度政府网站工作年度报表"
        if document is None or not public_on(day, SYSTEM).filter(pk=document.pk).exists():
            detail = f"应于 {deadline} 前在首页发布，至 {day} 尚未发布"
            findings.append(Finding("website_report_missing", subject, detail, url))
        elif not public_on(deadline, SYSTEM).filter(pk=document.pk).exists():
            published_on = timezone.localtime(document.published_at).date()
            detail = f"应于 {deadline} 前在首页发布，{published_on} 才发布"
            findings.append(Finding("website_report_late", subject, detail, url))
    return findings


def guides(day, viewer):
    """Agencies without a 政府信息公开指南, and guides not updated for more than a year."""
    kept = {g.agency_id: g for g in DisclosureGuide.objects.for_staff(viewer)}
    findings = []
    for agency in Agency.objects.for_staff(viewer).order_by("level", "name"):
        guide = kept.get(agency.pk)
        if guide is None:
            findings.append(
                Finding(
                    "guide_missing",
                    agency.name,
                    "没有政府信息公开指南（条例第十二条）",
                    reverse("admin:disclosure_disclosureguide_add"),
                    agency=agency.name,
                )
            )
        elif is_stale(guide, day):
            findings.append(
                Finding(
                    "guide_stale",
                    agency.name,
                    f"指南最近更新于 {timezone.localtime(guide.updated_at).date()}，超过 {GUIDE_STALE_DAYS} 天",
                    reverse("admin:disclosure_disclosureguide_change", args=[guide.pk]),
                    agency=agency.name,
                )
            )
    return findings


CHECKS = [
    late_disclosures,
    backdated_documents,
    stale_columns,
    normative_without_interpretation,
    missing_metadata,
    overdue_proposals,
    annual_reports,
    website_reports,
    guides,
]


def build_report(day=None, viewer=SYSTEM):
    """The report as of ``day`` (today by default) over what ``viewer`` (a staff member, or
    SYSTEM for every agency) may see."""
    day = day or timezone.localdate()
    report = Report(as_of=day)
    for check in CHECKS:
        report.findings.extend(check(day, viewer))
    report.findings = described(report.findings)
    return report


def described(findings):
    """``findings`` with the 发布机构 and 索引号 of their documents, and the public page of
    those the public may read now: one query for all of them."""
    pks = {f.document_pk for f in findings if f.document_pk}
    if not pks:
        return findings
    public = set(Document.objects.public().filter(pk__in=pks).values_list("pk", flat=True))
    details = {
        pk: (agency or "", number or "")
        for pk, agency, number in Document.objects.filter(pk__in=pks).values_list(
            "pk", "agency__name", "index_number_text"
        )
    }
    url = pk_url_template("disclosure:document")
    return [
        replace(
            f,
            agency=f.agency or details[f.document_pk][0],
            index_number=details[f.document_pk][1],
            public_url=url.format(f.document_pk) if f.document_pk in public else f.public_url,
        )
        if f.document_pk in details
        else f
        for f in findings
    ]
