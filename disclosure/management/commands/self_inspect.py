from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from catalog.models import Agency
from disclosure.reports.inspection import agency_viewer, build_inspection, save_snapshots
from portal.actors import SYSTEM


def find_agency(text):
    """The agency named by its id, 统一社会信用代码 or name."""
    condition = Q(credit_code=text) | Q(name=text) | Q(short_name=text)
    if text.isdigit():
        condition |= Q(pk=int(text))
    found = list(Agency.objects.filter(condition)[:2])
    if len(found) != 1:
        raise CommandError(
            f"找不到机构“{text}”。" if not found else f"“{text}”对应多个机构，请用编号或信用代码。"
        )
    return found[0]


class Command(BaseCommand):
    help = (
        "网站自查：按《政府网站与政务新媒体检查指标》逐项检查（单项否决、扣分），可按过去某日复现；"
        "--save 保存当日记录（全站及每个机构，同一天重复运行会覆盖）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=date.fromisoformat, help="检查日期 YYYY-MM-DD（默认今天）"
        )
        parser.add_argument("--agency", help="只检查该机构（编号、信用代码或名称）及其下属机构")
        parser.add_argument("--save", action="store_true", help="保存自查记录，供自查页面显示趋势")

    def handle(self, *args, date=None, agency=None, save=False, **options):
        agency = find_agency(agency) if agency else None
        viewer = agency_viewer(SYSTEM, agency) if agency else SYSTEM
        inspection = build_inspection(date, viewer, agency)
        self.stdout.write(f"网站自查：{inspection.scope_name} {inspection.day}")
        for outcome in inspection.outcomes:
            rule = outcome.rule
            self.stdout.write(
                f"  [{rule.category}] {rule.name}：{outcome.count}，{outcome.verdict}"
            )
            for item in outcome.items:
                self.stdout.write(f"    - {item.subject}：{item.detail}")
        self.stdout.write(f"总体结论：{inspection.verdict}")
        if not save:
            return
        stored = save_snapshots(inspection)
        if agency is None:
            for each in Agency.objects.order_by("level", "name"):
                stored += save_snapshots(
                    build_inspection(inspection.day, agency_viewer(SYSTEM, each), each)
                )
        self.stdout.write(self.style.SUCCESS(f"已保存 {stored} 条自查记录。"))
