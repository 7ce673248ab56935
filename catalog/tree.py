"""Serialised writes to the catalogue tree and a check of its invariants.

django-mptt keeps lft/rght/tree_id/level in every row; two writers moving nodes at once can
leave them inconsistent. Every insert, move, delete and rebuild therefore runs inside
``tree_write_lock()``: on PostgreSQL a transaction-scoped advisory lock, on SQLite the database
write lock that an IMMEDIATE transaction takes.
"""

from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate

from django.db import connections, transaction

# Arbitrary, fixed key for pg_advisory_xact_lock: "CATG".
TREE_LOCK_KEY = 0x43415447


class TreeChangeRefused(Exception):
    """A delete or move of columns that may not happen; the message says why, in Chinese."""


@contextmanager
def tree_write_lock(using="default"):
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])
        yield


class SubtreeIndex:
    """Values placed at nodes, read back per subtree: "sum per-node counts over each subtree".

    Built from ``(tree_id, lft, value)`` rows, where ``lft`` is the lft of the node the value
    belongs to. A node's subtree holds the values of its tree with ``node.lft <= lft <=
    node.rght``. Each read is a binary search, so counting a whole tree costs one pass.
    """

    def __init__(self, rows):
        by_tree = {}
        for tree_id, lft, value in rows:
            by_tree.setdefault(tree_id, []).append((lft, value))
        self._trees = {}
        for tree_id, placed in by_tree.items():
            placed.sort(key=lambda item: item[0])
            values = [value for _lft, value in placed]
            self._trees[tree_id] = ([lft for lft, _v in placed], values, None)

    def values(self, node):
        """The values placed at ``node`` or beneath it, in tree order."""
        lfts, values, _sums = self._trees.get(node.tree_id, ([], [], None))
        return values[bisect_left(lfts, node.lft) : bisect_right(lfts, node.rght)]

    def sum(self, node):
        """The sum of the values placed at ``node`` or beneath it (0 when none)."""
        tree = self._trees.get(node.tree_id)
        if tree is None:
            return 0
        lfts, values, sums = tree
        if sums is None:  # prefix sums, made on the first sum() over this tree
            sums = [0, *accumulate(values)]
            self._trees[node.tree_id] = (lfts, values, sums)
        return sums[bisect_right(lfts, node.rght)] - sums[bisect_left(lfts, node.lft)]


@dataclass(frozen=True)
class TreeProblem:
    node_id: int
    message: str

    def __str__(self):
        return f"栏目 #{self.node_id}: {self.message}"


def find_tree_problems(rows):
    """Check MPTT invariants of (pk, parent_id, tree_id, lft, rght, level) rows.

    Returns a list of TreeProblem; empty when the tree is sound.
    """
    problems = []
    by_pk = {row[0]: row for row in rows}
    trees = {}
    for row in rows:
        trees.setdefault(row[2], []).append(row)

    for tree_id, tree_rows in trees.items():
        tree_rows.sort(key=lambda r: (r[3], r[0]))
        roots = [r for r in tree_rows if r[1] is None]
        if len(roots) != 1:
            first = (roots or tree_rows)[0][0]
            problems.append(
                TreeProblem(first, f"树 {tree_id} 应有且只有一个根栏目，实有 {len(roots)} 个")
            )
        values = []
        for pk, _parent_id, _tid, lft, rght, _level in tree_rows:
            values.extend([lft, rght])
            if lft >= rght:
                problems.append(TreeProblem(pk, f"左值 {lft} 不小于右值 {rght}"))
        if sorted(values) != list(range(1, 2 * len(tree_rows) + 1)):
            problems.append(
                TreeProblem(
                    tree_rows[0][0], f"树 {tree_id} 的左右值不是连续不重复的 1…{2 * len(tree_rows)}"
                )
            )
        stack = []
        for pk, parent_id, _tid, lft, rght, level in tree_rows:
            while stack and stack[-1][4] < lft:
                stack.pop()
            enclosing = stack[-1] if stack else None
            if parent_id is None:
                if enclosing is not None:
                    problems.append(TreeProblem(pk, "根栏目位于另一栏目的区间内"))
                if level != 0:
                    problems.append(TreeProblem(pk, f"根栏目的层级应为 0，实为 {level}"))
            else:
                parent = by_pk.get(parent_id)
                if parent is None:
                    problems.append(TreeProblem(pk, f"上级栏目 #{parent_id} 不存在"))
                elif parent[2] != tree_id:
                    problems.append(TreeProblem(pk, f"与上级栏目 #{parent_id} 不在同一棵树"))
                else:
                    if enclosing is None or enclosing[0] != parent_id:
                        problems.append(
                            TreeProblem(
                                pk, f"区间 [{lft}, {rght}] 未直接嵌套在上级栏目 #{parent_id} 中"
                            )
                        )
                    if level != parent[5] + 1:
                        problems.append(TreeProblem(pk, f"层级应为 {parent[5] + 1}，实为 {level}"))
            if enclosing is not None and rght > enclosing[4]:
                problems.append(TreeProblem(pk, f"区间 [{lft}, {rght}] 越出了栏目 #{enclosing[0]}"))
            stack.append((pk, parent_id, tree_id, lft, rght, level))
    return problems


def check_catalog_tree():
    from catalog.models import CatalogNode

    rows = list(
        CatalogNode._base_manager.values_list("pk", "parent_id", "tree_id", "lft", "rght", "level")
    )
    return find_tree_problems(rows)
