"""《政府网站工作年度报表》 (国办函〔2018〕12号): what the form holds, and each figure of a year.

The form's sections and rows follow the national form: 网站基本信息 and the two visit totals,
信息发布, 专栏专题, 解读回应, 办事服务, 互动交流, 安全防护, 移动新媒体, 创新发展. Each row is
either counted from the portal's data (``COUNTED``), taken from the site settings (``SITE``), or
entered by staff (every other row, through the admin's form). A draft shows the figures as they
stand; the report made final stores every value (``WebsiteAnnualReport.final_values``), so a
published report reads the same however the data change later.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.db.models import Avg, F, Q, Sum
from django.utils import timezone

from catalog.models import CatalogNode, ColumnKind
from disclosure.applications.models import Application
from disclosure.documents.models import Document
from portal.models import SiteSettings, VisitDay

# How a row's value is given.
INT, BOOL, TEXT, DAYS, CHOICE = "int", "bool", "text", "days", "choice"

SITE_TYPES = [("portal", "政府门户网站"), ("department", "部门网站"), ("special", "专项网站")]


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    kind: str = INT
    source: str = "entered"  # "entered", "counted", "site", or "counted_or_entered"
    unit: str = ""


def _counted(key, label, unit=""):
    return Row(key, label, INT, "counted", unit)


SECTIONS = [
    (
        "网站基本信息",
        [
            Row("site_name", "网站名称", TEXT, "site"),
            Row("home_url", "首页网址", TEXT, "site"),
            Row("owner", "主办单位", TEXT, "site"),
            Row("site_type", "网站类型", CHOICE),
            Row("site_code", "政府网站标识码", TEXT, "site"),
            Row("icp_number", "ICP备案号", TEXT, "site"),
            Row("police_number", "公安机关备案号", TEXT, "site"),
            _counted("unique_visitors", "独立用户访问总量", "个"),
            _counted("total_views", "网站总访问量", "次"),
        ],
    ),
    (
        "信息发布",
        [
            _counted("info_total", "总数", "条"),
            _counted("info_overview", "概况类信息更新量", "条"),
            _counted("info_news", "政务动态信息更新量", "条"),
            _counted("info_catalog", "信息公开目录信息更新量", "条"),
        ],
    ),
    (
        "专栏专题",
        [
            Row("topics_kept", "维护数量", unit="个"),
            Row("topics_new", "新开设数量", unit="个"),
        ],
    ),
    (
        "解读回应",
        [
            _counted("interpretation_total", "解读信息发布 总数", "条"),
            _counted("interpretation_materials", "其中：解读材料数量", "条"),
            Row("interpretation_products", "其中：解读产品数量", unit="条"),
            Row("interpretation_media", "其中：媒体评论文章数量", unit="篇"),
            Row("responses", "回应公众关注热点或重大舆情数量", unit="次"),
        ],
    ),
    (
        "办事服务",
        [
            Row("service_catalog", "是否发布服务事项目录", BOOL),
            Row("registered_users", "注册用户数", unit="个"),
            Row("service_items", "政务服务事项数量", unit="项"),
            Row("online_items", "可全程在线办理政务服务事项数量", unit="项"),
            Row("cases_total", "办件量 总数", unit="件"),
            Row("cases_person", "办件量 自然人办件量", unit="件"),
            Row("cases_legal", "办件量 法人办件量", unit="件"),
        ],
    ),
    (
        "互动交流",
        [
            Row("unified_platform", "是否使用统一平台", BOOL),
            Row("messages_received", "留言办理 收到留言数量", INT, "counted_or_entered", "条"),
            Row("messages_closed", "留言办理 办结留言数量", INT, "counted_or_entered", "条"),
            Row("messages_days", "留言办理 平均办理时间", DAYS, "counted_or_entered", "天"),
            Row("messages_public", "留言办理 公开答复数量", unit="条"),
            Row("surveys", "征集调查 征集调查期数", unit="期"),
            Row("survey_opinions", "征集调查 收到意见数量", unit="条"),
            Row("survey_results", "征集调查 公布调查结果期数", unit="期"),
            Row("interviews", "在线访谈 访谈期数", unit="期"),
            Row("interview_messages", "在线访谈 网民留言数量", unit="条"),
            Row("interview_answers", "在线访谈 答复网民提问数量", unit="条"),
            Row("smart_answers", "是否提供智能问答", BOOL),
        ],
    ),
    (
        "安全防护",
        [
            Row("security_checks", "安全检测评估次数", unit="次"),
            Row("security_issues", "发现问题数量", unit="个"),
            Row("security_fixed", "问题整改数量", unit="个"),
            Row("security_monitoring", "是否建立安全监测预警机制", BOOL),
            Row("security_drills", "是否开展应急演练", BOOL),
            Row("security_officer", "是否明确网站安全负责人", BOOL),
        ],
    ),
    (
        "移动新媒体",
        [
            Row("has_new_media", "是否有移动新媒体", BOOL),
            Row("weibo_name", "微博 名称", TEXT),
            Row("weibo_posts", "微博 信息发布量", unit="条"),
            Row("weibo_followers", "微博 关注量", unit="个"),
            Row("wechat_name", "微信 名称", TEXT),
            Row("wechat_posts", "微信 信息发布量", unit="条"),
            Row("wechat_subscribers", "微信 订阅数", unit="个"),
            Row("new_media_other", "其他", TEXT),
        ],
    ),
    (
        "创新发展",
        [
            Row("search_as_service", "搜索即服务", BOOL),
            Row("multilingual", "多语言版本", BOOL),
            Row("accessible", "无障碍浏览", BOOL),
            Row("personalised", "千人千网", BOOL),
            Row("innovation_other", "其他", TEXT),
        ],
    ),
]

ROWS = {row.key: row for _title, rows in SECTIONS for row in rows}
ENTERED_ROWS = [row for row in ROWS.values() if row.source in ("entered", "counted_or_entered")]

# Until columns say what they hold, 政务动态 and 概况 are told by their names.
NEWS_WORDS = ("动态", "要闻", "新闻")
OVERVIEW_WORDS = ("概况", "简介")


def year_span(year):
    """The first moment of ``year`` and of the next, in the portal's time zone."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(date(year, 1, 1), time.min, zone),
        datetime.combine(date(year + 1, 1, 1), time.min, zone),
    )


def published_in(year):
    """The documents public now that were published in ``year``."""
    start, end = year_span(year)
    return Document.objects.public().filter(published_at__gte=start, published_at__lt=end)


def _named(words):
    query = Q()
    for word in words:
        query |= Q(name__contains=word)
    return query


def _news_columns():
    """动态要闻 columns: of that kind, or of no kind yet (其他) and named 动态/要闻/新闻."""
    news = Q(kind=ColumnKind.NEWS) | (Q(kind=ColumnKind.OTHER) & _named(NEWS_WORDS))
    return CatalogNode.objects.filter(news).values("pk")


def publication_counts_by_column(year):
    """信息发布 of ``year`` by the columns' kinds: 政务动态 from 动态要闻 columns (and columns of
    no kind yet named 动态/要闻/新闻), 概况类 from columns named 概况/简介, 信息公开目录信息 every
    other public document published in the year."""
    documents = published_in(year)
    news_columns = _news_columns()
    overview_columns = CatalogNode.objects.filter(_named(OVERVIEW_WORDS)).values("pk")
    news = documents.filter(node__in=news_columns).count()
    overview = documents.filter(node__in=overview_columns).exclude(node__in=news_columns).count()
    catalog = documents.exclude(node__in=news_columns).exclude(node__in=overview_columns).count()
    return {
        "info_total": news + overview + catalog,
        "info_overview": overview,
        "info_news": news,
        "info_catalog": catalog,
    }


def visit_totals(year):
    """独立用户访问总量 (each day's visitors, summed) and 网站总访问量 of ``year``."""
    totals = VisitDay.objects.filter(kind=VisitDay.Kind.SITE, date__year=year).aggregate(
        visitors=Sum("visitors"), views=Sum("views")
    )
    return {"unique_visitors": totals["visitors"] or 0, "total_views": totals["views"] or 0}


def online_messages(year):
    """留言办理 as far as the portal knows it: the 依申请公开 applications made online on the
    site in ``year``, those of them answered, and the days they took on average."""
    received = Application.objects.filter(
        channel=Application.Channel.ONLINE, received_on__year=year
    )
    closed = received.filter(closed_on__isnull=False)
    average = closed.aggregate(days=Avg(F("closed_on") - F("received_on")))["days"]
    days = round(average.total_seconds() / 86400, 1) if average is not None else 0
    return {
        "messages_received": received.count(),
        "messages_closed": closed.count(),
        "messages_days": days,
    }


def counted(year):
    """Every figure of ``year`` the portal counts: {row key: number}."""
    interpretations = published_in(year).filter(genre__is_interpretation=True).count()
    return {
        **visit_totals(year),
        **publication_counts_by_column(year),
        "interpretation_materials": interpretations,
        **online_messages(year),
    }


def site_values():
    site = SiteSettings.load()
    return {
        "site_name": site.site_name,
        "home_url": settings.PORTAL_BASE_URL + "/",
        "owner": site.owner,
        "site_code": site.site_code,
        "icp_number": site.icp_number,
        "police_number": site.police_number,
    }


def values_for(report):
    """Every row's value of ``report``: as stored when final; else counted, entered and read
    from the site settings now. 解读信息发布总数 is the sum of its three parts."""
    if report.is_final:
        return dict(report.final_values)
    values = {**counted(report.year), **site_values()}
    for row in ENTERED_ROWS:
        entered = report.entered.get(row.key)
        if entered is not None and entered != "":
            values[row.key] = entered
        elif row.source == "entered":
            values[row.key] = "" if row.kind in (TEXT, CHOICE) else None
    values["interpretation_total"] = sum(
        values.get(key) or 0
        for key in (
            "interpretation_materials",
            "interpretation_products",
            "interpretation_media",
        )
    )
    return values


def shown(row, value):
    """A value as the form prints it."""
    if row.kind == BOOL:
        return {True: "是", False: "否"}.get(value, "")
    if row.kind == CHOICE:
        return dict(SITE_TYPES).get(value, "")
    if value is None:
        return ""
    return f"{value}{row.unit}" if row.unit and value != "" else str(value)


def sections(report, values=None):
    """[(section title, [(row, value as printed)])] of ``report``."""
    values = values if values is not None else values_for(report)
    return [
        (title, [(row, shown(row, values.get(row.key))) for row in rows])
        for title, rows in SECTIONS
    ]
