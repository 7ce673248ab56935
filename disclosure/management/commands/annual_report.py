from django.core.management.base import BaseCommand, CommandError

from catalog.models import Agency
from disclosure.models import AnnualReport
from disclosure.reports import downloads
from disclosure.reports.annual import problems
from disclosure.reports.annual_files import FORMATS, report_file
from portal.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "导出政府信息公开工作年度报告（.docx 或 .xlsx）；已定稿的报告用定稿时的数字，"
        "草稿按当前数据统计。--check 只检查第三部分是否平衡、第四部分总计是否相符。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="机关的统一社会信用代码")
        parser.add_argument("--year", type=int, required=True, help="报告年度，如 2025")
        parser.add_argument("--format", choices=sorted(FORMATS), default="docx")
        parser.add_argument("-o", "--output", help="输出文件")
        parser.add_argument("--check", action="store_true", help="只检查数字，不输出文件")

    def handle(self, *args, agency, year, format="docx", output=None, check=False, **options):
        found = Agency.objects.filter(credit_code=agency.strip().upper()).first()
        if found is None:
            raise CommandError(f"没有统一社会信用代码为 {agency} 的机关。")
        report = AnnualReport.objects.filter(agency=found, year=year).first()
        if report is None:
            raise CommandError(f"{found.name}尚未建立{year}年度报告。")
        if check:
            errors = problems(report)
            for error in errors:
                self.stdout.write(error)
            if errors:
                raise CommandError(f"{report}：{len(errors)} 处数字不符。")
            self.stdout.write(self.style.SUCCESS(f"{report}：数字平衡。"))
            return
        if not output:
            raise CommandError("请用 -o 指定输出文件。")
        downloads.write_built(report_file(report, format), output, SYSTEM)
        self.stdout.write(
            self.style.SUCCESS(f"已写入{report}（{report.get_status_display()}）到 {output}。")
        )
