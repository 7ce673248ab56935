import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from disclosure.models import Document
from disclosure.search import analysis


class Command(BaseCommand):
    help = "重建检索词（标题、正文、文号），例如在检索分析规则改变之后；PostgreSQL 的检索列随之自动更新。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        started = time.perf_counter()
        total = 0
        ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            chunk = list(
                Document.objects.filter(pk__in=ids[start : start + batch_size]).select_related(
                    "agency"
                )
            )
            for document in chunk:
                document.search_title = analysis.title_text(document)
                document.search_body = analysis.body_text(document)
                document.doc_number_key = analysis.doc_number_key(document)
            with transaction.atomic():
                Document.objects.bulk_update(
                    chunk, ["search_title", "search_body", "doc_number_key"]
                )
            total += len(chunk)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE disclosure_document")
        self.stdout.write(
            self.style.SUCCESS(
                f"已重建 {total} 个文件的检索词，用时 {time.perf_counter() - started:.1f} 秒。"
            )
        )
