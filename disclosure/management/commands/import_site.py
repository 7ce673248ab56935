from django.core.management.base import BaseCommand, CommandError

from disclosure.site_import.mapping import KINDS, MappingRefused, read_mapping_file
from disclosure.site_import.package import PackageRefused, open_package
from disclosure.site_import.services import (
    BATCH_SIZE,
    BatchFailed,
    ImportRefused,
    import_documents,
    plan_import,
)
from portal.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "迁移旧网站的公开文件：PATH 为文件夹或 .zip（元数据文件 + bodies/ + attachments/）。"
        "原索引号和日期原样保留；已导入过的索引号跳过。本站找不到对应项的发布机构、栏目、"
        "主题分类、体裁须在 --mapping 文件中给出，否则不导入任何文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="文件包：文件夹或 .zip")
        parser.add_argument(
            "--mapping",
            help='对应关系 JSON 文件，如 {"主题分类": {"城建": "城乡建设、环境保护 / 城乡建设"}}',
        )
        parser.add_argument(
            "--draft", action="store_true", help="存为草稿（默认直接发布，保留原发布日期）"
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"每个事务导入的文件数（默认 {BATCH_SIZE}）：一批全部成功或全部不保存",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告将导入、跳过的文件和问题，不保存"
        )

    def handle(self, *args, path, mapping=None, draft=False, batch_size=BATCH_SIZE, **options):
        """Import the package, or only report on it (``--dry-run``)."""
        if batch_size < 1:
            raise CommandError("--batch-size 应为正整数。")
        try:
            chosen = read_mapping_file(mapping) if mapping else {}
            package = open_package(path)
        except (MappingRefused, PackageRefused) as refused:
            raise CommandError(str(refused)) from None
        if options.get("dry_run"):
            return self.dry_run(package, chosen)
        try:
            result = import_documents(
                package,
                SYSTEM,
                mapping=chosen,
                publish=not draft,
                source={"file": str(path)[-200:]},
                batch_size=batch_size,
                progress=lambda done: self.stdout.write(f"已导入 {done.created} 份……"),
            )
        except ImportRefused as refused:
            self.report_problems(refused.plan)
            raise CommandError(f"未导入任何文件。{refused.plan.summary()}") from None
        except (PackageRefused, BatchFailed) as refused:
            raise CommandError(str(refused)) from None
        finally:
            package.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"新导入 {result.created} 份（{result.batches} 批），已导入过而跳过 "
                f"{result.skipped} 份。"
            )
        )

    def dry_run(self, package, chosen):
        try:
            plan = plan_import(package, SYSTEM, chosen)
        except PackageRefused as refused:
            raise CommandError(str(refused)) from None
        finally:
            package.close()
        self.report_problems(plan)
        self.stdout.write(f"（未保存）{plan.summary()}")

    def report_problems(self, plan):
        for row, problem in plan.errors[:200]:
            self.stderr.write(f"第{row}行：{problem}" if row else problem)
        if len(plan.errors) > 200:
            self.stderr.write(f"……另有 {len(plan.errors) - 200} 处问题。")
        for kind, values in plan.unmapped.items():
            for value, rows in sorted(values.items()):
                self.stderr.write(
                    f"未对应的{KINDS[kind]}：“{value}”（{len(rows)} 份，首见第{rows[0]}行）"
                )
