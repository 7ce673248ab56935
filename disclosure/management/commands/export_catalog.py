from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Agency, CatalogNode
from disclosure.models import Document, Genre, Topic
from disclosure.reports import downloads
from disclosure.reports.downloads import ENCODINGS
from disclosure.reports.listings import ExportFilters, listing_download, too_large_for_xlsx
from portal.actors import SYSTEM


def day(text, option):
    """A YYYY-MM-DD date between 1949 and 2100, or a CommandError in Chinese naming the text."""
    if text is None or isinstance(text, date):
        return text
    try:
        value = date.fromisoformat(str(text).strip())
    except ValueError:
        raise CommandError(
            f"{option} 的日期“{text}”无效，请写成 YYYY-MM-DD，如 2024-01-31。"
        ) from None
    if not 1949 <= value.year <= 2100:
        raise CommandError(f"{option} 的日期“{text}”应在1949年至2100年之间。")
    return value


class Command(BaseCommand):
    help = "导出政府信息公开目录（CSV 或 XLSX）。默认只含已公开的文件；--status 可导出其他状态。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="输出文件")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--encoding", choices=list(ENCODINGS), default="utf-8", help="CSV 编码")
        parser.add_argument(
            "--node", help="栏目编号或路径（如 政务公开/法定主动公开内容），含下级栏目"
        )
        parser.add_argument("--agency", metavar="CREDIT_CODE", help="发布机构的统一社会信用代码")
        parser.add_argument("--from", dest="date_from", help="发布日期自 YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="发布日期至 YYYY-MM-DD")
        parser.add_argument("--genre", help="体裁分类名称")
        parser.add_argument("--topic", help="主题分类名称")
        parser.add_argument("--validity", choices=list(Document.Validity.values))
        parser.add_argument(
            "--status",
            action="append",
            choices=list(Document.Status.values),
            help="可重复；不给则只导出已公开的",
        )
        parser.add_argument(
            "--base-url",
            default=settings.PORTAL_BASE_URL,
            help="“链接”列的网址前缀（默认取 PORTAL_BASE_URL）",
        )

    def handle(self, *args, **options):
        options["date_from"] = day(options["date_from"], "--from")
        options["date_to"] = day(options["date_to"], "--to")
        if (
            options["date_from"]
            and options["date_to"]
            and options["date_from"] > options["date_to"]
        ):
            raise CommandError("起始日期（--from）不能晚于截止日期（--to）。")
        filters = ExportFilters(
            node=self.find_node(options["node"]),
            agency=self.find(Agency, "credit_code", options["agency"], "发布机构"),
            date_from=options["date_from"],
            date_to=options["date_to"],
            genre=self.find(Genre, "name", options["genre"], "体裁分类"),
            topic=self.find_topic(options["topic"]),
            validity=options["validity"] or "",
            statuses=options["status"] or [],
        )
        download, documents = listing_download(filters, SYSTEM, options["base_url"].rstrip("/"))
        output = options["output"]
        if options["format"] == "xlsx" and too_large_for_xlsx(documents):
            raise CommandError("超过 Excel 单表行数上限（1,048,575 行），请改用 --format csv。")
        try:
            count, sha = downloads.write_file(
                download, options["format"], output, SYSTEM, options["encoding"]
            )
        except downloads.TooLarge:
            raise CommandError("超过 Excel 单表行数上限，请改用 --format csv。")
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 条到 {output}（SHA-256 {sha}）。"))

    def find(self, model, field, value, label):
        if not value:
            return None
        found = model.objects.filter(**{field: value}).first()
        if found is None:
            raise CommandError(f"找不到{label}：{value}")
        return found

    def find_topic(self, value):
        """By name, path (综合政务/其他) or a former name (民政、扶贫、救灾)."""
        if not value:
            return None
        topic = Topic.objects.find(value)
        if topic is None:
            raise CommandError(f"找不到主题分类：{value}")
        return topic

    def find_node(self, value):
        if not value:
            return None
        if value.isdigit():
            return self.find(CatalogNode, "pk", int(value), "栏目")
        node = None
        for name in [part for part in value.split("/") if part]:
            node = CatalogNode.objects.filter(parent=node, name=name).first()
            if node is None:
                raise CommandError(f"找不到栏目：{value}")
        return node
