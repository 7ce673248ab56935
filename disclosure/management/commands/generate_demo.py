"""Generate realistic demo documents for trying the site at scale and for benchmarks."""

import random
import time
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from catalog.models import Agency, CatalogNode
from disclosure.models import Document, Genre, IndexCounter, Topic
from disclosure.models.counts import rebuild_public_counts
from portal import page_cache

SUBJECTS = [
    "城乡规划管理", "农村人居环境整治", "义务教育优质均衡发展", "基层医疗卫生服务", "养老服务体系建设",
    "安全生产专项整治", "生态环境保护督察整改", "高标准农田建设", "城市更新行动", "营商环境优化",
    "防汛抗旱工作", "森林防火", "食品安全监管", "就业创业扶持", "最低生活保障",
    "政务公开标准化规范化", "中小企业发展", "乡村振兴", "消费品以旧换新", "住房保障",
    "道路交通安全", "水污染防治", "文化旅游融合发展", "全民健身", "退役军人服务保障",
    "重大行政决策", "财政预算执行", "审计查出问题整改", "集体林权制度改革", "耕地保护",
]  # fmt: skip
VERBS = ["印发", "做好", "进一步加强", "开展", "推进", "调整", "公布", "下达", "规范", "做好2024年"]
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


def make_title(rng, agency):
    subject = rng.choice(SUBJECTS)
    return f"{agency.name}关于{rng.choice(VERBS)}{subject}{rng.choice(ENDINGS)}", subject


def make_body(rng, subject):
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
        agencies = list(Agency.objects.order_by("pk"))
        nodes = list(
            CatalogNode.objects.visible().filter(children__isnull=True).order_by("tree_id", "lft")
        )
        topics = list(Topic.objects.filter(parent__isnull=False).order_by("pk")) or list(
            Topic.objects.all()
        )
        genres = list(Genre.objects.order_by("pk"))
        if not (agencies and nodes and genres):
            raise CommandError("请先运行 seed_demo 建立机构、目录和分类。")
        rng = random.Random(seed)
        started = time.perf_counter()
        now = timezone.now()
        with transaction.atomic():
            counters = {
                (c.credit_code, c.year): c
                for c in IndexCounter.objects.select_for_update().filter(
                    credit_code__in=[a.credit_code for a in agencies]
                )
            }
            self.held = {}
            batch = []
            created = 0
            for _ in range(documents):
                batch.append(
                    self.make_document(rng, agencies, nodes, topics, genres, counters, now)
                )
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

    def make_document(self, rng, agencies, nodes, topics, genres, counters, now):
        agency = rng.choice(agencies)
        title, subject = make_title(rng, agency)
        year = rng.choice(YEARS)
        published = timezone.make_aware(datetime(year, 1, 1, 9)) + timedelta(
            days=rng.randint(0, 364), minutes=rng.randint(0, 600)
        )
        if published > now:
            published = now - timedelta(days=rng.randint(1, 300))
        roll = rng.random()
        status = Document.Status.DRAFT if roll < 0.02 else Document.Status.PUBLISHED
        mode = Document.DisclosureMode.ON_REQUEST if roll > 0.97 else Document.DisclosureMode.ACTIVE
        genre = rng.choice(genres)
        document = Document(
            title=title,
            summary=f"{subject}相关工作安排（演示数据）。",
            body=make_body(rng, subject),
            agency=agency,
            node=rng.choice(nodes),
            topic=rng.choice(topics),
            genre=genre,
            doc_number=(
                f"铜府办发〔{published.year}〕{rng.randint(1, 200)}号"
                if genre.requires_doc_number
                else ""
            ),
            written_on=(published - timedelta(days=rng.randint(0, 40))).date(),
            published_at=published,
            validity=rng.choice(list(Document.Validity.values)),
            keywords=f"{subject} 演示数据",
            disclosure_mode=mode,
            status=status,
            is_demo=True,
        )
        if status == Document.Status.PUBLISHED:
            local_year = timezone.localtime(published).year
            key = (agency.credit_code, local_year)
            counter = counters.get(key)
            if counter is None:
                counter = counters[key] = IndexCounter(
                    credit_code=agency.credit_code, year=local_year
                )
            held = self.held_serials(key, counter)
            counter.last_serial += 1
            while counter.last_serial in held:  # kept by a legacy number: the next one is free
                counter.last_serial += 1
            document.index_code, document.index_year = key
            document.index_serial = counter.last_serial
        return document
