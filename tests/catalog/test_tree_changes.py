"""Deleting and moving columns: scope over the whole subtree, documents kept, every change audited."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog import actions as catalog_actions
from catalog import services
from catalog.models import CatalogNode
from catalog.tree import TreeChangeRefused, check_catalog_tree
from portal.models import AuditEvent
from portal.roles import CATALOGUER
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:catalog_catalognode_changelist"


@pytest.fixture
def shared_tree(db):
    """政务公开 > 部门专栏 (shared) > 本局专栏 (A) and 教委专栏 (B); 政务公开 > 本局其他 (A)."""
    own, other = AgencyFactory(name="铜梁区财政局"), AgencyFactory(name="铜梁区教委")
    root = CatalogNode.objects.create(name="政务公开")
    shared = CatalogNode.objects.create(name="部门专栏", parent=root)
    mine = CatalogNode.objects.create(name="本局专栏", parent=shared, agency=own)
    foreign = CatalogNode.objects.create(name="教委专栏", parent=shared, agency=other)
    elsewhere = CatalogNode.objects.create(name="本局其他", parent=root, agency=own)
    return {"own": own, "other": other, "root": root, "shared": shared, "mine": mine,
            "foreign": foreign, "elsewhere": elsewhere}  # fmt: skip


@pytest.fixture
def cataloguer(shared_tree):
    return StaffUserFactory(role=CATALOGUER, agencies=[shared_tree["own"]])


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.com", "x-horse-battery")


def messages_of(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def node_exists(node):
    return CatalogNode.objects.filter(pk=node.pk).exists()


def move(client, node, target, position="last-child"):
    return client.post(
        reverse(CHANGELIST),
        {"cmd": "move_node", "cut_item": node.pk, "pasted_on": target.pk, "position": position},
    )


def test_a_cataloguer_cannot_delete_a_column_with_another_agencys_column_beneath(
    client, shared_tree, cataloguer
):
    shared = shared_tree["shared"]
    client.force_login(cataloguer)
    url = reverse("admin:catalog_catalognode_delete", args=[shared.pk])
    for response in (client.get(url), client.post(url, {"post": "yes"})):
        assert response.status_code == 302
        assert "教委专栏" in messages_of(response) and "不能删除" in messages_of(response)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [shared.pk], "post": "yes"},
    )
    assert "教委专栏" in messages_of(response)
    assert node_exists(shared) and node_exists(shared_tree["foreign"])
    assert node_exists(shared_tree["mine"])
    with pytest.raises(TreeChangeRefused):
        services.delete_column(shared, cataloguer)
    assert node_exists(shared_tree["foreign"])
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()


def test_a_cataloguer_deletes_a_column_whose_subtree_is_all_theirs(client, shared_tree, cataloguer):
    client.force_login(cataloguer)
    mine = shared_tree["mine"]
    CatalogNode.objects.create(name="预算公开", parent=mine, agency=shared_tree["own"])
    response = client.post(
        reverse("admin:catalog_catalognode_delete", args=[mine.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not node_exists(mine) and not CatalogNode.objects.filter(name="预算公开").exists()
    assert check_catalog_tree() == []


def test_a_column_holding_a_document_cannot_be_deleted_even_by_a_superuser(
    client, shared_tree, superuser
):
    shared, foreign, elsewhere = (
        shared_tree["shared"],
        shared_tree["foreign"],
        shared_tree["elsewhere"],
    )
    filed = DocumentFactory(node=foreign, agency=shared_tree["other"])
    listed = DocumentFactory(node=shared_tree["root"], agency=shared_tree["own"])
    listed.extra_nodes.add(elsewhere)
    client.force_login(superuser)
    for node in (shared, foreign, elsewhere):
        url = reverse("admin:catalog_catalognode_delete", args=[node.pk])
        response = client.post(url, {"post": "yes"})
        assert response.status_code == 302
        assert "还有文件，不能删除" in messages_of(response)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [shared.pk, elsewhere.pk], "post": "yes"},
    )
    assert "还有文件，不能删除" in messages_of(response)
    for node in (shared, foreign, elsewhere):
        with pytest.raises(TreeChangeRefused):
            CatalogNode.objects.get(pk=node.pk).delete()
        assert node_exists(node)
    assert list(listed.extra_nodes.all()) == [elsewhere]
    filed.refresh_from_db()
    assert filed.node == foreign
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()


def test_moving_a_column_needs_scope_over_its_whole_subtree(client, shared_tree, cataloguer):
    shared, elsewhere = shared_tree["shared"], shared_tree["elsewhere"]
    client.force_login(cataloguer)
    response = move(client, shared, elsewhere)
    assert response.status_code == 403
    assert "教委专栏" in messages_of(response)
    shared.refresh_from_db()
    assert shared.parent == shared_tree["root"]
    change = reverse("admin:catalog_catalognode_change", args=[shared.pk])
    response = client.post(
        change, {"name": shared.name, "parent": elsewhere.pk, "is_visible": "on"}
    )
    assert response.status_code == 200
    assert "教委专栏" in str(response.context["adminform"].form.errors["parent"])
    shared.refresh_from_db()
    assert shared.parent == shared_tree["root"]
    with pytest.raises(TreeChangeRefused):
        services.move_column(shared, elsewhere, "last-child", cataloguer)
    assert not AuditEvent.objects.filter(action=catalog_actions.MOVE).exists()
    assert check_catalog_tree() == []


def test_a_cataloguer_cannot_move_a_column_under_another_agencys_column(
    client, shared_tree, cataloguer
):
    mine, foreign = shared_tree["mine"], shared_tree["foreign"]
    client.force_login(cataloguer)
    with pytest.raises(TreeChangeRefused):
        services.move_column(mine, foreign, "last-child", cataloguer)
    mine.refresh_from_db()
    assert mine.parent == shared_tree["shared"]


def test_deleting_a_column_writes_an_audit_event_with_its_path_and_descendants(
    client, shared_tree, superuser
):
    shared = shared_tree["shared"]
    client.force_login(superuser)
    response = client.post(
        reverse("admin:catalog_catalognode_delete", args=[shared.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not node_exists(shared) and not node_exists(shared_tree["foreign"])
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert event.actor == superuser and event.object_id == str(shared.pk)
    assert event.details == {"path": "政务公开 > 部门专栏", "descendants": 2}


def test_bulk_delete_writes_one_audit_event_per_column(client, shared_tree, superuser):
    client.force_login(superuser)
    chosen = [shared_tree["shared"], shared_tree["mine"], shared_tree["elsewhere"]]
    response = client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [n.pk for n in chosen], "post": "yes"},
    )
    assert response.status_code == 302
    assert CatalogNode.objects.count() == 1
    events = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).order_by("pk")
    assert [(e.object_repr, e.details["descendants"]) for e in events] == [
        ("部门专栏", 2),
        ("本局其他", 0),
    ]
    assert check_catalog_tree() == []


def test_moving_a_column_writes_an_audit_event(client, shared_tree, cataloguer):
    mine, elsewhere = shared_tree["mine"], shared_tree["elsewhere"]
    client.force_login(cataloguer)
    assert move(client, mine, elsewhere).status_code == 200
    mine.refresh_from_db()
    assert mine.parent == elsewhere
    event = AuditEvent.objects.get(action=catalog_actions.MOVE)
    assert event.actor == cataloguer and event.object_id == str(mine.pk)
    assert event.details == {
        "from": "政务公开 > 部门专栏 > 本局专栏",
        "to": "政务公开 > 本局其他 > 本局专栏",
        "descendants": 0,
    }
    change = reverse("admin:catalog_catalognode_change", args=[mine.pk])
    response = client.post(
        change, {"name": mine.name, "parent": shared_tree["shared"].pk, "is_visible": "on",
                 "agency": shared_tree["own"].pk}
    )  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action=catalog_actions.MOVE).order_by("-pk").first()
    assert event.details["to"] == "政务公开 > 部门专栏 > 本局专栏"
    assert check_catalog_tree() == []


@pytest.mark.parametrize(
    "change",
    [{"name": "改名后的专栏", "is_visible": "on"}, {"name": "部门专栏"}],
    ids=["renamed", "hidden"],
)
def test_a_cataloguer_cannot_rename_or_hide_a_column_with_another_agencys_column_beneath(
    client, shared_tree, cataloguer, change
):
    shared = shared_tree["shared"]
    client.force_login(cataloguer)
    url = reverse("admin:catalog_catalognode_change", args=[shared.pk])
    response = client.post(url, {"parent": shared_tree["root"].pk, **change})
    assert response.status_code == 200
    assert "教委专栏" in str(response.context["adminform"].form.errors)
    shared.refresh_from_db()
    assert shared.name == "部门专栏" and shared.is_visible
    shared.name = "改名后的专栏"
    with pytest.raises(TreeChangeRefused):
        services.save_column(shared, cataloguer)
    assert CatalogNode.objects.get(pk=shared.pk).name == "部门专栏"


def test_a_cataloguer_renames_and_hides_a_column_whose_subtree_is_theirs(
    client, shared_tree, cataloguer
):
    mine = shared_tree["mine"]
    client.force_login(cataloguer)
    url = reverse("admin:catalog_catalognode_change", args=[mine.pk])
    data = {"name": "本局专栏（新）", "parent": shared_tree["shared"].pk,
            "agency": shared_tree["own"].pk}  # fmt: skip
    assert client.post(url, data).status_code == 302
    mine.refresh_from_db()
    assert mine.name == "本局专栏（新）" and not mine.is_visible


def test_the_outline_is_read_once_per_public_version(
    shared_tree, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The catalogue's outline (every column's path, read by each search) is kept per public
    version: read again only once a column changes, then with the change."""
    CatalogNode.outline(public=True)
    with django_assert_num_queries(0):
        paths, nodes = CatalogNode.outline(public=True)
    assert paths[shared_tree["mine"].pk] == ["政务公开", "部门专栏", "本局专栏"]
    column = CatalogNode.objects.get(pk=shared_tree["shared"].pk)
    column.name, column.is_visible = "部门栏目", False
    with django_capture_on_commit_callbacks(execute=True):
        column.save()
    paths, nodes = CatalogNode.outline(public=True)
    assert paths[shared_tree["mine"].pk] == ["政务公开"] and not nodes[column.pk].shown
    assert CatalogNode.outline(public=False)[0][shared_tree["mine"].pk] == [
        "政务公开",
        "部门栏目",
        "本局专栏",
    ]
