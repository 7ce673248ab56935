from datetime import date

from django.core.management.base import BaseCommand

from disclosure.reports.compliance import build_report, report_download
from portal import downloads
from portal.actors import SYSTEM


class Command(BaseCommand):
    help = "合规检查：逾期公开、栏目不更新、行政规范性文件未解读、元数据缺失等，可按过去某日复现。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", type=date.fromisoformat, help="检查日期 YYYY-MM-DD（默认今天）"
        )
        parser.add_argument("--format", choices=["csv", "xlsx", "text"], default="text")
        parser.add_argument("-o", "--output", help="输出文件（csv/xlsx 时必填）")

    def handle(self, *args, as_of=None, format="text", output=None, **options):
        report = build_report(as_of, SYSTEM)
        if format == "text" or not output:
            self.stdout.write(f"合规检查：{report.as_of}")
            for label, count in report.summary:
                self.stdout.write(f"  {label}：{count}")
            for finding in report.findings:
                self.stdout.write(f"- [{finding.kind_label}] {finding.subject}：{finding.detail}")
            return
        downloads.write_file(report_download(report), format, output, SYSTEM)
        self.stdout.write(self.style.SUCCESS(f"已写入 {len(report.findings)} 条问题到 {output}。"))
