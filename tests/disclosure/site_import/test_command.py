"""import_site: a whole site from a folder or a zip on the server."""

import json

import pytest
from django.core.management import CommandError, call_command

from disclosure.documents import actions as document_actions
from disclosure.documents.models import Attachment, Document, Topic
from portal.models import AuditEvent
from tests.disclosure.site_import.packages import PDF, folder, package, row

pytestmark = pytest.mark.django_db


def test_a_folder_is_imported_in_batches_each_audited(portal_site, tmp_path, capsys):
    rows = [row(serial) for serial in range(225, 230)]
    rows[0]["附件"] = "说明.pdf"
    path = folder(tmp_path / "site", rows, attachments={"说明.pdf": PDF})

    call_command("import_site", str(path), "--batch-size", "2")

    assert Document.objects.filter(status=Document.Status.PUBLISHED).count() == 5
    assert Attachment.objects.get().original_name == "说明.pdf"
    events = AuditEvent.objects.filter(action=document_actions.IMPORT_DOCUMENTS)
    assert [e.details["created"] for e in events.order_by("pk")] == [2, 2, 1]
    assert "新导入 5 份（3 批），已导入过而跳过 0 份。" in capsys.readouterr().out


def test_a_second_run_skips_every_document(portal_site, tmp_path, capsys):
    path = package(tmp_path / "old.zip", [row(225), row(226)])
    call_command("import_site", str(path))

    call_command("import_site", str(path))

    assert Document.objects.count() == 2
    assert "新导入 0 份（0 批），已导入过而跳过 2 份。" in capsys.readouterr().out


def test_unmapped_values_are_listed_and_nothing_is_imported(portal_site, tmp_path, capsys):
    path = package(tmp_path / "old.zip", [row(225, 主题分类="城建"), row(226, 主题分类="城建")])

    with pytest.raises(CommandError, match="未导入任何文件"):
        call_command("import_site", str(path))

    assert "未对应的主题分类：“城建”（2 份，首见第2行）" in capsys.readouterr().err
    assert not Document.objects.exists()


def test_a_mapping_file_names_the_portals_topic_by_its_path(portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225, 主题分类="城建")])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"主题分类": {"城建": "城乡建设、环境保护 / 城乡建设"}}, ensure_ascii=False),
        encoding="utf-8",
    )

    call_command("import_site", str(path), "--mapping", str(mapping), "--draft")

    document = Document.objects.get()
    assert document.topic == Topic.objects.get(name="城乡建设")
    assert document.status == Document.Status.DRAFT


def test_a_mapping_to_something_the_portal_lacks_is_refused(portal_site, tmp_path):
    path = package(tmp_path / "old.zip", [row(225, 主题分类="城建")])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"主题分类": {"城建": "城建局"}}), encoding="utf-8")

    with pytest.raises(CommandError, match="找不到或不唯一"):
        call_command("import_site", str(path), "--mapping", str(mapping))

    assert not Document.objects.exists()


def test_a_path_that_is_neither_a_folder_nor_a_zip_is_refused(portal_site, tmp_path):
    other = tmp_path / "metadata.xlsx"
    other.write_bytes(b"x")

    with pytest.raises(CommandError, match="请提供 .zip 文件包或文件夹"):
        call_command("import_site", str(other))


def test_a_link_out_of_the_folder_is_refused(portal_site, tmp_path):
    path = folder(tmp_path / "site", [row(225)])
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    (path / "bodies" / "link.html").symlink_to(secret)

    with pytest.raises(CommandError, match="指向文件夹以外"):
        call_command("import_site", str(path))


def test_a_dry_run_reports_and_saves_nothing(portal_site, tmp_path, capsys):
    path = package(tmp_path / "old.zip", [row(225), row(226, 主题分类="城建")])

    call_command("import_site", str(path), "--dry-run")

    captured = capsys.readouterr()
    assert "（未保存）共 2 份：新导入 1 份" in captured.out
    assert "未对应的主题分类：“城建”" in captured.err
    assert not Document.objects.exists()
