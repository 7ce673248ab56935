from django.core.management.base import BaseCommand, CommandError

from disclosure.documents import links
from disclosure.documents.external_links import Fetcher, FetchPolicy, Pacer, check_external
from disclosure.documents.models import LinkCheck


class Command(BaseCommand):
    help = (
        "检查公开文件中的链接：本站链接和附件（不经网络），外部链接（限速、限时、限量，"
        "不访问内网地址）。不加 --internal 或 --external 时两者都检查。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--internal", action="store_true", help="检查本站链接和附件。")
        parser.add_argument("--external", action="store_true", help="检查外部链接。")
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="本次最多检查的外部链接数（默认 200）；本站链接为最多检查的文件数（默认全部）。",
        )
        parser.add_argument(
            "--rate", type=float, default=2.0, help="每秒最多发出的请求数（默认 2）。"
        )
        parser.add_argument(
            "--host-interval",
            type=float,
            default=1.0,
            help="对同一网站两次请求之间至少间隔的秒数（默认 1）。",
        )
        parser.add_argument(
            "--timeout", type=float, default=5.0, help="每次连接、读取的超时秒数（默认 5）。"
        )

    def handle(self, *args, **options):
        for name in ("limit", "rate", "timeout"):
            if options[name] is not None and options[name] <= 0:
                raise CommandError(f"--{name} 必须大于 0。")
        if options["host_interval"] < 0:
            raise CommandError("--host-interval 不能小于 0。")
        both = not (options["internal"] or options["external"])
        if options["internal"] or both:
            checked = links.check_public_documents(options["limit"])
            self.stdout.write(f"已检查 {checked} 个公开文件的本站链接和附件。")
        if options["external"] or both:
            fetcher = Fetcher(
                FetchPolicy.from_settings(timeout=options["timeout"]),
                Pacer(options["rate"], options["host_interval"]),
            )
            run = check_external(options["limit"] or 200, fetcher)
            self.stdout.write(
                f"已检查 {run.checked} 个外部链接（{run.requests} 次请求），"
                f"其中 {run.broken} 个无法访问。"
            )
        broken = LinkCheck.objects.broken().on_public_documents().count()
        self.stdout.write(f"目前公开文件中共有 {broken} 个无法访问的链接。")
