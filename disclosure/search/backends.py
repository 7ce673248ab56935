"""Search backends: one interface, ``search(SearchRequest) -> SearchResult``.

Every backend searches only ``Document.objects.public()``.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils.module_loading import import_string

from ..models import Document, Topic
from . import analysis

FACETS = ["agency", "node", "topic", "genre", "year", "validity"]


@dataclass
class SearchRequest:
    query: str
    filters: dict = field(default_factory=dict)  # facet -> value (node: a CatalogNode)
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 20


@dataclass
class SearchResult:
    ids: list  # the page, in order
    total: int
    facets: dict  # facet -> Counter of value -> count (node: counted per node id)
    title_hits: set = field(default_factory=set)


class DatabaseSearchBackend:
    """PostgreSQL: tsvector @@ tsquery on GIN-indexed generated columns. SQLite: LIKE on terms."""

    def matching(self, request):
        """(public documents matching the query, a boolean expression "matched in the title")."""
        terms = analysis.query_terms(request.query)
        compact = analysis.compact_doc_number(request.query)
        documents = Document.objects.public()
        if not terms and not compact:
            return documents.none(), None
        by_number = Q(doc_number_key=compact) if compact else Q(pk__in=[])
        if not terms:
            return documents.filter(by_number), Value(False)
        if connection.vendor == "postgresql":
            tsquery = self.tsquery(terms)
            text = RawSQL(
                "search_vector @@ to_tsquery('simple', %s)", [tsquery], output_field=BooleanField()
            )
            title = RawSQL(
                "search_title_vector @@ to_tsquery('simple', %s)",
                [tsquery],
                output_field=BooleanField(),
            )
            return documents.filter(Q(text) | by_number), title
        text, title = Q(), Q()
        for term in terms:
            text &= Q(search_title__contains=f" {term} ") | Q(search_body__contains=f" {term} ")
            title &= Q(search_title__contains=f" {term} ")
        return documents.filter(text | by_number), ExpressionWrapper(
            title, output_field=BooleanField()
        )

    @staticmethod
    def tsquery(terms):
        # Terms hold only letters, digits and CJK characters; quoting keeps them literal anyway.
        return " & ".join(f"'{term}'" for term in terms)

    def search(self, request):
        documents, title_match = self.matching(request)
        if title_match is None:
            return SearchResult(ids=[], total=0, facets={name: Counter() for name in FACETS})
        # A read-only transaction where the documents are read: on a replica for anonymous
        # visitors (portal.replicas), so that the planner switches below apply there.
        db = documents.db
        with transaction.atomic(using=db):
            # Counting every match: through the GIN index (a bitmap scan). Checking the tsvector
            # row by row instead, in a sequential or ordered index scan, reads each one from
            # TOAST, a cost the planner does not see.
            self.plan_with(seqscan=False, indexscan=False, using=db)
            facets = self.facets(documents)
            documents = documents.with_metadata(**request.filters)
            total = documents.count() if request.filters else sum(facets["validity"].values())
            # One page: walking the date index and stopping after a page is often best here.
            self.plan_with(seqscan=False, indexscan=True, using=db)
            ids, title_hits = self.page(documents, title_match, request)
        return SearchResult(ids=ids, total=total, facets=facets, title_hits=title_hits)

    @staticmethod
    def plan_with(seqscan, indexscan, using="default"):
        """PostgreSQL planner switches for the rest of the current transaction."""
        if connections[using].vendor == "postgresql":
            with connections[using].cursor() as cursor:
                cursor.execute(f"SET LOCAL enable_seqscan = {'on' if seqscan else 'off'}")
                cursor.execute(f"SET LOCAL enable_indexscan = {'on' if indexscan else 'off'}")

    @staticmethod
    def page(documents, title_match, request):
        """One page: by date, or title matches (newest first) before body-only matches.

        Two queries rather than one ORDER BY on "matched in the title": each can then walk the
        date index and stop after a page, however many documents match.
        """
        start, size = request.offset, request.limit
        newest = ("-published_at", "-pk")
        if request.sort == "date":
            return list(
                documents.order_by(*newest).values_list("pk", flat=True)[start : start + size]
            ), set()
        in_title = documents.filter(title_match)
        first = list(in_title.order_by(*newest).values_list("pk", flat=True)[start : start + size])
        if len(first) == size:
            return first, set(first)
        title_total = start + len(first) if first else in_title.count()
        rest_start = max(0, start - title_total)
        rest = documents.exclude(title_match).order_by(*newest).values_list("pk", flat=True)
        return first + list(rest[rest_start : rest_start + size - len(first)]), set(first)

    @staticmethod
    def facets(documents):
        """Counts of every match (before filtering) by agency, node, topic, genre, year, validity:
        one query that reads the matches once and returns one row per facet value."""
        columns = ["agency", "node", "topic", "genre", "year", "validity"]
        sql, params = (
            documents.order_by()
            .annotate(year=ExtractYear("published_at"))
            .values_list("agency_id", "node_id", "topic_id", "genre_id", "year", "validity")
            .query.sql_with_params()
        )
        if connection.vendor == "postgresql":
            names = ", ".join(columns)
            sets = ", ".join(f"({name})" for name in columns)
            query = (
                f"SELECT GROUPING({names}), {names}, COUNT(*) FROM ({sql}) AS m ({names}) "  # noqa: S608
                f"GROUP BY GROUPING SETS ({sets})"
            )
        else:
            selects = []
            for index, name in enumerate(columns):
                picked = ", ".join(c if c == name else "NULL" for c in columns)
                selects.append(f"SELECT {index}, {picked}, COUNT(*) FROM m GROUP BY {name}")  # noqa: S608
            union = " UNION ALL ".join(selects)
            query = f"WITH m ({', '.join(columns)}) AS ({sql}) {union}"  # noqa: S608 - fixed names
        counts = {name: Counter() for name in FACETS}
        with connections[documents.db].cursor() as cursor:
            cursor.execute(query, params)
            rows = cursor.fetchall()
        full = (1 << len(columns)) - 1
        for row in rows:
            marker, values, count = row[0], row[1:-1], row[-1]
            if connection.vendor == "postgresql":
                # GROUPING() sets a bit for each column *not* grouped: exactly one is clear.
                index = len(columns) - 1 - (full ^ marker).bit_length() + 1
            else:
                index = marker
            counts[columns[index]][values[index]] += count
        # Topics count under their first-level topic.
        parents = dict(
            Topic.objects.filter(pk__in=[t for t in counts["topic"] if t]).values_list(
                "pk", "parent_id"
            )
        )
        topics = Counter()
        for topic, count in counts["topic"].items():
            topics[parents.get(topic) or topic] += count
        counts["topic"] = topics
        return counts


def get_backend():
    path = getattr(
        settings, "DISCLOSURE_SEARCH_BACKEND", "disclosure.search.backends.DatabaseSearchBackend"
    )
    return import_string(path)()
