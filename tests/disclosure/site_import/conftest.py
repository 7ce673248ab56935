import pytest

from catalog.models import CatalogNode
from disclosure.documents.models import Genre, Topic
from tests.factories import AgencyFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def portal_site(db):
    """The portal an old site moves into: the seed's office, columns, topics and genres."""
    root = CatalogNode.objects.create(name="政务公开")
    legal = CatalogNode.objects.create(name="法定主动公开内容", parent=root)
    other = CatalogNode.objects.create(name="其他法定主动公开内容", parent=legal)
    replies = CatalogNode.objects.create(name="人大代表建议办理", parent=other)
    policies = CatalogNode.objects.create(name="政策文件", parent=legal)
    civil = Topic.objects.get(name="民政、乡村振兴、救灾", parent=None)
    return {
        "agency": AgencyFactory(name="铜梁区人民政府", credit_code="115002240093343308"),
        "replies": replies,
        "policies": policies,
        "other_topic": Topic.objects.get(name="其他", parent=None),
        "civil": civil,
        "relief": Topic.objects.get(name="救灾", parent=civil),
        "genre": Genre.objects.get(name="人大建议办理"),
    }
