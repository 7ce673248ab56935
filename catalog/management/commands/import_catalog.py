import time

from django.core.management.base import BaseCommand, CommandError

from catalog.importer import (
    DirectoryImportError,
    find_path,
    import_directory,
    read_directory,
    read_table,
)
from catalog.models import Agency


class Command(BaseCommand):
    help = "导入基层政务公开标准目录（CSV 或 XLSX）：一级事项、二级事项成为指定栏目下的两级栏目。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="标准目录文件，.csv 或 .xlsx")
        parser.add_argument(
            "--under",
            required=True,
            help="目标栏目路径，如 政务公开/基层政务公开标准目录/城乡规划",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="目标栏目路径中不存在的栏目一并新建（不加此项时，路径不存在即停止）",
        )
        parser.add_argument(
            "--agency", metavar="CREDIT_CODE", help="公开主体机构的统一社会信用代码"
        )

    def handle(self, *args, file, under, agency=None, create=False, **options):
        agency_obj = None
        if agency:
            agency_obj = Agency.objects.filter(credit_code=agency.strip().upper()).first()
            if agency_obj is None:
                raise CommandError(f"找不到统一社会信用代码为 {agency} 的机构。")
        started = time.perf_counter()
        _parent, missing = find_path(under)
        if missing and not create:
            raise CommandError(
                f"目标栏目“{under}”不存在（缺少“{missing[0]}”）。请检查路径；"
                "确需新建这些栏目时，请加上 --create 重新运行。"
            )
        try:
            reading = read_directory(read_table(file))
            if reading.errors:
                raise DirectoryImportError(reading.errors)
            self.report_columns(reading)
            items = reading.items
            result = import_directory(
                items, under, agency=agency_obj, create=create, source={"file": str(file)}
            )
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{file}")
        except OSError as exc:
            raise CommandError(f"无法打开文件：{file}（{exc.strerror or exc}）")
        except DirectoryImportError as exc:
            raise CommandError(f"导入失败，文件中的内容均未保存：\n{exc}")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：{len(items)} 个事项；新建 {result.created} 个栏目，"
                f"更新 {result.updated} 个，未变 {result.unchanged} 个；用时 {elapsed:.2f} 秒。"
            )
        )

    def report_columns(self, reading):
        """Name each column of the file and what it becomes, and what to check, before the
        import."""
        for column in reading.layout.recognised:
            self.stdout.write(f"{column.letter}列“{column.heading}” → {column.target}")
        for column in reading.layout.ignored:
            self.stdout.write(
                self.style.WARNING(f"{column.letter}列“{column.heading}”不导入：{column.reason}")
            )
        for warning in reading.warnings:
            self.stdout.write(self.style.WARNING(warning))
