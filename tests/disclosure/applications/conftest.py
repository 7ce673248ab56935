"""Shared data for the application tests: media folders of their own, a receiving agency for the
public form, and for the admin tests 依申请办理 staff of an office (and its town), of another
agency, an auditor and an editor."""

import pytest

from disclosure.applications.roles import REQUESTS
from portal.roles import AUDITOR, EDITOR, sync_roles
from tests.disclosure.applications.staff import staff_with
from tests.factories import AgencyFactory


@pytest.fixture
def file_roots(settings, tmp_path):
    """Public and private media in their own folders for the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT.mkdir(exist_ok=True)
    settings.PRIVATE_MEDIA_ROOT.mkdir(exist_ok=True)
    return settings


@pytest.fixture
def agency(db):
    return AgencyFactory(
        name="铜梁区交通局",
        address="重庆市铜梁区巴川街道金龙大道100号",
        office_hours="工作日 9:00-12:00，14:00-17:30",
        phone="023-45671234",
        email="jtj@example.gov.cn",
        postcode="402560",
    )


@pytest.fixture
def world(db, file_roots):
    sync_roles()
    office = AgencyFactory(
        name="铜梁区人民政府办公室", address="重庆市铜梁区巴川街道营盘路1号", phone="023-45632266"
    )
    town = AgencyFactory(name="巴川街道办事处", parent=office)
    other = AgencyFactory(name="铜梁区财政局")
    return {
        "office": office,
        "town": town,
        "other": other,
        "handler": staff_with(REQUESTS, office, username="handler"),
        "other_handler": staff_with(REQUESTS, other, username="other_handler"),
        "auditor": staff_with(AUDITOR, username="auditor"),
        "editor": staff_with(EDITOR, office, username="editor"),
    }
