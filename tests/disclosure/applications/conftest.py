import pytest

from tests.factories import AgencyFactory


@pytest.fixture
def file_roots(settings, tmp_path):
    """Public and private media in their own folders for the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT.mkdir()
    settings.PRIVATE_MEDIA_ROOT.mkdir()
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
