from django.core.management.base import BaseCommand, CommandError

from portal.audit import chain_breaks, latest_hash
from portal.models import AuditEvent


class Command(BaseCommand):
    help = (
        "校验审计日志的哈希链：列出每一条被修改、删除、插入或调换顺序的记录，"
        "有问题时以非零状态退出。"
    )

    def handle(self, *args, **options):
        problems, first, edited = 0, None, 0
        for problem in chain_breaks():
            problems += 1
            first = first or problem
            edited += problem.kind == "edited"
            self.stderr.write(str(problem))
        count = AuditEvent.objects.count()
        if problems:
            keyed = AuditEvent.objects.filter(hash_scheme=AuditEvent.Scheme.HMAC_SHA256).count()
            hint = (
                "每一条加密钥的记录都不符：请先确认 PORTAL_AUDIT_KEY 与写入时所用的一致。"
                if keyed > 1 and edited >= keyed
                else ""
            )
            raise CommandError(
                f"审计日志校验未通过：共 {count} 条记录，发现 {problems} 处问题，"
                f"第一处为{first}。{hint}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"审计日志完好：共 {count} 条，最新哈希 {latest_hash()}。")
        )
