"""The compliance report (合规检查): what an inspector would find, as of a given day.

Reproducible for a past date: a document counts as public on that day as
``Document.objects.public(at=…)`` says, at the end of the day.
"""

from collections import Counter
from dataclasses import dataclass, field
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
from disclosure.reports.models import AnnualReport, DisclosureGuide
from portal.actors import SYSTEM
from portal.downloads import Download, Link
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
    "guide_missing": "未编制公开指南",
    "guide_stale": "公开指南超过一年未更新",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    detail: str
    url: str = ""
    provisional: bool = False

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

    def rows(self):
        """The findings as file rows; links absolute (``PORTAL_BASE_URL``), so they open from
        a spreadsheet."""
        base_url = settings.PORTAL_BASE_URL
        yield ["序号", "问题类型", "对象", "说明", "链接"]
        for number, finding in enumerate(self.findings, start=1):
            detail = finding.detail + ("（含暂定工作日）" if finding.provisional else "")
            yield [
                number,
                finding.kind_label,
                finding.subject,
                detail,
                Link(base_url + finding.url) if finding.url else None,
            ]


REPORT_WIDTHS = [7, 20, 50, 80, 50]


def report_download(report):
    """The report as a file for the download pipeline."""
    return Download(
        what="compliance_report",
        filename=f"合规检查_{report.as_of:%Y%m%d}",
        rows=report.rows(),
        sheet="合规检查",
        widths=REPORT_WIDTHS,
        details={"as_of": report.as_of.isoformat()},
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
            findings.append(Finding("backdated", title, detail, admin_url(pk)))
        else:
            detail = (
                f"页面显示的发布日期 {shown:%Y-%m-%d %H:%M} 早于系统记录的发布时间 "
                f"{recorded:%Y-%m-%d %H:%M}，且不是写明补录原因的迁移文件：检查会认定为伪造发稿日期，"
                "请将发布日期改为系统记录的时间"
            )
            findings.append(Finding("backdated_unexplained", title, detail, admin_url(pk)))
    return findings


def stale_columns(day, viewer):
    findings = []
    columns = CatalogNode.objects.for_staff(viewer)
    for column in column_freshness(day, columns, public_on(day, viewer)):
        if not column.stale:
            continue
        node, period = column.node, column.period_days
        url = reverse("admin:catalog_catalognode_change", args=[node.pk])
        if column.last_published is None:
            detail = f"{node.get_kind_display()}栏目，要求每 {period} 天更新，尚无公开信息"
        else:
            detail = (
                f"最近一次更新为 {column.last_published}，已 {column.days_since} 天，"
                f"超过更新周期 {period} 天（{node.get_kind_display()}）"
            )
        findings.append(Finding("stale_column", node.name, detail, url))
    latest = public_on(day, SYSTEM).aggregate(latest=Max("published_at"))["latest"]
    if latest is None or end_of(day) - latest > timedelta(days=HOME_STALE_DAYS):
        when = timezone.localtime(latest).date() if latest else "无"
        findings.append(
            Finding(
                "stale_home",
                "首页",
                f"最新公开信息发布于 {when}，超过 {HOME_STALE_DAYS} 天未更新",
                reverse("home"),
            )
        )
    return findings


def normative_without_interpretation(day, viewer):
    moment = end_of(day)
    interpreted = public_on(day, SYSTEM).filter(
        genre__is_interpretation=True, published_at__lte=moment
    )
    documents = (
        public_on(day, viewer)
        .filter(genre__needs_interpretation=True)
        .exclude(interpretations__in=interpreted)
        .values_list("pk", "title")
    )
    return [
        Finding("no_interpretation", title, "行政规范性文件没有公开的政策解读", admin_url(pk))
        for pk, title in documents
    ]


def missing_metadata(day, viewer):
    findings = []
    rows = public_on(day, viewer).values_list(
        "pk",
        "title",
        "topic_id",
        "genre_id",
        "genre__requires_doc_number",
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
            findings.append(Finding("missing_metadata", title, "；".join(problems), admin_url(pk)))
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
    withdrawn later still counts as published on time."""
    agencies = list(Agency.objects.for_staff(viewer).order_by("level", "name"))
    reports = {
        (r.agency_id, r.year): r
        for r in AnnualReport.objects.for_staff(viewer).select_related("agency", "document")
    }
    first_year = min([year for _agency, year in reports] + [day.year - 1])
    findings = []
    for year in range(first_year, day.year):
        for agency in agencies:
            deadline = annual_report_deadline(agency, year)
            if deadline >= day:
                continue
            finding = _missing_or_late(agency, year, reports.get((agency.pk, year)), deadline, day)
            if finding:
                findings.append(finding)
    findings.extend(_unbalanced_reports(reports.values(), day))
    return findings


def _missing_or_late(agency, year, report, deadline, day):
    """A finding when ``agency``'s report for ``year`` was not public by ``day``, or was made
    public after ``deadline``; None when it was public in time."""
    url = (
        reverse("admin:disclosure_annualreport_change", args=[report.pk])
        if report
        else reverse("admin:disclosure_annualreport_add")
    )
    document = report.document if report else None
    public = (
        document is not None
        and Document.objects.public(at=end_of(day)).filter(pk=document.pk).exists()
    )
    on_time = (
        public and Document.objects.public(at=end_of(deadline)).filter(pk=document.pk).exists()
    )
    subject = f"{agency.name}{year}年度报告"
    if not public:
        return Finding(
            "annual_report_missing", subject, f"应于 {deadline} 前公开，至 {day} 尚未公开", url
        )
    if not on_time:
        published_on = timezone.localtime(document.published_at).date()
        return Finding(
            "annual_report_late", subject, f"应于 {deadline} 前公开，{published_on} 才公开", url
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
        )
        for report in reports
        if report.year <= day.year
        for problem in report_problems(report)
    ]


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
                )
            )
        elif is_stale(guide, day):
            findings.append(
                Finding(
                    "guide_stale",
                    agency.name,
                    f"指南最近更新于 {timezone.localtime(guide.updated_at).date()}，超过 {GUIDE_STALE_DAYS} 天",
                    reverse("admin:disclosure_disclosureguide_change", args=[guide.pk]),
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
    guides,
]


def build_report(day=None, viewer=SYSTEM):
    """The report as of ``day`` (today by default) over what ``viewer`` (a staff member, or
    SYSTEM for every agency) may see."""
    day = day or timezone.localdate()
    report = Report(as_of=day)
    for check in CHECKS:
        report.findings.extend(check(day, viewer))
    return report
