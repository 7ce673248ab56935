from django.core.management.base import BaseCommand

from disclosure.documents.wording import published_word_matches


class Command(BaseCommand):
    help = "自查已公开文件中的错敏词：列出含有“严重”错敏词的文件（--all 连“提示”一并列出）。"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="同时列出“提示”级别的错敏词。")

    def handle(self, *args, **options):
        severity = None if options["all"] else "severe"
        count = 0
        for document, matches in published_word_matches(severity=severity):
            count += 1
            words = "；".join(
                f"{m.field_label}“{m.wrong}”→“{m.right or '不应使用'}”" for m in matches
            )
            self.stdout.write(f"#{document.pk} 《{document.title}》：{words}")
        if count:
            self.stdout.write(self.style.WARNING(f"共 {count} 个已公开文件含有错敏词。"))
        else:
            self.stdout.write(self.style.SUCCESS("已公开文件中未发现错敏词。"))
