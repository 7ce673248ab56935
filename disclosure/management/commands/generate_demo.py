"""Generate realistic demo documents for trying the site at scale and for benchmarks."""

import bisect
import random
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from catalog.models import Agency, CatalogNode
from disclosure.documents.index_numbers import format_index_number
from disclosure.documents.models import Document, Genre, IndexCounter, Topic
from disclosure.documents.models.counts import rebuild_public_counts
from portal import page_cache

SUBJECTS = [
    "城乡规划管理", "农村人居环境整治", "义务教育优质均衡发展", "基层医疗卫生服务", "养老服务体系建设",
    "安全生产专项整治", "生态环境保护督察整改", "高标准农田建设", "城市更新行动", "营商环境优化",
    "防汛抗旱工作", "森林防火", "食品安全监管", "就业创业扶持", "最低生活保障",
    "政务公开标准化规范化", "中小企业发展", "乡村振兴", "消费品以旧换新", "住房保障",
    "道路交通安全", "水污染防治", "文化旅游融合发展", "全民健身", "退役军人服务保障",
    "重大行政决策", "财政预算执行", "审计查出问题整改", "集体林权制度改革", "耕地保护",
]  # fmt: skip
VERBS = [
    "印发",
    "做好",
    "进一步加强",
    "开展",
    "推进",
    "调整",
    "公布",
    "下达",
    "规范",
    "做好{year}年",
]
ENDINGS = [
    "的通知",
    "的实施方案",
    "的意见",
    "工作方案的通知",
    "的通告",
    "的公告",
    "的报告",
    "情况的通报",
]
PHRASES = [
    "坚持以人民为中心的发展思想", "紧紧围绕区委、区政府中心工作", "按照属地管理、分级负责的原则",
    "各镇街、各部门要高度重视", "切实加强组织领导", "明确责任分工", "确保各项任务落到实处",
    "建立健全工作机制", "加强督促检查", "定期通报工作进展", "强化要素保障", "加大资金投入力度",
    "坚持问题导向和目标导向", "广泛听取群众意见", "依法依规做好信息公开", "做好政策解读和舆论引导",
    "统筹发展和安全", "持续优化服务流程", "推进数字化转型", "提高群众满意度", "落实安全生产责任制",
    "对工作不力的单位进行通报", "将结果纳入年度目标考核", "严格执行财务管理制度",
]  # fmt: skip
SECTIONS = ["一、总体要求", "二、主要任务", "三、保障措施", "四、工作要求"]
YEARS = range(2019, 2027)


EMERGENCIES = ["防汛抗旱", "森林防火", "地质灾害防治", "安全生产大检查", "高温天气防范应对"]
PROJECTS = ["西郊污水处理厂扩建", "巴川河综合整治", "城南片区路网建设", "区人民医院门诊楼改造"]
PROJECTS += ["高新区标准厂房建设", "玉泉河生态修复", "金龙大道延伸段", "城区老旧小区改造"]
DISCLOSURE_RULES = ["政府信息公开保密审查", "政府信息公开申请办理", "政务公开工作考核"]
DISCLOSURE_RULES += ["政策解读工作", "政务舆情回应"]
CN_NUMBERS = "一二三四五六七八九十"


def notice_title(rng, agency, year, node):
    subject = rng.choice(SUBJECTS)
    verb = rng.choice(VERBS).format(year=year)
    return f"{agency.name}关于{verb}{subject}{rng.choice(ENDINGS)}", subject


@dataclass(frozen=True)
class Kind:
    """What a column holds: its genres (体裁), a 主题 (parent, child) or None, and its titles."""

    genres: tuple
    topic: tuple | None
    title: object  # (rng, agency, year, node) -> (title, subject)


def _normative(rng, agency, year, node):
    subject = rng.choice(SUBJECTS)
    rule = rng.choice(["管理办法", "实施细则", "管理暂行办法", "若干措施"])
    return f"{agency.name}关于印发《铜梁区{subject}{rule}》的通知", subject


def _interpretation(rng, agency, year, node):
    subject = rng.choice(SUBJECTS)
    return f"《铜梁区{subject}实施方案》政策解读", subject


def _plan(rng, agency, year, node):
    subject = rng.choice(SUBJECTS)
    return f"铜梁区{subject}专项规划（{year}—{year + 4}年）", subject


def _budget(rng, agency, year, node):
    return f"{agency.name}{year}年部门预算", "财政预算执行"


def _project(rng, agency, year, node):
    project = rng.choice(PROJECTS)
    stage = rng.choice(["项目批前公示", "项目建设进展情况", "项目招标结果公告", "项目竣工验收公告"])
    return f"{project}{stage}", "重大行政决策"


def _personnel(rng, agency, year, node):
    if rng.random() < 0.5:
        return f"{agency.name}{year}年公开招聘事业单位工作人员公告", "就业创业扶持"
    return f"{agency.name}{year}年第{rng.randint(1, 6)}批干部任前公示", "就业创业扶持"


def _statistics(rng, agency, year, node):
    month = rng.randint(1, 12)
    return f"{year}年{month}月铜梁区主要经济指标", "财政预算执行"


def _emergency(rng, agency, year, node):
    subject = rng.choice(EMERGENCIES)
    return f"{agency.name}关于做好{year}年{subject}工作的通知", subject


def _delegate_reply(rng, agency, year, node):
    meeting = CN_NUMBERS[rng.randint(0, 4)]
    subject = rng.choice(SUBJECTS)
    return (
        f"关于区第十八届人民代表大会第{meeting}次会议第{rng.randint(1, 240)}号建议的复函",
        subject,
    )


def _motion_reply(rng, agency, year, node):
    meeting = CN_NUMBERS[rng.randint(0, 4)]
    subject = rng.choice(SUBJECTS)
    return (
        f"关于政协铜梁区第十六届委员会第{meeting}次会议第{rng.randint(1, 300)}号提案的复函",
        subject,
    )


def _annual_report(rng, agency, year, node):
    # Reports appear early in the year after the one they cover (条例 Art. 49-50).
    return f"{agency.name}{year - 1}年政府信息公开工作年度报告", "政务公开标准化规范化"


def _disclosure_rule(rng, agency, year, node):
    subject = rng.choice(DISCLOSURE_RULES)
    return f"{agency.name}关于印发《{subject}制度》的通知", subject


def _directory_item(rng, agency, year, node):
    return f"{agency.name}{year}年第{rng.randint(1, 12)}批{node.name}结果公示", "城乡规划管理"


# Which documents each column of the demo catalogue holds (a column not named here, such as
# 政府信息公开指南 or 依申请公开, gets none): no notice is filed under 人大代表建议办理.
COLUMN_KINDS = {
    "行政规范性文件": Kind(("行政规范性文件",), None, _normative),
    "其他文件": Kind(("通知", "意见", "通告", "通报"), None, notice_title),
    "通知公告": Kind(("通知", "公告", "通告"), None, notice_title),
    "政策解读": Kind(("政策解读",), None, _interpretation),
    "规划信息": Kind(("规划计划",), ("城乡建设、环境保护", "城乡建设"), _plan),
    "财政预决算": Kind(("报告",), ("财政、金融、审计", "财政"), _budget),
    "重大建设项目": Kind(("公告",), ("城乡建设、环境保护", "城乡建设"), _project),
    "人事信息": Kind(("公告",), ("劳动、人事、监察", "人事工作"), _personnel),
    "统计信息": Kind(("统计信息",), ("国民经济管理、国有资产监管", "宏观经济"), _statistics),
    "应急管理": Kind(("通知",), ("综合政务", "应急管理"), _emergency),
    "人大代表建议办理": Kind(("人大建议办理",), ("其他", None), _delegate_reply),
    "政协委员提案办理": Kind(("政协提案办理",), ("其他", None), _motion_reply),
    "政府信息公开年报": Kind(("报告",), ("综合政务", "政务公开"), _annual_report),
    "政府信息公开制度": Kind(("通知",), ("综合政务", "政务公开"), _disclosure_rule),
}
# The 事项 imported from a 标准目录 (under 基层政务公开标准目录) hold results of that 事项.
DIRECTORY_KIND = Kind(("公告",), ("城乡建设、环境保护", "城乡建设"), _directory_item)
DIRECTORY_ROOT = "基层政务公开标准目录"


def column_kinds(nodes):
    """{node pk: Kind} for the leaf columns that hold generated documents."""
    directory = CatalogNode.objects.filter(name=DIRECTORY_ROOT).first()
    kinds = {}
    for node in nodes:
        if node.name in COLUMN_KINDS:
            kinds[node.pk] = COLUMN_KINDS[node.name]
        elif (
            directory
            and node.tree_id == directory.tree_id
            and node.lft > directory.lft
            and (node.rght < directory.rght)
        ):
            kinds[node.pk] = DIRECTORY_KIND
    return kinds


def make_body(rng, subject, kind=None):
    if kind is not None and kind.title in (_delegate_reply, _motion_reply):
        who = "代表" if kind.title is _delegate_reply else "委员"
        opening = f"您提出的关于{subject}的建议收悉。经认真研究，现答复如下。"
        paragraphs = [
            f"{rng.choice('王李张刘陈杨赵')}{rng.choice('明华军芳丽强敏')}{who}：",
            opening,
        ]
        for heading in SECTIONS[:2]:
            paragraphs.append(f"<strong>{heading}</strong>")
            paragraphs.append("，".join(rng.sample(PHRASES, 4)) + "。")
        paragraphs.append("感谢您对我区工作的关心和支持。")
        return "".join(f"<p>{p}</p>" for p in paragraphs)
    paragraphs = [f"为深入推进{subject}工作，{rng.choice(PHRASES)}，现将有关事项通知如下。"]
    for heading in SECTIONS[: rng.randint(2, 4)]:
        paragraphs.append(f"<strong>{heading}</strong>")
        for _ in range(rng.randint(1, 3)):
            sentence = "，".join(rng.sample(PHRASES, rng.randint(3, 6)))
            paragraphs.append(f"{sentence}。")
    return "".join(f"<p>{p}</p>" for p in paragraphs)


class Command(BaseCommand):
    help = "生成演示文件（可复现：同一 --seed 生成相同内容），用于试用和性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--documents", type=int, required=True, help="生成的文件数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--skip-if-present",
            action="store_true",
            help="已有演示文件时什么也不做（供启动脚本使用）",
        )

    def handle(self, *args, documents, seed, batch_size, skip_if_present=False, **options):
        if documents <= 0:
            raise CommandError("--documents 必须是正整数。")
        if skip_if_present and Document.objects.filter(is_demo=True).exists():
            self.stdout.write("已有演示文件，未再生成。")
            return
        agencies, nodes, topics, genres = self.load_choices()
        rng = random.Random(seed)
        started = time.perf_counter()
        with transaction.atomic():
            created = self.insert_documents(
                documents, batch_size, rng, agencies, nodes, topics, genres
            )
            # Bulk inserts bypass the publishing services: recount the columns' public documents.
            rebuild_public_counts()
            # bulk_create sends no signals: forget the cached public pages here.
            page_cache.bump_public_version()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # After a bulk load: fresh statistics (or the planner guesses from an empty table)
            # and the visibility map (or every bitmap scan re-checks each row's visibility).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE disclosure_document")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"已生成 {created} 个演示文件，用时 {elapsed:.1f} 秒。")
        )

    def load_choices(self):
        """The agencies, leaf columns (those with a kind of document), topics and genres that
        documents are drawn from; the kinds and the topics and genres by name are kept."""
        agencies = list(Agency.objects.order_by("pk"))
        leaves = list(
            CatalogNode.objects.visible().filter(children__isnull=True).order_by("tree_id", "lft")
        )
        self.kinds = column_kinds(leaves)
        nodes = [node for node in leaves if node.pk in self.kinds]
        topics = list(Topic.objects.filter(parent__isnull=False).order_by("pk")) or list(
            Topic.objects.all()
        )
        self.topics_by_name = {
            (t.parent.name if t.parent else t.name, t.name if t.parent else None): t
            for t in Topic.objects.select_related("parent")
        }
        genres = list(Genre.objects.order_by("pk"))
        self.genres_by_name = {g.name: g for g in genres}
        if not (agencies and nodes and genres):
            raise CommandError("请先运行 seed_demo 建立机构、目录和分类。")
        return agencies, nodes, topics, genres

    def insert_documents(self, documents, batch_size, rng, agencies, nodes, topics, genres):
        """Inserts ``documents`` made-up documents in batches, numbering the published ones
        from the agencies' counters (saved at the end). Returns how many were inserted."""
        now = timezone.now()
        counters = {
            (c.credit_code, c.year): c
            for c in IndexCounter.objects.select_for_update().filter(
                credit_code__in=[a.numbering_code for a in agencies]
            )
        }
        self.held = {}
        # Reports already there (seed_demo's, an earlier run's): no second one of the same title.
        self.report_titles = set(
            Document.objects.filter(title__contains="政府信息公开工作年度报告").values_list(
                "title", flat=True
            )
        )
        batch = []
        created = 0
        for _ in range(documents):
            batch.append(self.make_document(rng, agencies, nodes, topics, genres, counters, now))
            if len(batch) >= batch_size:
                Document.objects.bulk_create(batch)
                created += len(batch)
                batch = []
                # With DEBUG on, Django keeps the SQL of the last 9,000 queries: each bulk
                # INSERT is megabytes of bodies, so memory would grow with the run.
                reset_queries()
        Document.objects.bulk_create(batch)
        created += len(batch)
        for counter in counters.values():
            counter.save()
        link_interpretations(rng)
        return created

    def held_serials(self, key, counter):
        """Serials past ``counter`` that documents already hold (legacy numbers), read once."""
        cache = self.held
        if key not in cache:
            code, year = key
            cache[key] = set(
                Document.objects.filter(
                    index_code=code, index_year=year, index_serial__gt=counter.last_serial
                ).values_list("index_serial", flat=True)
            )
        return cache[key]

    def titled(self, rng, agency, year, node, nodes):
        """(node, kind, title, subject) of a document of ``node``: one report per agency and
        year, a second one becoming a document of another column."""
        kind = self.kinds[node.pk]
        title, subject = kind.title(rng, agency, year, node)
        if kind.title is _annual_report:
            if title not in self.report_titles:
                self.report_titles.add(title)
                return node, kind, title, subject
            node = rng.choice([n for n in nodes if self.kinds[n.pk].title is not _annual_report])
            kind = self.kinds[node.pk]
            title, subject = kind.title(rng, agency, year, node)
        return node, kind, title, subject

    def make_document(self, rng, agencies, nodes, topics, genres, counters, now):
        agency = rng.choice(agencies)
        node = rng.choice(nodes)
        kind = self.kinds[node.pk]
        year = rng.choice(YEARS)
        published = timezone.make_aware(datetime(year, 1, 1, 9)) + timedelta(
            days=rng.randint(0, 364), minutes=rng.randint(0, 600)
        )
        if kind.title is _annual_report:  # published by the end of March
            published = timezone.make_aware(datetime(year, 1, 10, 9)) + timedelta(
                days=rng.randint(0, 75)
            )
        if published > now:
            published = now - timedelta(days=rng.randint(1, 300))
        published_on = timezone.localtime(published).date()
        # Written in the same year as it is published, so the title's year fits both.
        written = max(
            published_on - timedelta(days=rng.randint(0, 40)), date(published_on.year, 1, 1)
        )
        node, kind, title, subject = self.titled(rng, agency, published_on.year, node, nodes)
        roll = rng.random()
        status = Document.Status.DRAFT if roll < 0.02 else Document.Status.PUBLISHED
        mode = Document.DisclosureMode.ON_REQUEST if roll > 0.97 else Document.DisclosureMode.ACTIVE
        genre = self.genres_by_name.get(rng.choice(kind.genres)) or rng.choice(genres)
        topic = self.topics_by_name.get(kind.topic) if kind.topic else None
        document = Document(
            title=title,
            summary=f"{subject}相关工作安排（演示数据）。",
            body=make_body(rng, subject, kind),
            agency=agency,
            node=node,
            topic=topic or rng.choice(topics),
            genre=genre,
            doc_number=(
                f"铜府办发〔{published_on.year}〕{rng.randint(1, 200)}号"
                if genre.requires_doc_number
                else ""
            ),
            written_on=written,
            published_at=published,
            # Demo history: each published one as if the server had published it on its date.
            published_recorded_at=published if status == Document.Status.PUBLISHED else None,
            validity=rng.choice(list(Document.Validity.values)),
            keywords=f"{subject} 演示数据",
            disclosure_mode=mode,
            status=status,
            is_demo=True,
        )
        if status == Document.Status.PUBLISHED:
            self.number(document, published_on.year, counters)
        return document

    def number(self, document, year, counters):
        """Gives ``document`` the next free index number of its agency for ``year``."""
        agency = document.agency
        key = (agency.numbering_code, year)
        counter = counters.get(key)
        if counter is None:
            counter = counters[key] = IndexCounter(credit_code=key[0], year=year)
        held = self.held_serials(key, counter)
        counter.last_serial += 1
        while counter.last_serial in held:  # kept by a legacy number: the next one is free
            counter.last_serial += 1
        document.index_code, document.index_year = key
        document.index_serial = counter.last_serial
        document.index_number_text = format_index_number(
            *key, counter.last_serial, agency.index_scheme
        )


def link_interpretations(rng):
    """Each demo 政策解读 interprets a demo 行政规范性文件 published before it, and its title
    names that document (``Document.interprets``)."""
    originals = list(
        Document.objects.filter(is_demo=True, genre__name="行政规范性文件")
        .order_by("published_at", "pk")
        .values_list("pk", "title", "published_at")
    )
    dates = [published for _, _, published in originals]
    links, renamed, first_originals = [], [], []
    for interpretation in Document.objects.filter(is_demo=True, genre__name="政策解读").only(
        "pk", "title", "published_at"
    ):
        # One of the (at most 50) latest originals published by then.
        before = bisect.bisect_right(dates, interpretation.published_at)
        if not before:
            # Nothing to interpret yet: it is one of the first 规范性文件 instead.
            first_originals.append(interpretation.pk)
            continue
        pk, title, _ = originals[rng.randrange(max(0, before - 50), before)]
        named = re.search(r"《(.+)》", title)
        interpretation.title = f"《{named.group(1) if named else title}》政策解读"
        renamed.append(interpretation)
        links.append(
            Document.interprets.through(from_document_id=interpretation.pk, to_document_id=pk)
        )
    Document.objects.bulk_update(renamed, ["title"], batch_size=1000)
    Document.interprets.through.objects.bulk_create(links, batch_size=1000)
    normative = Document.objects.filter(is_demo=True, genre__name="行政规范性文件").first()
    for document in Document.objects.filter(pk__in=first_originals).select_related("agency"):
        if normative is None:
            break
        year = timezone.localtime(document.published_at).year
        document.title, _ = _normative(rng, document.agency, year, None)
        document.genre_id, document.node_id = normative.genre_id, normative.node_id
        document.save(update_fields=["title", "genre", "node"])
