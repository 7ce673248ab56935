"""Importing an old site's documents: what lands, what is kept as written, what is asked."""

import zipfile
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from disclosure.documents import actions as document_actions
from disclosure.documents import services as document_services
from disclosure.documents.models import Attachment, Document, Topic
from disclosure.documents.models.counts import PublicCount, rebuild_public_counts
from disclosure.site_import import package as package_module
from disclosure.site_import.mapping import Resolver
from disclosure.site_import.metadata import header_fields, parse_date
from disclosure.site_import.package import PackageRefused, open_package
from disclosure.site_import.services import (
    BatchFailed,
    ImportRefused,
    import_documents,
    plan_import,
)
from portal.actors import SYSTEM
from portal.models import AuditEvent
from tests.disclosure.site_import.packages import (
    PDF,
    REPLIES,
    STANDARD_HEADER,
    VARIANT_HEADER,
    body,
    index_number,
    package,
    row,
)
from tests.factories import AgencyFactory, DocumentFactory, published

pytestmark = pytest.mark.django_db


def run(path, **options):
    opened = open_package(path)
    try:
        return import_documents(opened, SYSTEM, source={"file": path.name}, **options)
    finally:
        opened.close()


def plan(path, user=SYSTEM, mapping=None):
    opened = open_package(path)
    try:
        return plan_import(opened, user, mapping)
    finally:
        opened.close()


def shanghai(*parts):
    return timezone.make_aware(datetime(*parts))


def test_documents_land_published_with_their_old_numbers_dates_and_metadata(portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225), row(226, 文号="铜府办函〔2022〕31号")])

    result = run(path)

    assert (result.created, result.skipped, result.batches) == (2, 0, 1)
    document = Document.objects.get(migrated_index_number=index_number(225))
    assert document.index_number == "115002240093343308/2022-00225"
    assert document.status == Document.Status.PUBLISHED
    assert document.published_at == shanghai(2022, 7, 15)
    assert document.written_on == date(2022, 6, 6)
    assert document.agency == portal_site["agency"]
    assert document.node == portal_site["replies"]
    assert document.topic == portal_site["other_topic"]
    assert document.genre == portal_site["genre"]
    assert document.migrated_from == "old.zip"
    assert "范川代表" in document.body
    assert Document.objects.get(index_serial=226).doc_number == "铜府办函〔2022〕31号"
    assert set(Document.objects.public().values_list("index_serial", flat=True)) == {225, 226}


def test_the_import_is_audited_naming_every_number_and_the_history_says_migrated(
    portal_site, tmp_path
):
    run(package(tmp_path / "old.zip", [row(225), row(226)]))

    event = AuditEvent.objects.get(action=document_actions.IMPORT_DOCUMENTS)
    assert event.details["index_numbers"] == [index_number(225), index_number(226)]
    assert event.details["status"] == "published"
    assert event.details["file"] == "old.zip"
    history = Document.objects.get(index_serial=225).history.get()
    assert (history.status, history.history_change_reason) == ("published", "从旧网站迁移")


def test_drafts_keep_the_old_numbers_and_dates_and_stay_out_of_public_view(portal_site, tmp_path):
    run(package(tmp_path / "old.zip", [row(225)]), publish=False)

    document = Document.objects.get()
    assert document.status == Document.Status.DRAFT
    assert document.index_number == index_number(225)
    assert document.published_at == shanghai(2022, 7, 15)
    assert not Document.objects.public().exists()


def test_a_second_run_skips_what_was_imported_and_adds_only_new_rows(portal_site, tmp_path):
    run(package(tmp_path / "first.zip", [row(225)]))
    Document.objects.filter(index_serial=225).update(title="本站修改过的标题")

    result = run(package(tmp_path / "second.zip", [row(225), row(227)]))

    assert (result.created, result.skipped) == (1, 1)
    assert Document.objects.count() == 2
    assert Document.objects.get(index_serial=225).title == "本站修改过的标题"


def test_another_sites_labels_and_date_shapes_are_read_from_a_gb18030_csv(portal_site, tmp_path):
    rows = [
        row(301, 发布日期="2020-10-10 19:48:26", 成文日期="2020年9月30日", 有效性="现行有效"),
        row(302, 发布日期="2011.05.30", 成文日期="2011/5/30", 有效性="已废止"),
        row(303, 发布日期="20210305", 成文日期="", 有效性="失效", 文号="区府办发[2021]65号"),
    ]
    path = package(tmp_path / "old.zip", rows, kind="csv", header=VARIANT_HEADER)

    run(path)

    by_serial = {d.index_serial: d for d in Document.objects.all()}
    assert by_serial[301].published_at == shanghai(2020, 10, 10, 19, 48, 26)
    assert by_serial[301].written_on == date(2020, 9, 30)
    assert by_serial[301].validity == Document.Validity.VALID
    assert by_serial[302].published_at == shanghai(2011, 5, 30)
    assert by_serial[302].validity == Document.Validity.REPEALED
    assert by_serial[303].written_on is None
    assert by_serial[303].validity == Document.Validity.EXPIRED
    assert by_serial[303].doc_number == "区府办发[2021]65号"
    assert by_serial[303].keywords == "建议 复函"


def test_a_validity_the_old_site_did_not_state_stays_unstated(portal_site, tmp_path):
    run(package(tmp_path / "old.zip", [row(225, 有效性="")]))

    assert Document.objects.get().validity == ""


def test_a_json_export_zipped_as_one_folder_is_read(portal_site, tmp_path):
    run(package(tmp_path / "old.zip", [row(225)], kind="json", top="export-2024/"))

    assert Document.objects.get().index_number == index_number(225)


@pytest.mark.parametrize(
    "header",
    [
        STANDARD_HEADER,
        VARIANT_HEADER,
        # A regulations database's labels, with the brackets and colons its pages print.
        [
            "【题名】",
            "索引号：",
            "制定机关",
            "所属栏目",
            "主题",
            "公文种类",
            "字号",
            "签发日期",
            "公布日期",
            "效力状态",
            "关键字",
            "内容简介",
            "正文文件名",
            "附件文件名",
        ],  # fmt: skip
    ],
)
def test_every_field_is_found_under_the_labels_sites_use(header):
    assert sorted(header_fields(header).values()) == list(range(14))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-07-15", (date(2022, 7, 15), None)),
        ("2022年7月15日", (date(2022, 7, 15), None)),
        ("２０２２－０７－１５", (date(2022, 7, 15), None)),
        ("2022-07-15 00:00:00", (date(2022, 7, 15), datetime(1, 1, 1, 0, 0).time())),
        ("2022-02-30", None),
        ("15/07/2022", None),
        ("1899-01-01", None),
    ],
)
def test_dates_are_read_in_the_shapes_old_sites_write_them(text, expected):
    assert parse_date(text) == expected


def test_an_unknown_topic_is_asked_not_guessed_and_nothing_is_written(portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225, 主题分类="城建"), row(226)])

    preview = plan(path)
    assert preview.unmapped == {"topic": {"城建": [2]}}
    with pytest.raises(ImportRefused):
        run(path)
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action=document_actions.IMPORT_DOCUMENTS).exists()

    building = Topic.objects.get(name="城乡建设", parent__name="城乡建设、环境保护")
    run(path, mapping={"topic": {"城建": building.pk}})
    assert Document.objects.get(index_serial=225).topic == building


def test_a_name_several_topics_share_is_asked(portal_site, tmp_path):
    Topic.objects.filter(name="其他", parent=None).delete()

    preview = plan(package(tmp_path / "old.zip", [row(225)]))

    assert preview.unmapped == {"topic": {"其他": [2]}}


def test_a_topic_is_found_by_its_path_and_a_column_by_its_breadcrumb(portal_site):
    finder = Resolver(SYSTEM)

    assert finder.find("topic", "民政、乡村振兴、救灾 / 救灾") == portal_site["relief"].pk
    assert finder.find("topic", "民政、扶贫、救灾 / 救灾") == portal_site["relief"].pk
    assert finder.find("topic", "民政、扶贫、救灾") == portal_site["civil"].pk
    assert finder.find("topic", "扶贫") == Topic.objects.get(name="乡村振兴").pk
    assert finder.find("topic", "救灾") == portal_site["relief"].pk
    assert finder.find("node", REPLIES) == portal_site["replies"].pk
    assert finder.find("node", "政务公开/法定主动公开内容/政策文件") == portal_site["policies"].pk
    assert finder.find("node", "人大代表建议办理") is None
    assert finder.find("agency", "115002240093343308") == portal_site["agency"].pk
    assert finder.find("agency", "铜梁区政府") is None


def test_every_unknown_agency_column_and_genre_is_listed_with_its_rows(portal_site, tmp_path):
    rows = [
        row(225, 发布机构="铜梁区农业农村委", 栏目="政务公开 > 通知公告", 体裁分类="公示"),
        row(226, 发布机构="铜梁区农业农村委"),
    ]

    preview = plan(package(tmp_path / "old.zip", rows))

    assert preview.unmapped == {
        "agency": {"铜梁区农业农村委": [2, 3]},
        "node": {"政务公开 > 通知公告": [2]},
        "genre": {"公示": [2]},
    }
    assert preview.new == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"发布日期": "去年七月"}, "发布日期“去年七月”无法识别"),
        ({"有效性": "部分有效"}, "有效性“部分有效”无法识别"),
        ({"标题": ""}, "缺少标题"),
        ({"标题": "复函\x07"}, "控制字符"),
        ({"正文文件": "missing.html"}, "找不到正文文件"),
        ({"附件": "附件1.pdf"}, "找不到附件"),
        ({"索引号": "115002240093343308/2022年第22号"}, "不能含有“年第号”"),
        ({"索引号": "2022-225"}, "太短，缺少机构代码或序号"),
    ],
)
def test_one_bad_row_stops_the_whole_import(portal_site, tmp_path, changes, problem):
    bodies = {f"reply-{serial}.html": body(serial) for serial in (225, 226)}
    rows = [row(225), row(226, **changes)]
    path = package(tmp_path / "old.zip", rows, kind="csv", bodies=bodies)
    path_plan = plan(path)
    assert [r for r, _message in path_plan.errors] == [3]
    assert problem in path_plan.errors[0][1]

    with pytest.raises(ImportRefused):
        run(path)

    assert not Document.objects.exists()
    assert not Attachment.objects.exists()


def test_an_index_number_of_another_agency_or_held_here_is_refused(portal_site, tmp_path):
    other = AgencyFactory()
    published(agency=portal_site["agency"], node=portal_site["replies"])
    held = Document.objects.get().index_number
    rows = [row(225, 索引号=f"{other.credit_code}/2022-00225"), row(226, 索引号=held)]

    errors = dict(plan(package(tmp_path / "old.zip", rows)).errors)

    assert "不是发布机构" in errors[2]
    assert "已被其他文件使用" in errors[3]


def test_the_same_number_twice_in_one_file_is_refused(portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225), row(225, 正文文件="again.html")])

    errors = plan(path).errors

    assert errors == [(3, f"索引号 {index_number(225)} 与第2行重复。")]


def test_a_script_in_a_body_is_removed_and_a_whole_page_keeps_only_its_body(portal_site, tmp_path):
    bodies = {
        "reply-00225.html": '<p onclick="x()">正文</p><script>alert(1)</script>',
        "reply-00226.html": (
            '<html><head><meta charset="gbk"><title>旧网站标题</title></head>'
            "<body><p>第二份正文</p></body></html>"
        ).encode("gb18030"),
    }
    rows = [row(225, 正文文件="reply-00225.html"), row(226, 正文文件="reply-00226.html")]

    run(package(tmp_path / "old.zip", rows, bodies=bodies))

    first, second = (Document.objects.get(index_serial=s).body for s in (225, 226))
    assert first == "<p>正文</p>"
    assert second == "<p>第二份正文</p>"


def test_attachments_are_checked_and_stored_with_their_names(portal_site, tmp_path):
    rows = [row(225, 附件="关于道路养护的说明.pdf；附表.pdf")]
    attachments = {"关于道路养护的说明.pdf": PDF, "附表.pdf": PDF}

    run(package(tmp_path / "old.zip", rows, attachments=attachments))

    names = list(Attachment.objects.values_list("original_name", "kind", "sort_order"))
    assert names == [("关于道路养护的说明.pdf", "pdf", 0), ("附表.pdf", "pdf", 1)]
    document = Document.objects.get()
    assert document.status == Document.Status.PUBLISHED
    assert list(document.attachments.live()) == list(Attachment.objects.all())
    assert PublicCount.objects.get(node=portal_site["replies"]).documents == 1


def test_a_program_named_as_a_pdf_is_refused_and_nothing_is_written(portal_site, tmp_path):
    rows = [row(225), row(226, 附件="通知.pdf")]
    path = package(tmp_path / "old.zip", rows, attachments={"通知.pdf": b"MZ\x90\x00" * 100})

    assert "内容与扩展名不符" in plan(path).errors[0][1]
    with pytest.raises(ImportRefused):
        run(path)
    assert not Document.objects.exists()


def test_a_zip_bomb_is_refused_before_anything_is_inflated(portal_site, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.csv", "标题\n")
        archive.writestr("bodies/a.html", b" " * (64 * 1024 * 1024))

    with pytest.raises(PackageRefused, match="压缩比"):
        open_package(path)


def test_a_package_with_too_many_files_is_refused(portal_site, tmp_path, monkeypatch):
    limits = package_module.COMMAND_LIMITS
    monkeypatch.setattr(
        package_module,
        "COMMAND_LIMITS",
        type(limits)(limits.max_bytes, 3, limits.max_uncompressed, limits.max_ratio),
    )
    path = package(tmp_path / "old.zip", [row(225), row(226), row(227)])

    with pytest.raises(PackageRefused, match="上限 3 个"):
        open_package(path, package_module.COMMAND_LIMITS)


def test_metadata_past_its_row_limit_is_refused_unread(portal_site, tmp_path, monkeypatch):
    monkeypatch.setattr("disclosure.site_import.metadata.MAX_ROWS", 3)
    path = package(tmp_path / "old.zip", [row(225), row(226), row(227)], kind="csv")

    with pytest.raises(PackageRefused, match="超过 2 行"):
        plan(path)


def test_an_oversized_body_is_refused(portal_site, tmp_path, monkeypatch):
    monkeypatch.setattr("disclosure.site_import.services.BODY_MAX_BYTES", 100)
    path = package(tmp_path / "old.zip", [row(225)], bodies={"reply-225.html": "<p>长</p>" * 50})

    assert "过大" in plan(path).errors[0][1]


def test_a_failing_batch_keeps_the_batches_before_it_and_a_rerun_finishes(
    portal_site, tmp_path, monkeypatch
):
    path = package(tmp_path / "old.zip", [row(s) for s in (225, 226, 227, 228)])
    real = document_services.set_legacy_index_number

    def failing(document, text):
        if text.endswith("00227"):
            raise ValidationError("模拟故障")
        return real(document, text)

    monkeypatch.setattr(document_services, "set_legacy_index_number", failing)
    with pytest.raises(BatchFailed, match="第2批未保存（模拟故障）；此前的 2 份已保存"):
        run(path, batch_size=2)
    assert sorted(Document.objects.values_list("index_serial", flat=True)) == [225, 226]
    assert PublicCount.objects.get(node=portal_site["replies"]).documents == 2

    monkeypatch.setattr(document_services, "set_legacy_index_number", real)
    result = run(path, batch_size=2)
    assert (result.created, result.skipped) == (2, 2)
    assert PublicCount.objects.get(node=portal_site["replies"]).documents == 4
    assert rebuild_public_counts() == {}


def test_a_staff_member_imports_only_into_their_own_agency(portal_site, tmp_path):
    from tests.factories import StaffUserFactory

    user = StaffUserFactory()
    user.agencies.add(AgencyFactory())

    errors = plan(package(tmp_path / "old.zip", [row(225)]), user=user).errors

    assert errors == [(2, "您无权在发布机构“铜梁区人民政府”下导入文件。")]


def test_a_document_filed_here_is_not_taken_for_a_migrated_one(portal_site, tmp_path):
    DocumentFactory(agency=portal_site["agency"], node=portal_site["replies"])

    result = run(package(tmp_path / "old.zip", [row(225)]))

    assert result.created == 1
    assert Document.objects.filter(migrated_index_number="").count() == 1


def test_a_cell_past_its_limit_or_a_nested_json_value_is_refused(
    portal_site, tmp_path, monkeypatch
):
    monkeypatch.setattr("disclosure.site_import.metadata.MAX_CELL_CHARS", 50)
    long_summary = package(tmp_path / "a.zip", [row(225, 内容概述="很长" * 30)], kind="csv")
    with pytest.raises(PackageRefused, match="第2行有单元格超过 50 个字符"):
        plan(long_summary)

    nested = tmp_path / "b.zip"
    with zipfile.ZipFile(nested, "w") as archive:
        archive.writestr("metadata.json", '[{"标题": {"嵌套": "对象"}}]')
    with pytest.raises(PackageRefused, match="不是文字"):
        plan(nested)


def test_a_package_without_one_metadata_file_is_refused(portal_site, tmp_path):
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "标题\n")
        archive.writestr("b.json", "[]")

    with pytest.raises(PackageRefused, match="找到：a.csv、b.json"):
        plan(path)


def test_a_gbk_named_zip_made_on_chinese_windows_is_read(portal_site, tmp_path, monkeypatch):
    named = package(tmp_path / "plain.zip", [row(225, 正文文件="复函.html")], bodies={})
    with zipfile.ZipFile(named) as source:
        metadata = source.read("metadata.xlsx")
    path = tmp_path / "gbk.zip"
    # What Windows' own zip writes: names in GBK, and no UTF-8 flag.
    monkeypatch.setattr(
        zipfile.ZipInfo,
        "_encodeFilenameFlags",
        lambda info: (info.filename.encode("gb18030"), info.flag_bits & ~0x800),
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.xlsx", metadata)
        archive.writestr("bodies/复函.html", "<p>正文</p>")
    monkeypatch.undo()

    run(path)

    assert Document.objects.get().body == "<p>正文</p>"


FOREIGN_SHAPES = [
    "01527918X-2020-153077",  # 组织机构代码-年-流水号
    "00930000X/2022-00031",  # 组织机构代码/年-序号
    "500224-0101-2021-0042",  # region, department, year, serial
    "QTZF-2019-000815",  # a short prefix
]


def test_other_sites_index_numbers_are_kept_exactly_and_found_again(portal_site, tmp_path):
    rows = [row(225 + n, 索引号=number) for n, number in enumerate(FOREIGN_SHAPES)]
    path = package(tmp_path / "old.zip", rows)

    run(path)
    again = run(path)

    shown = sorted(Document.objects.values_list("index_number_text", flat=True))
    assert shown == sorted(FOREIGN_SHAPES)
    assert sorted(d.index_number for d in Document.objects.all()) == sorted(FOREIGN_SHAPES)
    assert (again.created, again.skipped) == (0, 4)
    assert Document.objects.public().count() == 4


def test_an_organisation_code_of_another_agency_is_refused(portal_site, tmp_path):
    AgencyFactory(org_code="01527918X")

    errors = plan(package(tmp_path / "old.zip", [row(225, 索引号=FOREIGN_SHAPES[0])])).errors

    assert "不是发布机构“铜梁区人民政府”的组织机构代码" in errors[0][1]


def test_a_folder_zipped_on_a_mac_is_read_without_its_resource_forks(portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225)], top="导出/")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("__MACOSX/导出/._metadata.xlsx", b"\0\5\26\7")

    run(path)

    assert Document.objects.get().index_number == index_number(225)


def test_the_number_checks_read_an_index_not_every_document(portal_site, tmp_path):
    """Each row's checks find a number through the unique indexes: on SQLite a check that
    scanned the table would make a large import quadratic."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        plan(package(tmp_path / "old.zip", [row(225), row(226)]))
    checks = [
        query["sql"]
        for query in captured.captured_queries
        if '"index_number_text" =' in query["sql"] or '"migrated_index_number" IN' in query["sql"]
    ]
    assert len(checks) == 3
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            for sql in checks:
                cursor.execute(f"EXPLAIN {sql}")
                assert "Seq Scan" not in str(cursor.fetchall())
        else:
            for sql in checks:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                assert "SCAN disclosure_document" not in str(cursor.fetchall())


def test_a_person_publishing_an_import_cannot_skip_the_severe_wording_check(portal_site, tmp_path):
    # A reviewer's import publishes at once: a document holding a 严重 错敏词 would otherwise go
    # public with neither the check nor a 放行理由. It comes in as a draft, to be reviewed.
    from disclosure.documents import wording
    from disclosure.documents.models import WordRule
    from portal.roles import REVIEWER
    from tests.factories import StaffUserFactory

    wording._compiled = (None, None)
    WordRule.objects.create(wrong="台湾政府", right="台湾当局", severity="severe")
    reviewer = StaffUserFactory(role=REVIEWER)
    reviewer.agencies.add(portal_site["agency"])
    rows = [row(225, 标题="关于台湾政府来函的复函"), row(226)]
    opened = open_package(package(tmp_path / "old.zip", rows))
    try:
        result = import_documents(opened, reviewer, source={"file": "old.zip"})
    finally:
        opened.close()
        wording._compiled = (None, None)
    statuses = dict(Document.objects.values_list("migrated_index_number", "status"))
    assert statuses == {
        index_number(225): Document.Status.DRAFT,
        index_number(226): Document.Status.PUBLISHED,
    }
    assert result.held == 1
    event = AuditEvent.objects.filter(action=document_actions.IMPORT_DOCUMENTS).latest("pk")
    assert event.details["held_for_words"] == [index_number(225)]
    assert PublicCount.objects.get(node=portal_site["replies"]).documents == 1
    assert rebuild_public_counts() == {}


def test_the_system_importing_an_old_site_is_not_checked(portal_site, tmp_path):
    from disclosure.documents import wording
    from disclosure.documents.models import WordRule

    wording._compiled = (None, None)
    WordRule.objects.create(wrong="台湾政府", right="台湾当局", severity="severe")
    try:
        run(package(tmp_path / "old.zip", [row(225, 标题="关于台湾政府来函的复函")]))
    finally:
        wording._compiled = (None, None)
    assert Document.objects.get().status == Document.Status.PUBLISHED
