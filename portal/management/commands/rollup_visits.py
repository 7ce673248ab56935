from django.core.management.base import BaseCommand

from portal import visits


class Command(BaseCommand):
    help = (
        "把访问统计写入数据库（VisitDay）：本进程待写的计数，以及 Redis 中最近几天的数字"
        "（按当时的数字写入，重复运行结果相同）。请定时运行（如每 10 分钟）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=visits.REDIS_DAYS_KEPT, help="回看的天数（含今天）"
        )

    def handle(self, *args, days, **options):
        added, written = visits.rollup(max(1, min(days, visits.REDIS_DAYS_KEPT)))
        if written is None:
            self.stderr.write("Redis 无响应：本次未能汇总 Redis 中的数字。")
            written = 0
        self.stdout.write(f"已写入 {added + written} 条每日统计。")
