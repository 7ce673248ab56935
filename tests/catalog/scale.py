"""Catalogues of a chosen size, built cheaply, and what a request costs: its queries, the
parameters each sends, the rows it reads and the URLs it reverses. The pages' tests build a
catalogue of N columns and then of 10×N and compare the two."""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F
from django.urls.resolvers import URLResolver

from catalog.models import CatalogNode

# A list of parameters in an IN (…) clause, as Django writes it before the driver sees it.
IN_LIST = re.compile(r"\bIN \(((?:%s, )*%s)\)")


def add_leaves(parent, count, prefix):
    """Appends ``count`` leaf columns under ``parent``, as MPTT would place them, in three
    queries: the room made at the parent's right edge, then one bulk insert."""
    parent.refresh_from_db()
    at, gap = parent.rght, 2 * count
    tree = CatalogNode.objects.filter(tree_id=parent.tree_id)
    tree.filter(rght__gte=at).update(rght=F("rght") + gap)
    tree.filter(lft__gt=at).update(lft=F("lft") + gap)
    CatalogNode.objects.bulk_create(
        CatalogNode(
            name=f"{prefix}{n:04d}",
            parent=parent,
            tree_id=parent.tree_id,
            lft=at + 2 * n,
            rght=at + 2 * n + 1,
            level=parent.level + 1,
        )
        for n in range(count)
    )
    parent.refresh_from_db()


@dataclass
class Query:
    sql: str
    params: int
    rows: int = 0

    def in_lists(self):
        """The number of parameters of each IN (…) list of the query."""
        return [match.count("%s") for match in IN_LIST.findall(self.sql)]


@dataclass
class Cost:
    queries: list = field(default_factory=list)
    reversed_urls: int = 0

    @property
    def rows(self):
        return sum(query.rows for query in self.queries)

    @property
    def parameters(self):
        return [query.params for query in self.queries]

    @property
    def longest_in_list(self):
        return max((n for query in self.queries for n in query.in_lists()), default=0)


class _CountingCursor:
    """The driver's cursor, counting the rows fetched into the current query's record."""

    def __init__(self, cursor, record):
        self.cursor, self.record = cursor, record

    def __getattr__(self, name):
        return getattr(self.cursor, name)

    def __iter__(self):
        for row in self.cursor:
            self.record.rows += 1
            yield row

    def fetchone(self):
        row = self.cursor.fetchone()
        self.record.rows += row is not None
        return row

    def fetchmany(self, *args):
        rows = self.cursor.fetchmany(*args)
        self.record.rows += len(rows)
        return rows

    def fetchall(self):
        rows = self.cursor.fetchall()
        self.record.rows += len(rows)
        return rows


@contextmanager
def measured():
    """Yields the ``Cost`` of what runs inside the block on the default connection."""
    cost = Cost()

    def capture(execute, sql, params, many, context):
        record = Query(sql, 0 if many or not params else len(params))
        cost.queries.append(record)
        wrapper = context["cursor"]
        driver = wrapper.cursor
        if isinstance(driver, _CountingCursor):
            driver.record = record
        else:
            wrapper.cursor = _CountingCursor(driver, record)
        return execute(sql, params, many, context)

    original = URLResolver._reverse_with_prefix

    def counted_reverse(self, *args, **kwargs):
        cost.reversed_urls += 1
        return original(self, *args, **kwargs)

    URLResolver._reverse_with_prefix = counted_reverse
    try:
        with connection.execute_wrapper(capture):
            yield cost
    finally:
        URLResolver._reverse_with_prefix = original


def cost_of_get(client, url, **params):
    """The cost of a GET of ``url``, asked once before so that what a process reads once (the
    public version, content types) is not counted."""
    assert client.get(url, params).status_code == 200, url
    with measured() as cost:
        response = client.get(url, params)
    assert response.status_code == 200, url
    cost.response = response
    return cost
