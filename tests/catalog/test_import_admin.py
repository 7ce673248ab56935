"""The directory upload in the admin: preview first, then one audited import."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from catalog import actions as catalog_actions
from catalog import import_uploads
from catalog.models import CatalogNode
from portal.models import AuditEvent
from portal.roles import CATALOGUER, EDITOR
from tests.catalog.test_import_limits import xfd_workbook, zip_bomb
from tests.factories import AgencyFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:catalog_catalognode_import")
APPLY = reverse("admin:catalog_catalognode_import_apply")
HEADER = ["序号", "一级事项", "二级事项", "公开内容", "公开时限", "公开渠道和载体", "公开对象"]


def workbook(*rows, name="目录.xlsx"):
    wb = Workbook()
    for row in [HEADER, *rows]:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def area():
    root = CatalogNode.objects.create(name="政务公开")
    area = CatalogNode.objects.create(name="社会救助", parent=root)
    group = CatalogNode.objects.create(name="最低生活保障", parent=area)
    CatalogNode.objects.create(
        name="低保审批", parent=group, content="审批结果", time_limit_text="20个工作日"
    )
    return area


def staff(role, *agencies):
    return StaffUserFactory(role=role, agencies=agencies)


@pytest.fixture
def cataloguer(client):
    user = staff(CATALOGUER)
    client.force_login(user)
    return user


def upload(client, area, file, **extra):
    return client.post(UPLOAD, {"file": file, "target": area.pk, **extra})


def test_the_preview_shows_additions_changes_and_bad_rows_and_saves_nothing(
    client, cataloguer, area
):
    before = CatalogNode.objects.count()
    response = upload(
        client,
        area,
        workbook(
            [
                "1",
                "最低生活保障",
                "低保审批",
                "审批结果及金额",
                "20个工作日",
                "■政府网站",
                "全社会",
            ],
            ["2", "最低生活保障", "低保退出", "退出名单", "实时公开", "政府网站", "全社会"],
            ["3", "临时救助", "", "x", "", "", "全社会"],
            ["4", "临时救助", "救助审批", "x", "", "", "所有人"],
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "最低生活保障 / 低保退出" in page  # an addition
    assert "导入到：政务公开/社会救助" in page
    assert "审批结果及金额" in page and "审批结果" in page  # a change, old and new
    assert "第4行" in page and "缺少二级事项" in page
    assert "第5行" in page and "公开对象“所有人”不是可选值" in page
    assert response.context["ticket"] is None  # bad rows: nothing can be applied
    assert CatalogNode.objects.count() == before


def test_apply_imports_what_the_preview_showed_in_one_audited_step(client, cataloguer, area):
    response = upload(
        client,
        area,
        workbook(
            [
                "1",
                "最低生活保障",
                "低保审批",
                "审批结果及金额",
                "20个工作日",
                "■政府网站",
                "全社会",
            ],
            ["2", "最低生活保障", "低保退出", "退出名单", "实时公开", "政府网站", "全社会"],
        ),
    )
    ticket = response.context["ticket"]
    assert [e.path for e in response.context["plan"].created] == ["最低生活保障 / 低保退出"]

    response = client.post(APPLY, {"ticket": ticket})
    assert response.status_code == 302
    assert CatalogNode.objects.get(name="低保退出").parent.name == "最低生活保障"
    assert CatalogNode.objects.get(name="低保审批").content == "审批结果及金额"
    event = AuditEvent.objects.get(action=catalog_actions.IMPORT_CATALOG)
    assert event.actor == cataloguer
    assert (event.details["created"], event.details["updated"]) == (1, 1)
    assert event.details["file"] == "目录.xlsx"
    # The stored upload is gone: the same ticket cannot import twice.
    assert client.post(APPLY, {"ticket": ticket}).status_code == 302
    assert AuditEvent.objects.filter(action=catalog_actions.IMPORT_CATALOG).count() == 1


def test_apply_reads_the_stored_file_and_ignores_a_forged_ticket(client, cataloguer, area):
    response = upload(client, area, workbook(["1", "最低生活保障", "低保退出", "x", "", "", ""]))
    ticket = response.context["ticket"]
    values = import_uploads.read_ticket(ticket)
    forged = ticket[:-3] + ("AAA" if not ticket.endswith("AAA") else "BBB")
    response = client.post(APPLY, {"ticket": forged}, follow=True)
    assert "预览已过期或无效" in response.content.decode()
    assert not CatalogNode.objects.filter(name="低保退出").exists()
    # Someone else's ticket is refused too.
    other = staff(CATALOGUER)
    client.force_login(other)
    client.post(APPLY, {"ticket": import_uploads.make_ticket(**values)})
    assert not CatalogNode.objects.filter(name="低保退出").exists()


def test_a_tree_changed_since_the_preview_shows_the_new_preview_instead(client, cataloguer, area):
    response = upload(client, area, workbook(["1", "最低生活保障", "低保退出", "x", "", "", ""]))
    CatalogNode.objects.create(name="低保退出", parent=CatalogNode.objects.get(name="最低生活保障"))
    response = client.post(APPLY, {"ticket": response.context["ticket"]})
    assert response.status_code == 200
    assert "预览之后已有变化" in response.content.decode()
    assert not AuditEvent.objects.filter(action=catalog_actions.IMPORT_CATALOG).exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "目录.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "不是 Excel .xlsx 工作簿",
        ),
        ("目录.xlsx", "序号,一级事项,二级事项\n".encode(), "不是 Excel .xlsx 工作簿"),
        ("目录.csv", b"PK\x03\x04" + b"\x00" * 100, "不是 CSV 文本"),
        ("目录.xls", b"\xd0\xcf\x11\xe0", "请上传 .xlsx 或 .csv"),
        ("目录.csv", b"", "空文件"),
    ],
)
def test_a_file_is_checked_by_its_content(client, cataloguer, area, name, content, message):
    response = upload(client, area, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "ticket" not in response.context


def test_a_file_over_the_size_limit_is_refused(client, cataloguer, area, monkeypatch):
    monkeypatch.setattr(import_uploads, "MAX_BYTES", 1000)
    response = upload(
        client, area, SimpleUploadedFile("目录.csv", "一级事项,二级事项\n".encode() * 100)
    )
    assert "文件过大" in response.content.decode()


def test_every_import_url_needs_the_cataloguer_permissions(client, area):
    client.force_login(staff(EDITOR))
    assert client.get(UPLOAD).status_code == 403
    file = workbook(["1", "最低生活保障", "低保退出", "x", "", "", ""])
    assert upload(client, area, file).status_code == 403
    ticket = import_uploads.make_ticket(upload="0" * 32 + ".xlsx", target=area.pk)
    assert client.post(APPLY, {"ticket": ticket}).status_code == 403
    assert not CatalogNode.objects.filter(name="低保退出").exists()


def test_a_cataloguer_may_import_only_under_columns_and_for_agencies_in_scope(client, area):
    own, other = AgencyFactory(), AgencyFactory()
    foreign = CatalogNode.objects.create(name="教委专栏", parent=area.parent, agency=other)
    client.force_login(staff(CATALOGUER, own))
    form = client.get(UPLOAD).context["form"]
    assert foreign not in form.fields["target"].queryset
    assert set(form.fields["agency"].queryset) == {own}
    file = workbook(["1", "教育", "招生", "x", "", "", ""])
    response = upload(client, foreign, file)
    assert "ticket" not in response.context
    response = upload(
        client, area, workbook(["1", "教育", "招生", "x", "", "", ""]), agency=other.pk
    )
    assert "ticket" not in response.context
    assert not CatalogNode.objects.filter(name="招生").exists()


def test_the_changelist_links_to_the_upload_for_cataloguers_only(client, area):
    client.force_login(staff(CATALOGUER))
    assert UPLOAD in client.get(reverse("admin:catalog_catalognode_changelist")).content.decode()


# --- limits --------------------------------------------------------------------------


def test_the_admin_refuses_a_zip_bomb_at_upload_and_keeps_nothing(
    client, cataloguer, area, tmp_path, settings
):
    data = zip_bomb(tmp_path / "d.xlsx", tmp_path).read_bytes()
    response = upload(client, area, SimpleUploadedFile("目录.xlsx", data))
    html = response.content.decode()
    assert "压缩比" in html and "100:1" in html
    assert "ticket" not in response.context
    assert not list((settings.PRIVATE_MEDIA_ROOT / "catalog-imports").glob("*"))


def test_the_admin_preview_names_the_limits_of_a_workbook_declaring_xfd1048576(
    client, cataloguer, area, tmp_path
):
    data = xfd_workbook(tmp_path / "d.xlsx").read_bytes()
    before = CatalogNode.objects.count()
    response = upload(client, area, SimpleUploadedFile("目录.xlsx", data))
    html = re.sub(r"\s+", " ", response.content.decode())
    assert response.status_code == 200
    assert "A1:XFD1048576" in html and "5000 行、100 列" in html
    assert response.context["ticket"] is None
    assert CatalogNode.objects.count() == before


def test_a_csv_upload_reads_like_the_command(client, cataloguer, area, tmp_path):
    rows = [["序号", "一级事项", "二级事项"]] + [["1", "救助", f"事项{n}"] for n in range(5001)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = upload(client, area, SimpleUploadedFile("目录.csv", buffer.getvalue().encode()))
    assert "文件超过 5000 行" in response.content.decode()
