"""网站自查: the portal's own data read against 《政府网站与政务新媒体检查指标》
(国办秘函〔2019〕19号), as an inspector would read the site on a given day.

The indicator has 单项否决 rules (any one failed: the site is 不合格 and nothing else is scored)
and 扣分 rules (points off a score of 100). Each rule here is a ``Rule``: its key (stored in the
snapshots), the indicator's name, its category, the threshold as the indicator states it, a
function giving the items behind today's count, and when that count fails the rule.

Adding a rule is one function and one entry: a function ``(check) -> [Item]`` (``check.day``,
``check.viewer``, and ``check.findings(compliance_check)`` for a check of the compliance report,
run once per inspection), and a ``Rule`` in ``RULES`` naming it. Rules whose data other parts
keep (links that no longer work, 错敏词 in published text) are added the same way.

The counts reuse the compliance report (``reports.compliance``): stale columns, the home page,
backdated documents, normative documents without 解读, overdue proposals, annual reports and
guides are its findings, counted here against the indicator's thresholds.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from catalog.models import KIND_UPDATE_DAYS, Agency, CatalogNode, ColumnKind, effective_update_days
from catalog.scoping import Scope, agency_scope
from catalog.tree import SubtreeIndex
from disclosure.applications.clock import clock, clock_start
from disclosure.applications.models import Application
from disclosure.documents import links, wording
from disclosure.documents.models import Document
from disclosure.reports import compliance
from disclosure.reports.models import InspectionSnapshot
from portal import registry
from portal.actors import SYSTEM
from portal.downloads import Download, Link
from portal.workdays import load_calendar

VETO = "单项否决"
DEDUCT = "扣分"

PASSED = "合格"
FAILED = "不合格"
POINTS_OFF = "扣分"

FREQUENT_DAYS = 183  # 动态、要闻 (2 weeks) and 通知公告、政策文件 (6 months) columns
FREQUENT_STALE_LIMIT = 5  # 累计超过（含）5个未更新
STALE_LIMIT = 10  # 应更新但长期未更新的栏目数量超过（含）10个
BLANK_LIMIT = 5  # 空白栏目数量超过（含）5个
UNANSWERED_MONTHS = 3  # 超过3个月未回应
WINDOW_MONTHS = 12  # 监测时间点前1年内


@dataclass(frozen=True)
class Item:
    """What lies behind a rule's count: a column, a document, an application …"""

    subject: str
    detail: str
    url: str = ""  # its admin page, or its public page
    provisional: bool = False  # counted in working days of a year not yet entered
    frequent: bool = False  # a column of the indicator's own update periods (栏目不更新)


@dataclass(frozen=True)
class Rule:
    key: str
    name: str  # 指标, as the indicator names it
    category: str  # VETO or DEDUCT
    threshold: str  # the rule as the indicator states it, and how the portal counts it
    items: Callable  # (check) -> [Item]
    fails: Callable = field(default=lambda items: len(items) >= 1)  # ([Item]) -> bool


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    items: tuple
    passed: bool

    @property
    def count(self):
        return len(self.items)

    @property
    def verdict(self):
        return verdict_of(self.rule, self.passed)

    @property
    def tone(self):
        return tone_of(self.rule, self.passed)


def verdict_of(rule, passed):
    """合格, or what failing ``rule`` means: 不合格 (单项否决) or 扣分."""
    if passed:
        return PASSED
    return FAILED if rule.category == VETO else POINTS_OFF


def tone_of(rule, passed):
    """How a verdict is coloured: pass, fail (单项否决) or points (扣分)."""
    if passed:
        return "pass"
    return "fail" if rule.category == VETO else "points"


class Check:
    """One inspection's day and viewer (a staff member, a Scope of chosen agencies, or SYSTEM),
    and the compliance report's checks it has run."""

    def __init__(self, day, viewer):
        self.day, self.viewer = day, viewer
        self._findings = {}

    def findings(self, compliance_check, *kinds):
        """The findings of ``compliance_check`` (a function of ``reports.compliance``) of
        ``kinds`` as Items, the check run once per inspection."""
        if compliance_check not in self._findings:
            self._findings[compliance_check] = compliance_check(self.day, self.viewer)
        return [
            Item(f.subject, f.detail, f.url, f.provisional)
            for f in self._findings[compliance_check]
            if f.kind in kinds
        ]


@dataclass
class Inspection:
    day: date
    agency: Agency | None  # None: every agency the viewer works for
    outcomes: list

    @property
    def passed(self):
        """The indicator's verdict: any 单项否决 rule failed makes the site 不合格."""
        return all(o.passed for o in self.outcomes if o.rule.category == VETO)

    @property
    def verdict(self):
        return PASSED if self.passed else FAILED

    @property
    def failed_vetoes(self):
        return [o for o in self.outcomes if o.rule.category == VETO and not o.passed]

    @property
    def scope_name(self):
        return self.agency.name if self.agency else "全站"

    def rows(self):
        """The inspection as file rows: each rule, then each item behind it; links absolute."""
        base_url = settings.PORTAL_BASE_URL
        yield ["指标", "类别", "规则/阈值", "数量", "结论", "对象", "说明", "链接"]
        yield ["总体结论", "", "任一单项否决指标不合格即为不合格", len(self.failed_vetoes),
               self.verdict, self.scope_name, f"检查日期 {self.day}", None]  # fmt: skip
        for outcome in self.outcomes:
            rule = outcome.rule
            head = [rule.name, rule.category, rule.threshold, outcome.count, outcome.verdict]
            if not outcome.items:
                yield [*head, "", "", None]
            for item in outcome.items:
                detail = item.detail + ("（含暂定工作日）" if item.provisional else "")
                link = Link(base_url + item.url) if item.url else None
                yield [*head, item.subject, detail, link]


INSPECTION_WIDTHS = [22, 10, 50, 8, 8, 40, 70, 50]


def inspection_download(inspection):
    """The inspection as a file for the download pipeline."""
    agency = inspection.agency
    return Download(
        what="self_inspection",
        filename=f"网站自查_{inspection.scope_name}_{inspection.day:%Y%m%d}",
        rows=inspection.rows(),
        sheet="网站自查",
        widths=INSPECTION_WIDTHS,
        details={"as_of": inspection.day.isoformat(), "agency": agency.pk if agency else None},
    )


def add_months(day, months):
    """``day`` moved by ``months`` calendar months (the last day of a shorter month)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def agency_viewer(user, agency):
    """The viewer of one agency's inspection: ``agency`` and its sub-agencies, as far as
    ``user`` (a staff member or SYSTEM) works for them. None when ``user`` does not work for
    ``agency``."""
    scope = agency_scope(user)
    if not scope.covers(agency.pk):
        return None
    children = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    below, stack = set(), [agency.pk]
    while stack:
        pk = stack.pop()
        if pk not in below:
            below.add(pk)
            stack.extend(children.get(pk, []))
    return Scope(frozenset(pk for pk in below if scope.covers(pk)))


# -- the rules ------------------------------------------------------------------------------------


def stale_home(check):
    return check.findings(compliance.stale_columns, "stale_home")


def stale_columns(check):
    """Columns not updated within their period; those of the indicator's own periods (up to
    six months: 动态、要闻, 通知公告、政策文件) marked ``frequent``."""
    # A compliance finding names its column by the column's admin page.
    # Each column's period: its own 更新周期, else its kind's (``effective_update_days``).
    periods = {
        reverse("admin:catalog_catalognode_change", args=[pk]): effective_update_days(kind, days)
        for pk, kind, days in CatalogNode.objects.filter(
            Q(update_interval_days__isnull=False) | Q(kind__in=list(KIND_UPDATE_DAYS))
        ).values_list("pk", "kind", "update_interval_days")
    }
    return [
        Item(i.subject, i.detail, i.url, i.provisional, periods.get(i.url, 0) <= FREQUENT_DAYS)
        for i in check.findings(compliance.stale_columns, "stale_column")
    ]


def too_many_stale_columns(items):
    frequent = sum(1 for item in items if item.frequent)
    return frequent >= FREQUENT_STALE_LIMIT or len(items) >= STALE_LIMIT


def blank_columns(check):
    """Columns the public sees with nothing in them: visible, no visible column beneath (a
    column with sub-columns is their entry), no public document filed or listed in it, not the
    home of a part's own page (``portal.registry.column_page``) and not a page (栏目类型“页面”).
    Blank columns are kept off public pages (``documents.models.counts.with_content``) unless
    staff keep them shown (``shown_when_empty``): those are what the public sees blank."""
    public = Document.objects.public(at=compliance.end_of(check.day))
    placed = [
        *public.values("node__tree_id", "node__lft")
        .annotate(n=Max("pk"))
        .values_list("node__tree_id", "node__lft", "n"),
        *Document.extra_nodes.through.objects.filter(document__in=public.values("pk")).values_list(
            "catalognode__tree_id", "catalognode__lft", "document_id"
        ),
    ]
    holding = SubtreeIndex(placed)
    visible = CatalogNode.objects.visible()
    parents = set(visible.exclude(parent=None).values_list("parent_id", flat=True))
    return [
        Item(node.name, "栏目对公众显示，但没有任何公开信息", node.get_absolute_url())
        for node in visible.for_staff(check.viewer)
        .filter(shown_when_empty=True)
        .exclude(pk__in=parents)
        .exclude(kind=ColumnKind.PAGE)
        if not holding.values(node) and not registry.column_flags(node.slug)
    ]


def blank_limit(items):
    return len(items) >= BLANK_LIMIT


def backdated(check):
    return check.findings(compliance.backdated_documents, "backdated_unexplained")


def applications_in_scope(check):
    """Applications of the agencies the viewer works for received by the day: counted, and
    named by number only (the applicant never appears)."""
    return (
        Application.objects.filter(agency_scope(check.viewer).q("agency"))
        .filter(received_on__lte=check.day)
        .select_related("agency")
        .prefetch_related("consultations")
        .order_by("received_on", "pk")
    )


def answered_on(application, day):
    """The day ``application`` was answered, as known on ``day`` (None: not yet then)."""
    return application.closed_on if application.closed_on and application.closed_on <= day else None


def unanswered_messages(check):
    """Applications waiting for an answer in the year before the day, left unanswered more
    than three months after the clock started (receipt, or the 补正 received): the portal's channel for the public's
    requests, read as the indicator reads 留言 of 政务咨询 columns."""
    day = check.day
    since = add_months(day, -WINDOW_MONTHS)
    # Received in the year, or received earlier and still waiting for an answer during it.
    in_window = Q(received_on__gte=since) | Q(closed_on=None) | Q(closed_on__gte=since)
    items = []
    for application in applications_in_scope(check).filter(in_window):
        start = clock_start(application)
        if start is None:
            continue  # a 补正 asked for and not yet received: waiting for the applicant
        limit = add_months(start, UNANSWERED_MONTHS)
        answered = answered_on(application, day)
        if answered is not None and answered > limit:
            state = f"{answered} 才答复"
        elif answered is None and day > limit:
            state = f"至 {day} 仍未答复"
        else:
            continue
        items.append(
            Item(
                f"依申请公开 {application.number}",
                f"{application.agency.name}，{start} 起算，{state}，超过三个月",
                reverse("admin:applications_application_change", args=[application.pk]),
            )
        )
    return items


def late_applications(check):
    """Applications answered after their statutory deadline, or open past it, on the day
    (open ones whatever their age; answered ones of the year before)."""
    day = check.day
    since = add_months(day, -WINDOW_MONTHS)
    applications = applications_in_scope(check).filter(
        Q(closed_on=None) | Q(closed_on__gt=day) | Q(closed_on__gte=since)
    )
    working_days = load_calendar()
    items = []
    for application in applications:
        application.closed_on = answered_on(application, day)  # as it stood on the day
        state = clock(application, day, working_days)
        if not state.overdue:
            continue
        done = f"{application.closed_on} 答复" if application.closed_on else "尚未答复"
        items.append(
            Item(
                f"依申请公开 {application.number}",
                f"{application.agency.name}，答复期限 {state.due_on}，{done}，"
                f"逾期 {-state.days_left} 个工作日",
                reverse("admin:applications_application_change", args=[application.pk]),
                state.provisional,
            )
        )
    return items


def overdue_proposals(check):
    return check.findings(compliance.overdue_proposals, "overdue_proposal")


def no_interpretation(check):
    return check.findings(compliance.normative_without_interpretation, "no_interpretation")


def late_disclosures(check):
    return check.findings(compliance.late_disclosures, "late")


def annual_reports(check):
    return check.findings(
        compliance.annual_reports,
        "annual_report_missing",
        "annual_report_late",
        "annual_report_unbalanced",
    )


def guides(check):
    return check.findings(compliance.guides, "guide_missing", "guide_stale")


def serious_wording(check):
    """Public documents whose text holds a 严重 entry of the 错敏词 dictionary (as it reads
    now: the dictionary has no past)."""
    return [
        Item(
            document.title,
            "；".join(
                f"“{m.wrong}”应为“{m.right}”" if m.right else f"“{m.wrong}”不应使用"
                for m in matches[:5]
            )
            + (f"等 {len(matches)} 处" if len(matches) > 5 else ""),
            reverse("admin:disclosure_document_change", args=[document.pk]),
        )
        for document, matches in wording.published_word_matches(viewer=check.viewer)
    ]


def broken_links(check):
    """Links and attachments of public documents that do not open, the longest broken first."""
    return [
        Item(
            link.document.title,
            f"{link.url}：{link.error or '无法访问'}（{timezone.localtime(link.first_broken_at):%Y-%m-%d} 起）"
            if link.first_broken_at
            else f"{link.url}：{link.error or '无法访问'}",
            reverse("admin:disclosure_document_change", args=[link.document_id]),
        )
        for link in links.broken_links(check.viewer)
    ]


RULES = [
    Rule("stale_home", "首页不更新", VETO,
         "监测2周，首页无信息更新的，即单项否决。本站首页列出全站最新公开的信息：最新一条发布"
         f"超过{compliance.HOME_STALE_DAYS}天即不合格。", stale_home),
    Rule("stale_columns", "栏目不更新", VETO,
         "动态、要闻类栏目2周内、通知公告和政策文件类栏目6个月内未更新的，累计超过（含）"
         f"{FREQUENT_STALE_LIMIT}个；或应更新但长期未更新的栏目超过（含）{STALE_LIMIT}个，"
         "即单项否决。按各栏目设定的更新周期计。", stale_columns, too_many_stale_columns),
    Rule("blank_columns", "空白栏目", VETO,
         f"空白栏目（有栏目无内容）数量超过（含）{BLANK_LIMIT}个，即单项否决。计对公众显示、"
         "无下级栏目、没有任何公开信息的栏目（专门页面的栏目除外）。", blank_columns, blank_limit),
    Rule("backdated", "严重问题：伪造发稿日期", VETO,
         "存在弄虚作假行为（如伪造发稿日期）的，即单项否决。计发布日期早于系统记录的发布时间、"
         "且不是写明补录原因的迁移文件的信息，有1条即不合格。", backdated),
    Rule("serious_wording", "严重错误：严重错别字和表述错误", VETO,
         "网站存在严重错别字（如将党和国家领导人姓名写错）、严重表述错误的，即单项否决。"
         "计已公开信息中与错敏词库“严重”条目相符的写法，有1处即不合格。", serious_wording),
    Rule("unanswered_messages", "互动回应差", VETO,
         f"监测时间点前1年内，存在超过{UNANSWERED_MONTHS}个月未回应公众留言的，即单项否决。"
         "计依申请公开申请自起算之日起超过三个月未答复的，有1件即不合格。",
         unanswered_messages),
    Rule("late_applications", "办事服务：依申请公开逾期答复", DEDUCT,
         "依申请公开应在法定期限（20个工作日，经批准延长不超过20个工作日）内答复；"
         "逾期答复或逾期未答复的，有1件即扣分。", late_applications),
    Rule("overdue_proposals", "回应关切：建议提案逾期未答复", DEDUCT,
         "人大代表建议、政协委员提案应在交办之日起3个月内（重大复杂的6个月内）答复；"
         "逾期未答复的，有1件即扣分。", overdue_proposals),
    Rule("no_interpretation", "解读回应：政策文件未解读", DEDUCT,
         "行政规范性文件应同步发布政策解读；没有公开解读的，有1件即扣分。", no_interpretation),
    Rule("late_disclosures", "信息发布：逾期公开", DEDUCT,
         "主动公开信息应在形成或变更之日起20个工作日内（栏目另定时限的按其时限）公开；"
         "逾期公开的，有1条即扣分。", late_disclosures),
    Rule("annual_reports", "信息发布：政府信息公开年度报告", DEDUCT,
         "年度报告应于每年1月31日前（本级人民政府3月31日前）公开，数据应平衡；"
         "未公开、逾期公开或数据不平衡的，有1份即扣分。", annual_reports),
    Rule("broken_links", "链接可用性：不可用链接", DEDUCT,
         "首页及各栏目中的链接、附件应能正常打开；发现不可用链接的，有1个即扣分。"
         "计已公开信息正文中的链接和附件（本站链接在发布时检查，外部链接由 check_links 定期检查）。",
         broken_links),
    Rule("guides", "信息发布：政府信息公开指南", DEDUCT,
         "各机关应编制并及时更新政府信息公开指南；没有指南或超过一年未更新的，有1个即扣分。",
         guides),
]  # fmt: skip

RULES_BY_KEY = {rule.key: rule for rule in RULES}


def build_inspection(day=None, viewer=SYSTEM, agency=None):
    """The self-inspection as of ``day`` (today by default) over what ``viewer`` (a staff
    member, a Scope, or SYSTEM for every agency) may see; the home page is the whole site's."""
    day = day or timezone.localdate()
    check = Check(day, viewer)
    outcomes = []
    for rule in RULES:
        items = tuple(rule.items(check))
        outcomes.append(Outcome(rule, items, not rule.fails(items)))
    return Inspection(day, agency, outcomes)


def save_snapshots(inspection):
    """Store ``inspection``'s count and verdict of each rule for its day and agency, replacing
    what an earlier run that day stored. Returns the number of rules stored."""
    with transaction.atomic():
        for outcome in inspection.outcomes:
            InspectionSnapshot.objects.update_or_create(
                day=inspection.day,
                agency=inspection.agency,
                rule=outcome.rule.key,
                defaults={"count": outcome.count, "passed": outcome.passed},
            )
    return len(inspection.outcomes)
