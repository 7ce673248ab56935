"""The admin in plain Chinese: no Django leftovers ("以 状态", "无可选的", "?" icons)."""

import pytest
from django.urls import reverse

from disclosure.documents.models import Genre
from tests.factories import DocumentFactory, GenreFactory

pytestmark = pytest.mark.django_db


def test_filters_the_index_and_boolean_columns_read_as_chinese(admin_client):
    normative = GenreFactory(name="规范性文件", needs_interpretation=True)
    DocumentFactory(title="需解读的文件", genre=normative)
    DocumentFactory(title="普通文件", genre=Genre.objects.exclude(pk=normative.pk).first())
    listing = admin_client.get(reverse("admin:disclosure_document_changelist")).content.decode()
    assert "以 " not in listing and "按状态" in listing
    assert "icon-unknown" not in listing and "缺解读" in listing
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "无可选的" not in index and "最近操作" in index
