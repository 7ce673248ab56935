"""Search backends: one interface, ``search(SearchRequest) -> SearchResult`` for the public
search, and ``filter(documents, query)`` for staff searching their own documents.

Every public search covers only ``Document.objects.public()``. A search engine can replace
PostgreSQL by implementing both methods; the views do not change.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection, connections, router, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils.module_loading import import_string

from disclosure.documents.models import Document, Topic
from disclosure.documents.search import analysis
from portal import page_cache

FACETS = ["agency", "node", "topic", "genre", "year", "validity"]

# Up to this many matches, the total and the facet counts are exact; beyond it they are
# estimated from the first matches in storage order, so no search reads every matching row.
EXACT_LIMIT = 10_000

# How long a query's sample of matches is kept (as long as a search page).
SAMPLE_SECONDS = 60

# Checking one row's search vector costs about this many times more than reading one row the
# GIN index found: the vector is read from TOAST and decompressed (at 1M documents, ~19 µs a
# row checked against ~1 µs a row from the bitmap).
ROW_CHECK_COST = 20


@dataclass
class SearchRequest:
    query: str
    filters: dict = field(default_factory=dict)  # facet -> value (node: a CatalogNode)
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 20


@dataclass
class SearchResult:
    ids: list  # the page, in order (always exact)
    total: int
    facets: dict  # facet -> Counter of value -> count (node: counted per node id)
    title_hits: set = field(default_factory=set)
    exact: bool = True  # False: the total and the facet counts are estimates


@dataclass
class Sample:
    """The first matches in storage order, at most ``limit + 1`` of them."""

    count: int
    last_position: int  # storage position of the last one (PostgreSQL: heap block; SQLite: pk)
    facets: dict
    exact: bool  # every match is in the sample


def exact_limit():
    return getattr(settings, "DISCLOSURE_SEARCH_EXACT_LIMIT", EXACT_LIMIT)


class DatabaseSearchBackend:
    """PostgreSQL: tsvector @@ tsquery on GIN-indexed generated columns. SQLite: LIKE on terms."""

    def filter(self, documents, query):
        """The documents of ``documents`` (any queryset of documents) that match ``query``:
        all its words, or its 文号 however the brackets are typed. None match an empty query.

        Up to ``exact_limit()`` matches come back as a list of ids, so that sorting and paging
        them never walks the whole table checking each row; more come back as the filter.
        """
        matched, _title = self.match(documents, query)
        if _title is None:
            return matched
        limit = exact_limit()
        with transaction.atomic():
            self.plan_with(seqscan=False, indexscan=False)
            ids = list(matched.order_by().values_list("pk", flat=True)[: limit + 1])
        if len(ids) > limit:
            return matched
        if connection.vendor == "postgresql":
            # One array parameter: a list of thousands of parameters costs more to build.
            return documents.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
        return documents.filter(pk__in=ids)

    def count(self, documents):
        """(how many ``documents`` there are, exact?): counted up to ``exact_limit()``, estimated
        beyond (text matches from the share of the table the first of them cover, other
        filters from the planner's statistics). Never reads every row."""
        if connection.vendor == "postgresql" and "search_vector @@" in str(documents.query):
            # Text matches through the GIN index (checked row by row they are read from TOAST),
            # in heap order, so the share of the table they cover scales their count.
            with transaction.atomic():
                self.plan_with(seqscan=False, indexscan=False)
                return self.total(self.sample(documents, facets=False))
        limit = exact_limit()
        count = documents.order_by().values("pk")[: limit + 1].count()
        if count <= limit or connection.vendor != "postgresql":
            return (count if count <= limit else documents.count()), True
        # Anything else: the planner's estimate, from the statistics ANALYZE keeps.
        return max(planner_rows(documents), count), False

    def matching(self, request, documents=None):
        """(public documents matching the query, a boolean expression "matched in the title")."""
        if documents is None:
            documents = Document.objects.public()
        return self.match(documents, request.query)

    def match(self, documents, query):
        groups = analysis.query_groups(query)
        compact = analysis.compact_doc_number(query)
        if not groups and not compact:
            return documents.none(), None
        by_number = Q(doc_number_key=compact) if compact else Q(pk__in=[])
        if not groups:
            return documents.filter(by_number), Value(False)
        if connection.vendor == "postgresql":
            tsquery = self.tsquery(groups)
            # Qualified: the staff's queryset may join other tables.
            text = RawSQL(
                "disclosure_document.search_vector @@ to_tsquery('simple', %s)",
                [tsquery],
                output_field=BooleanField(),
            )
            title = RawSQL(
                "disclosure_document.search_title_vector @@ to_tsquery('simple', %s)",
                [tsquery],
                output_field=BooleanField(),
            )
            return documents.filter(Q(text) | by_number), title
        text, title = Q(), Q()
        for group in groups:
            # Each term in the title or the body; the title match: every term in the title.
            text &= reduce(
                or_, (self.all_terms(terms, "search_title", "search_body") for terms in group)
            )
            title &= reduce(or_, (self.all_terms(terms, "search_title") for terms in group))
        return documents.filter(text | by_number), ExpressionWrapper(
            title, output_field=BooleanField()
        )

    @staticmethod
    def all_terms(terms, *fields):
        """Q: every one of ``terms`` among the terms stored in one of ``fields``."""
        found = Q()
        for term in terms:
            found &= reduce(or_, (Q(**{f"{field}__contains": f" {term} "}) for field in fields))
        return found

    @staticmethod
    def tsquery(groups):
        """All groups, each one of its alternatives, each all its terms. Terms hold only
        letters, digits and CJK characters; quoting keeps them literal anyway."""
        return " & ".join(
            "("
            + " | ".join("(" + " & ".join(f"'{t}'" for t in terms) + ")" for terms in group)
            + ")"
            for group in groups
        )

    def search(self, request):
        documents, title_match = self.matching(request)
        if title_match is None:
            return SearchResult(ids=[], total=0, facets={name: Counter() for name in FACETS})
        # A transaction where the documents are read: on a replica for anonymous visitors
        # (portal.replicas), so that the planner switches below apply there.
        db = documents.db
        with transaction.atomic(using=db):
            # Finding the matches: through the GIN index (a bitmap scan). Checking the tsvector
            # row by row instead, in a sequential or ordered index scan, reads each one from
            # TOAST, a cost the planner does not see.
            self.plan_with(seqscan=False, indexscan=False, using=db)
            sample = self.kept_sample(request.query, {}, lambda: self.sample(documents, True))
            total, exact = self.total(sample)
            facets = self.scaled(sample.facets, total / sample.count if not exact else 1)
            documents = documents.with_metadata(**request.filters)
            if request.filters:
                filtered = documents
                total, exact = self.total(
                    self.kept_sample(
                        request.query, request.filters, lambda: self.sample(filtered, False)
                    )
                )
            # Every title match is a match (the title's terms are in the search vector): found
            # through the small title index alone, without reading the large vector.
            in_title = (
                Document.objects.public().with_metadata(**request.filters).filter(title_match)
            )
            # One page: walk the date index and stop after a page when the matches are many
            # (few rows checked per hit), else sort what the GIN index finds.
            walk = self.walk_is_cheaper(total, request)
            self.plan_with(seqscan=False, indexscan=walk, using=db)
            ids, title_hits = self.page(
                documents, in_title, title_match, request, Walk(db) if walk else None
            )
        return SearchResult(ids=ids, total=total, facets=facets, title_hits=title_hits, exact=exact)

    def any_match(self, query, ids):
        """Whether any of the documents ``ids`` (a few, changed lately: published, changed or
        withdrawn) matches ``query``, public or not: a page of it may list or count it. Each
        one's search vector is checked, never a bitmap of every match."""
        documents = Document.objects.filter(pk__in=ids)
        matched, title_match = self.match(documents, query)
        if title_match is None:
            return False
        if connections[matched.db].vendor != "postgresql":
            return matched.exists()
        with transaction.atomic(using=matched.db), connections[matched.db].cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            return matched.exists()

    @staticmethod
    def kept_sample(query, filters, make):
        """The ``Sample`` of ``query`` with ``filters``, kept a minute in the cache under the
        public version and the generation of ``portal.page_cache.SEARCH``, which every
        publication and withdrawal changes: its second page, its other orders and its filters
        reuse the counts of the first instead of reading thousands of matches again."""
        state = page_cache.page_state([page_cache.SEARCH])
        values = {name: str(getattr(value, "pk", value)) for name, value in filters.items()}
        version = [state.key, state.signature]
        text = json.dumps([query, sorted(values.items()), version], ensure_ascii=False)
        key = "search-sample:" + hashlib.sha256(text.encode()).hexdigest()
        sample = cache.get(key)
        if sample is None:
            sample = make()
            if not page_cache.learnt_during_request(page_cache.SEARCH):
                cache.set(key, sample, SAMPLE_SECONDS)
        return sample

    @staticmethod
    def plan_with(seqscan, indexscan, using="default"):
        """PostgreSQL planner switches for the rest of the current transaction on ``using``."""
        if connections[using].vendor == "postgresql":
            with connections[using].cursor() as cursor:
                cursor.execute(
                    f"SET LOCAL enable_seqscan = {'on' if seqscan else 'off'}; "
                    f"SET LOCAL enable_indexscan = {'on' if indexscan else 'off'}; "
                    # Small bounded queries: starting parallel workers costs more than it saves.
                    "SET LOCAL max_parallel_workers_per_gather = 0"
                )

    @staticmethod
    def walk_is_cheaper(total, request):
        """Whether walking the documents newest first, checking each, reaches the page sooner
        than sorting every match: the walk checks about (offset + limit) × rows / total rows."""
        if connection.vendor != "postgresql" or not total:
            return False
        rows = table_rows()
        walked = (request.offset + request.limit) * rows / total
        return walked * ROW_CHECK_COST < total

    @staticmethod
    def page(documents, in_title, title_match, request, walk=None):
        """One page: by date, or title matches (newest first) before body-only matches.

        Two queries rather than one ORDER BY on "matched in the title": each can then walk the
        date index and stop after a page, however many documents match. ``walk``: the ``Walk``
        running them when the date index is walked (else the plan sorts the GIN index's rows).
        """
        start, size = request.offset, request.limit
        newest = ("-published_at", "-pk")
        run = walk or list
        if request.sort == "date":
            return run(
                documents.order_by(*newest).values_list("pk", flat=True)[start : start + size]
            ), set()
        first = run(in_title.order_by(*newest).values_list("pk", flat=True)[start : start + size])
        if len(first) == size:
            return first, set(first)
        title_total = start + len(first) if first else in_title.count()
        rest_start = max(0, start - title_total)
        rest = documents.exclude(title_match).order_by(*newest).values_list("pk", flat=True)
        return first + run(rest[rest_start : rest_start + size - len(first)]), set(first)

    def total(self, sample):
        """(number of matches, exact?): counted when the sample holds them all, else scaled
        from the share of the table the sample covers."""
        if sample.exact:
            return sample.count, True
        extent = table_extent()
        estimate = sample.count * extent / max(sample.last_position + 1, 1)
        return max(round(estimate), sample.count), False

    @staticmethod
    def scaled(facets, factor):
        if factor == 1:
            return facets
        return {
            name: Counter({value: max(1, round(n * factor)) for value, n in counts.items()})
            for name, counts in facets.items()
        }

    @classmethod
    def sample(cls, documents, facets):
        """The first ``exact_limit() + 1`` matches in storage order: how many, where the last
        one lies, and (with ``facets``) their counts by agency, node, topic, genre, year and
        validity, in one query that reads those rows once."""
        limit = exact_limit()
        postgres = connection.vendor == "postgresql"
        # The heap block a row lies in: a bitmap scan returns rows in block order.
        block = RawSQL("(disclosure_document.ctid::text::point)[0]::bigint", [])
        position = block if postgres else F("pk")
        rows = documents.order_by() if postgres else documents.order_by("pk")
        rows = rows.annotate(year=ExtractYear("published_at"), position=position)
        sql, params = rows.values_list(
            "agency_id", "node_id", "topic_id", "genre_id", "year", "validity", "position"
        )[: limit + 1].query.sql_with_params()
        with connections[documents.db].cursor() as cursor:
            cursor.execute(cls.sample_sql(sql, facets, postgres), params)
            rows = cursor.fetchall()
        if not facets:
            count, last = rows[0]
            return Sample(count, last or 0, {name: Counter() for name in FACETS}, count <= limit)
        count, last, counts = cls.tally_sample(rows, postgres)
        counts["topic"] = cls.by_first_level_topic(counts["topic"])
        return Sample(count, last, counts, count <= limit)

    @staticmethod
    def sample_sql(sql, facets, postgres):
        """The query over the sampled rows ``sql``: their count and last position, and with
        ``facets`` one count per value of each facet column (grouping sets on PostgreSQL, a
        UNION ALL of one GROUP BY per column elsewhere, the total marked -1)."""
        names = ", ".join(FACETS)
        if not facets:
            return f"WITH m ({names}, position) AS ({sql}) SELECT COUNT(*), MAX(position) FROM m"  # noqa: S608
        if postgres:
            sets = ", ".join(f"({name})" for name in FACETS)
            return (
                f"SELECT GROUPING({names}), {names}, COUNT(*), MAX(position) "  # noqa: S608
                f"FROM ({sql}) AS m ({names}, position) GROUP BY GROUPING SETS ({sets}, ())"
            )
        nulls = ", ".join("NULL" for _ in FACETS)
        selects = [f"SELECT -1, {nulls}, COUNT(*), MAX(position) FROM m"]  # noqa: S608
        for index, name in enumerate(FACETS):
            picked = ", ".join(c if c == name else "NULL" for c in FACETS)
            selects.append(f"SELECT {index}, {picked}, COUNT(*), 0 FROM m GROUP BY {name}")  # noqa: S608
        union = " UNION ALL ".join(selects)
        return f"WITH m ({names}, position) AS ({sql}) {union}"  # noqa: S608 - fixed names

    @staticmethod
    def tally_sample(rows, postgres):
        """(count, last position, counts by facet) from the rows of ``sample_sql``."""
        counts = {name: Counter() for name in FACETS}
        full = (1 << len(FACETS)) - 1
        count, last = 0, 0
        for row in rows:
            marker, values, n = row[0], row[1:-2], row[-2]
            if (postgres and marker == full) or (not postgres and marker == -1):
                count, last = n, row[-1] or 0
                continue
            if postgres:
                # GROUPING() sets a bit for each column *not* grouped: exactly one is clear.
                index = len(FACETS) - (full ^ marker).bit_length()
            else:
                index = marker
            counts[FACETS[index]][values[index]] += n
        return count, last, counts

    @staticmethod
    def by_first_level_topic(topic_counts):
        """Topic counts moved under their first-level topic."""
        parents = dict(
            Topic.objects.filter(pk__in=[t for t in topic_counts if t]).values_list(
                "pk", "parent_id"
            )
        )
        topics = Counter()
        for topic, n in topic_counts.items():
            topics[parents.get(topic) or topic] += n
        return topics

    def facets(self, documents):
        """Counts of the matches by agency, node, topic, genre, year and validity (exact up to
        ``exact_limit()`` matches, from the first of them beyond)."""
        return self.sample(documents, facets=True).facets


# How long walking the date index may take before the page is read from the GIN index instead.
WALK_BUDGET_MS = 60


class Walk:
    """Runs a page's query walking the date index newest first, within ``WALK_BUDGET_MS``.

    The walk is chosen when matches are many, on the assumption that they are spread over the
    years. A query whose matches are not (a year, "2019"; a title phrase where the body's words
    are common) walks most of the table before finding a page: 2-13 s at 1,000,000 documents.
    Past the budget the query is cancelled and run again on the GIN index, sorting what it finds,
    which is cheap exactly then (such matches are few). PostgreSQL only (the walk is never
    chosen elsewhere)."""

    def __init__(self, using):
        self.using = using

    def __call__(self, rows):
        connection = connections[self.using]
        try:
            with transaction.atomic(using=self.using), connection.cursor() as cursor:
                # SET LOCAL in a savepoint: rolled back with it when the query is cancelled;
                # set back by hand when it is not.
                cursor.execute("SELECT current_setting('statement_timeout')")
                (previous,) = cursor.fetchone()
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [f"{WALK_BUDGET_MS}ms"]
                )
                ids = list(rows)
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
                return ids
        except OperationalError as error:
            if getattr(error.__cause__, "pgcode", None) != QUERY_CANCELED:
                raise
        DatabaseSearchBackend.plan_with(seqscan=False, indexscan=False, using=self.using)
        return list(rows.all())


# PostgreSQL's error code of a statement cancelled by statement_timeout.
QUERY_CANCELED = "57014"


def _reading():
    """The connection documents are read from now: a replica for anonymous visitors."""
    return connections[router.db_for_read(Document)]


def table_rows():
    """The planner's count of document rows (kept by ANALYZE and autovacuum); PostgreSQL only."""
    with _reading().cursor() as cursor:
        cursor.execute(
            "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
            [Document._meta.db_table],
        )
        return cursor.fetchone()[0] or Document.objects.order_by().count()


def planner_rows(queryset):
    """The number of rows the PostgreSQL planner expects ``queryset`` to return."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)  # noqa: S608 - Django's SQL
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def table_extent():
    """How far storage positions go: heap blocks on PostgreSQL, the largest pk on SQLite."""
    reading = _reading()
    with reading.cursor() as cursor:
        if reading.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int",
                [Document._meta.db_table],
            )
        else:
            cursor.execute(f'SELECT MAX(id) FROM "{Document._meta.db_table}"')  # noqa: S608
        return cursor.fetchone()[0] or 0


def get_backend():
    path = getattr(
        settings,
        "DISCLOSURE_SEARCH_BACKEND",
        "disclosure.documents.search.backends.DatabaseSearchBackend",
    )
    return import_string(path)()
