from django.core.management.base import BaseCommand, CommandError

from portal.audit import latest_hash, verify_chain
from portal.models import AuditEvent


class Command(BaseCommand):
    help = "校验审计日志的哈希链：发现被修改、删除、插入或调换顺序的记录时，指出第一条有问题的记录并以非零状态退出。"

    def handle(self, *args, **options):
        problem = verify_chain()
        if problem is not None:
            raise CommandError(str(problem))
        count = AuditEvent.objects.count()
        self.stdout.write(
            self.style.SUCCESS(f"审计日志完好：共 {count} 条，最新哈希 {latest_hash()}。")
        )
