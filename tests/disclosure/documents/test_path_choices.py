"""Topic and column choices in the admin carry their paths, in tree order."""

import json

import pytest
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.documents.listings import ExportForm
from disclosure.documents.models import Topic
from portal.actors import SYSTEM

pytestmark = pytest.mark.django_db
IDEOGRAPHIC_SPACE = "\u3000"


@pytest.fixture
def topics(db):
    """The State Council list (loaded by a migration): 21 first-level topics, most with a
    child called 其他."""
    assert Topic.objects.filter(name="其他").count() >= 20
    return Topic.objects.all()


def labels(field):
    return [label for value, label in field.choices if value != ""]


def test_topic_labels_are_distinct_paths_in_tree_order(topics):
    tree = list(Topic.tree_labels().values())
    paths = [label for _depth, label in tree]
    assert len(paths) == topics.count() == len(set(paths))
    assert "综合政务 / 其他" in paths
    # Each first-level topic is followed by its own children, then the next first-level one.
    firsts = [t.name for t in Topic.objects.filter(parent=None).order_by("sort_order", "pk")]
    assert [label for depth, label in tree if depth == 0] == firsts
    current = None
    for depth, label in tree:
        if depth == 0:
            current = label
        else:
            assert label.startswith(f"{current} / ")
    other = Topic.objects.get(name="其他", parent__name="综合政务")
    assert other.path_label() == "综合政务 / 其他"


def test_the_document_forms_topic_select_shows_paths_indented(admin_client, topics):
    response = admin_client.get(reverse("admin:disclosure_document_add"))
    options = labels(response.context["adminform"].form.fields["topic"])
    child = f"{IDEOGRAPHIC_SPACE}综合政务 / 其他"
    assert options.index("综合政务") < options.index(child)
    assert len(set(options)) == len(options) == Topic.objects.count()  # no two alike
    assert f"{child}</option>" in response.content.decode()


def test_the_document_list_filters_by_topic_path(admin_client, topics):
    html = admin_client.get(reverse("admin:disclosure_document_changelist")).content.decode()
    assert "综合政务 / 其他" in html and "财政、金融、审计 / 其他" in html


def test_the_staff_export_form_shows_topic_and_column_paths(site_tree, topics):
    form = ExportForm(user=SYSTEM)
    assert f"{IDEOGRAPHIC_SPACE}综合政务 / 其他" in labels(form.fields["topic"])
    assert labels(form.fields["node"])[:3] == [
        "政务公开",
        f"{IDEOGRAPHIC_SPACE}政务公开 / 法定主动公开内容",
        f"{IDEOGRAPHIC_SPACE * 2}政务公开 / 法定主动公开内容 / 其他法定主动公开内容",
    ]


def test_the_column_autocomplete_answers_with_paths(admin_client, site_tree):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "disclosure", "model_name": "document", "field_name": "node", "term": "人大"},
    )
    texts = [r["text"] for r in json.loads(response.content)["results"]]
    assert texts == ["政务公开 / 法定主动公开内容 / 其他法定主动公开内容 / 人大代表建议办理"]


def test_a_chosen_column_shows_its_path_on_the_document_form(admin_client, site_tree):
    from tests.factories import DocumentFactory

    document = DocumentFactory(node=site_tree["replies"])
    html = admin_client.get(
        reverse("admin:disclosure_document_change", args=[document.pk])
    ).content.decode()
    assert "政务公开 / 法定主动公开内容 / 其他法定主动公开内容 / 人大代表建议办理</option>" in html


def test_the_column_forms_parent_select_shows_paths(admin_client, site_tree):
    response = admin_client.get(reverse("admin:catalog_catalognode_add"))
    field = response.context["adminform"].form.fields["parent"]
    assert f"{IDEOGRAPHIC_SPACE * 2}政务公开 / 法定主动公开内容 / 政策文件" in labels(field)
    assert CatalogNode.tree_labels()[site_tree["policies"].pk] == (
        2,
        "政务公开 / 法定主动公开内容 / 政策文件",
    )
