from django.core.management.base import BaseCommand

from disclosure.documents.models import WordRule
from disclosure.documents.wording import load_word_rules


class Command(BaseCommand):
    help = "载入随系统提供的错敏词初始词库（可重复运行：只添加词库中没有的词，不改动已有条目）。"

    def handle(self, *args, **options):
        added = load_word_rules()
        total = WordRule.objects.count()
        self.stdout.write(self.style.SUCCESS(f"已添加 {added} 个错敏词，词库现有 {total} 个。"))
