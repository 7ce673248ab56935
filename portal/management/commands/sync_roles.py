from django.core.management.base import BaseCommand
from django.db import transaction

from portal.roles import sync_roles


class Command(BaseCommand):
    help = "创建或更新工作人员角色（用户组）及其权限，使之与 portal/roles.py 的定义一致。"

    def handle(self, *args, **options):
        with transaction.atomic():
            result = sync_roles()
        for role, count in result.items():
            self.stdout.write(f"{role}：{count} 项权限")
        self.stdout.write(self.style.SUCCESS("角色已同步。"))
