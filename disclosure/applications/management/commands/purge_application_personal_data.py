from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from disclosure.applications.privacy import purge_personal_data


class Command(BaseCommand):
    help = (
        "清除办结若干年以上的依申请公开申请中的个人信息：删除身份证明文件，"
        "证件号码和统一社会信用代码只保留前四位和后四位。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            type=int,
            default=settings.APPLICATION_PERSONAL_DATA_YEARS,
            help="办结多少年以上（默认 %(default)s，即 PORTAL_APPLICATION_KEEP_YEARS）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不清除")

    def handle(self, *args, years, dry_run, **options):
        if years < 1:
            raise CommandError("--years 至少为 1。")
        result = purge_personal_data(years, dry_run=dry_run)
        counts = (
            f"{result.before:%Y-%m-%d} 以前办结的申请 {result.applications} 件，"
            f"其中身份证明文件 {result.files} 个"
        )
        if dry_run:
            self.stdout.write(f"将清除：{counts}（未作修改）。")
        else:
            self.stdout.write(self.style.SUCCESS(f"已清除：{counts}。"))
