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
    # The app list's headings, hidden but read by screen readers, in Chinese too.
    assert "Model name" not in index and "Change or view list link" not in index


def test_django_speaks_to_staff_as_您(admin_client):
    """Django's own messages (after a save, on a delete page, about passwords) in the polite form
    the portal's own use."""
    from pathlib import Path

    import django
    from django.utils.translation import gettext

    genre = GenreFactory(name="测试体裁")
    url = reverse("admin:disclosure_genre_change", args=[genre.pk])
    response = admin_client.post(
        url, {"name": "测试体裁二", "sort_order": 1, "_continue": "1"}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any("您可以在下面再次编辑它" in m for m in shown), shown
    assert not any("你" in m for m in shown)
    assert gettext("Are you sure?") == "您确定吗？"
    # Every entry of Django's catalogues that says 你 is overridden.
    django_po = Path(django.__file__).parent / "contrib/admin/locale/zh_Hans/LC_MESSAGES/django.po"
    ids = [
        block.split('msgid "', 1)[1].split('"', 1)[0]
        for block in django_po.read_text().split("\n\n")
        if "你" in block.partition("msgstr")[2]
        and 'msgid "' in block
        and "msgid_plural" not in block
    ]
    assert ids and all("你" not in gettext(msgid) for msgid in ids if msgid)
