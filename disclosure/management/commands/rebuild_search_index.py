import time

from django.core.management.base import BaseCommand
from django.db import connection

from disclosure.documents.models import Document
from disclosure.documents.search import analysis
from portal import page_cache


class Command(BaseCommand):
    help = "重建检索词（标题、正文、文号），例如在检索分析规则改变之后；PostgreSQL 的检索列随之自动更新。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        started = time.perf_counter()
        total = analysis.reindex(Document.objects.all(), batch_size)
        # Search pages kept from before show what the old terms found.
        page_cache.bump_public_version()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE disclosure_document")
        self.stdout.write(
            self.style.SUCCESS(
                f"已重建 {total} 个文件的检索词，用时 {time.perf_counter() - started:.1f} 秒。"
            )
        )
