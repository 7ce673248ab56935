"""主题分类: the current national list, former names kept as aliases, the site's own topics."""

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from disclosure.filters import filter_choices
from disclosure.models import Topic
from tests.factories import published

pytestmark = pytest.mark.django_db

migration = importlib.import_module("disclosure.migrations.0024_topic_aliases")


def top(name):
    return Topic.objects.get(parent=None, name=name)


def test_the_list_has_the_current_names_and_answers_to_the_former_ones():
    civil = top("民政、乡村振兴、救灾")
    assert civil.is_national and civil.alias_list == ["民政、扶贫、救灾"]
    assert not Topic.objects.filter(name="民政、扶贫、救灾").exists()
    assert Topic.objects.find("民政、扶贫、救灾") == civil
    rural = civil.children.get(name="乡村振兴")
    for text in ["民政、扶贫、救灾\\扶贫", "民政、扶贫、救灾/乡村振兴", "民政、乡村振兴、救灾 > 扶贫",
                 "民政、乡村振兴、救灾 - 乡村振兴", "扶贫", " 乡村振兴 "]:  # fmt: skip
        assert Topic.objects.find(text) == rural, text


def test_administrative_affairs_comes_before_other_under_general_affairs():
    names = list(
        top("综合政务").children.order_by("sort_order", "pk").values_list("name", flat=True)
    )
    assert names[-2:] == ["行政事务", "其他"]


def test_a_bare_name_held_at_both_levels_is_the_first_level_topic():
    assert Topic.objects.find("其他") == top("其他")
    assert Topic.objects.find("综合政务\\其他") == top("综合政务").children.get(name="其他")
    assert Topic.objects.find("不存在的分类") is None
    assert Topic.objects.find("综合政务/其他/更多") is None


def test_the_migration_keeps_each_topics_row_and_its_documents_both_ways(site_tree):
    civil = top("民政、乡村振兴、救灾")
    document = published(topic=civil.children.get(name="乡村振兴"), node=site_tree["policies"])
    migration.to_former_list(apps, None)
    document.refresh_from_db()
    assert (document.topic.parent.name, document.topic.name) == ("民政、扶贫、救灾", "扶贫")
    assert document.topic.parent.pk == civil.pk and document.topic.aliases == ""
    # The added topic goes back only while no document uses it.
    assert not top("综合政务").children.filter(name="行政事务").exists()
    migration.to_current_list(apps, None)
    migration.to_current_list(apps, None)  # running it again changes nothing
    document.refresh_from_db()
    assert (document.topic.parent.name, document.topic.name) == ("民政、乡村振兴、救灾", "乡村振兴")
    assert document.topic.alias_list == ["扶贫"] and document.topic.parent.pk == civil.pk
    assert top("综合政务").children.filter(name="行政事务").count() == 1


def test_a_topic_of_the_new_name_made_by_staff_takes_the_former_name(db):
    migration.to_former_list(apps, None)
    own = Topic.objects.create(name="民政、乡村振兴、救灾", sort_order=99)
    migration.to_current_list(apps, None)
    own.refresh_from_db()
    assert own.alias_list == ["民政、扶贫、救灾"]
    assert top("民政、扶贫、救灾").children.filter(name="乡村振兴").exists()
    assert Topic.objects.find("民政、扶贫、救灾") in {own, top("民政、扶贫、救灾")}
    assert Topic.objects.find("民政、乡村振兴、救灾") == own


def test_a_site_adds_its_own_topic_in_the_admin_and_it_is_offered_in_the_filters(admin_client):
    parent = top("城乡建设、环境保护")
    response = admin_client.post(
        reverse("admin:disclosure_topic_add"),
        {"name": "老旧小区改造", "parent": parent.pk, "aliases": "旧改\n老旧小区", "sort_order": 9,
         "children-TOTAL_FORMS": "0", "children-INITIAL_FORMS": "0",
         "children-MIN_NUM_FORMS": "0", "children-MAX_NUM_FORMS": "1000"},
    )  # fmt: skip
    assert response.status_code == 302
    own = Topic.objects.get(name="老旧小区改造")
    assert not own.is_national and own.parent == parent
    assert Topic.objects.find("城乡建设、环境保护\\旧改") == own
    assert (own.pk, "城乡建设、环境保护 / 老旧小区改造") in filter_choices()["topic"]
    listing = admin_client.get(reverse("admin:disclosure_topic_changelist"), {"q": "旧改"})
    assert (
        "老旧小区改造" in listing.content.decode() and "旧改；老旧小区" in listing.content.decode()
    )


def test_export_catalog_finds_a_topic_by_its_former_name(tmp_path, site_tree):
    rural = top("民政、乡村振兴、救灾").children.get(name="乡村振兴")
    published(topic=rural, title="乡村振兴项目公示", node=site_tree["policies"])
    published(title="其他文件", node=site_tree["policies"])
    out = tmp_path / "listing.csv"
    call_command("export_catalog", "-o", str(out), "--topic", "民政、扶贫、救灾\\扶贫")
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["乡村振兴项目公示"]
    assert rows[1][5] == "民政、乡村振兴、救灾 / 乡村振兴"
