"""A cataloguer's import is held to their scope all the way down: a column it would make under an
existing column of another agency is refused like one made there in the tree admin, and nothing
is written (``importer.check_may_import``)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from catalog.importer import DirectoryImportError, import_directory, read_directory
from catalog.models import CatalogNode
from portal.roles import CATALOGUER
from tests.factories import AgencyFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:catalog_catalognode_import")
APPLY = reverse("admin:catalog_catalognode_import_apply")
HEADER = ["序号", "一级事项", "二级事项", "公开内容", "公开时限", "公开渠道和载体", "公开对象"]


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def workbook(*rows):
    wb = Workbook()
    for row in [HEADER, *rows]:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("目录.xlsx", buffer.getvalue())


def test_an_import_makes_no_column_under_another_agencys_column(client):
    own, other = AgencyFactory(), AgencyFactory()
    shared = CatalogNode.objects.create(name="政务公开")
    foreign = CatalogNode.objects.create(name="教育", parent=shared, agency=other)
    user = StaffUserFactory(role=CATALOGUER, agencies=[own])
    # The tree admin refuses this user a column under 教育 (not in their scope).
    assert not CatalogNode.objects.filter(pk=foreign.pk).for_staff(user).exists()
    client.force_login(user)
    file = workbook(["1", "教育", "招生入学", "招生计划", "20个工作日", "政府网站", "全社会"])
    preview = client.post(UPLOAD, {"file": file, "target": shared.pk, "agency": own.pk})
    assert preview.status_code == 200
    # What the confirm button sends: the import must refuse it, and write nothing.
    client.post(APPLY, {"ticket": preview.context["ticket"]})
    assert not CatalogNode.objects.filter(parent=foreign).exists()


def test_the_importer_refuses_a_staff_member_a_column_under_a_foreign_column():
    own, other = AgencyFactory(), AgencyFactory()
    shared = CatalogNode.objects.create(name="政务公开")
    foreign = CatalogNode.objects.create(name="教育", parent=shared, agency=other)
    user = StaffUserFactory(agencies=[own])
    rows = [HEADER, ["1", "教育", "招生入学", "招生计划", "20个工作日", "政府网站", "全社会"]]
    reading = read_directory(rows)
    assert reading.errors == []
    with pytest.raises(DirectoryImportError):
        import_directory(reading.items, shared, own, actor=user)
    assert not CatalogNode.objects.filter(parent=foreign).exists()
