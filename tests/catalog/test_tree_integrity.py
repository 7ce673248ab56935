import random
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from mptt.exceptions import InvalidMove

from catalog.models import CatalogNode
from catalog.tree import SubtreeIndex, check_catalog_tree, find_tree_problems, tree_write_lock


def make_tree(children=8, grandchildren=3):
    root = CatalogNode.objects.create(name="政务公开")
    for c in range(children):
        child = CatalogNode.objects.create(name=f"栏目{c}", parent=root)
        for g in range(grandchildren):
            CatalogNode.objects.create(name=f"栏目{c}-{g}", parent=child)
    return root


def test_a_sound_tree_has_no_problems():
    rows = [(1, None, 1, 1, 6, 0), (2, 1, 1, 2, 3, 1), (3, 1, 1, 4, 5, 1)]
    assert find_tree_problems(rows) == []


@pytest.mark.parametrize(
    "rows",
    [
        [(1, None, 1, 1, 6, 0), (2, 1, 1, 2, 3, 1), (3, 1, 1, 2, 5, 1)],  # overlapping lft
        [
            (1, None, 1, 1, 6, 0),
            (2, 1, 1, 2, 5, 1),
            (3, 1, 1, 3, 4, 1),
        ],  # 3 nested in 2, parent says 1
        [(1, None, 1, 1, 6, 0), (2, 1, 1, 2, 3, 2), (3, 1, 1, 4, 5, 1)],  # wrong level
        [(1, None, 1, 1, 4, 0), (2, 1, 1, 2, 3, 1), (3, 1, 1, 5, 6, 1)],  # child outside parent
        [(1, None, 1, 1, 4, 0), (2, None, 1, 2, 3, 0)],  # two roots in one tree
        [(1, None, 1, 1, 4, 0), (2, 9, 1, 2, 3, 1)],  # parent missing
    ],
)
def test_broken_trees_are_reported(rows):
    assert find_tree_problems(rows)


@pytest.mark.django_db
def test_check_catalog_passes_on_a_sound_tree(capsys):
    make_tree()
    call_command("check_catalog")
    assert "目录树完好" in capsys.readouterr().out


@pytest.mark.django_db
def test_check_catalog_detects_corruption_and_rebuild_repairs_it(capsys):
    root = make_tree()
    victim = root.get_children()[3]
    CatalogNode.objects.filter(pk=victim.pk).update(lft=2, rght=3)  # collides with the first child
    assert check_catalog_tree()

    with pytest.raises(CommandError, match="目录树已损坏"):
        call_command("check_catalog")

    CatalogNode.outline(public=True)  # kept per public version
    call_command("check_catalog", "--rebuild")
    assert check_catalog_tree() == []
    assert CatalogNode.objects.get(pk=victim.pk).get_children().count() == 3
    # The rebuild writes the tree fields without a save: it writes a new public version itself.
    stored = CatalogNode.objects.values_list("lft", "rght").get(pk=victim.pk)
    outline = CatalogNode.outline(public=True)[1][victim.pk]
    assert (outline.lft, outline.rght) == stored
    assert CatalogNode.objects.count() == 1 + 8 + 8 * 3


@pytest.mark.django_db
def test_moves_from_stale_instances_keep_the_tree_sound():
    root = make_tree()
    a, b = list(root.get_children())[:2]
    stale_a = CatalogNode.objects.get(pk=a.pk)
    # Someone else moves b under a; our copy of a now has out-of-date lft/rght.
    CatalogNode.objects.move_node(CatalogNode.objects.get(pk=b.pk), a, "last-child")
    CatalogNode.objects.move_node(stale_a, root.get_children().last(), "right")
    assert check_catalog_tree() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_on_postgresql_leave_the_tree_sound():
    make_tree(children=10, grandchildren=3)
    ids = list(CatalogNode.objects.exclude(parent=None).values_list("pk", flat=True))
    errors = []
    start = threading.Barrier(2)

    def worker(seed):
        rng = random.Random(seed)
        try:
            # Every instance is loaded before the loop: each move works from stale lft/rght.
            nodes = {n.pk: n for n in CatalogNode.objects.filter(pk__in=ids)}
            start.wait()
            for _ in range(40):
                node = nodes[rng.choice(ids)]
                target = nodes[rng.choice(ids)]
                try:
                    CatalogNode.objects.move_node(
                        node, target, rng.choice(["left", "right", "last-child"])
                    )
                except InvalidMove:
                    pass
        except Exception as exc:  # noqa: BLE001 - surfaced through the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert check_catalog_tree() == []
    assert CatalogNode.objects.count() == 1 + 10 + 10 * 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tree_writes_wait_for_the_tree_lock_on_postgresql():
    root = make_tree(children=2, grandchildren=0)
    held = threading.Event()
    released_at = []
    saved_at = []

    def holder():
        with tree_write_lock():
            held.set()
            time.sleep(0.5)
            released_at.append(time.monotonic())
        connections.close_all()

    def writer():
        held.wait()
        CatalogNode.objects.create(name="新栏目", parent=CatalogNode.objects.get(pk=root.pk))
        saved_at.append(time.monotonic())
        connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert saved_at[0] >= released_at[0]
    assert check_catalog_tree() == []


def test_subtree_index_sums_and_lists_the_values_placed_in_each_subtree():
    # Tree 1: root [1, 8] > a [2, 5] > a1 [3, 4]; b [6, 7]. Tree 2: one node [1, 2].
    root, a, a1, b = (
        SimpleNamespace(tree_id=1, lft=lft, rght=rght)
        for lft, rght in [(1, 8), (2, 5), (3, 4), (6, 7)]
    )
    other = SimpleNamespace(tree_id=2, lft=1, rght=2)
    index = SubtreeIndex([(1, 3, 5), (1, 6, 2), (1, 2, 1), (2, 1, 7), (1, 3, 4)])
    assert [index.sum(n) for n in (root, a, a1, b, other)] == [12, 10, 9, 2, 7]
    assert index.values(a) == [1, 5, 4]
    assert index.values(SimpleNamespace(tree_id=3, lft=1, rght=2)) == []
    assert index.sum(SimpleNamespace(tree_id=3, lft=1, rght=2)) == 0
