"""Agencies and staff for the admin tests of applications: 依申请办理 staff of an office (and its
town), of another agency, an auditor and an editor."""

import pytest

from portal.roles import AUDITOR, EDITOR, REQUESTS, sync_roles
from tests.disclosure.applications.staff import staff_with
from tests.factories import AgencyFactory


@pytest.fixture
def file_roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


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
