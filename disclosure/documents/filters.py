"""The listing filters (year, topic, genre, agency, validity) and their choices."""

from django import forms
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import CharField, Count, F, IntegerField, Value
from django.db.models.functions import Cast, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from disclosure.documents.models import Document, Genre, Topic
from disclosure.documents.page_scopes import column_page
from portal import page_cache
from portal.page_cache import versioned
from portal.widgets import PlainSelect

CHOICES_CACHE_KEY = "disclosure:filter-choices"
FIRST_YEAR = 2000


def filter_choices():
    """Topics, genres and agencies for the filter form: one UNION query, then cached under the
    public version (a Redis restored from an old snapshot holds only older versions' keys)."""
    key = versioned(CHOICES_CACHE_KEY)
    choices = cache.get(key)
    if choices is None:
        no_parent = Value(None, output_field=IntegerField())
        rows = (
            Topic.objects.order_by()
            .annotate(kind=Value("topic"))
            .values_list("kind", "pk", "name", "parent_id", "sort_order")
            .union(
                Genre.objects.order_by()
                .annotate(kind=Value("genre"), parent_ref=no_parent)
                .values_list("kind", "pk", "name", "parent_ref", "sort_order"),
                Agency.objects.order_by()
                .annotate(kind=Value("agency"), parent_ref=no_parent, order=Value(0))
                .values_list("kind", "pk", "name", "parent_ref", "order"),
                all=True,
            )
        )
        choices = {"topic": [], "genre": [], "agency": []}
        topics = {}
        for kind, pk, name, parent_id, order in rows:
            if kind == "topic":
                topics[pk] = (name, parent_id, order)
            else:
                choices[kind].append((order, name, pk))
        for kind in ("genre", "agency"):
            choices[kind] = [(pk, name) for order, name, pk in sorted(choices[kind])]
        firsts = sorted(
            (order, pk, name) for pk, (name, parent, order) in topics.items() if parent is None
        )
        choices["topic_parent"] = {}
        for _order, pk, name in firsts:
            choices["topic"].append((pk, name))
            children = sorted((o, cpk, n) for cpk, (n, p, o) in topics.items() if p == pk)
            choices["topic"].extend((cpk, f"{name} / {n}") for _o, cpk, n in children)
            choices["topic_parent"].update((cpk, pk) for _o, cpk, _n in children)
        cache.set(key, choices, 600)
    return choices


COLUMN_FACETS_CACHE_KEY = "disclosure:column-facets"
# A column listing more documents than this offers every value, uncounted: counting would read
# them all.
COLUMN_FACETS_LIMIT = 20_000
FACETS = ("year", "topic", "genre", "agency", "validity")


def column_facets(node, documents, total):
    """{facet: {value: public documents of the column with it}} for the column ``node`` listing
    ``documents`` (``total`` of them; None beyond ``COLUMN_FACETS_LIMIT``): one query of counts
    (``_facet_counts``), cached per column until a document listed in it changes (its page's
    scope) or the public version does. A first-level topic counts its own documents and its
    children's, as the filter selects them."""
    if total > COLUMN_FACETS_LIMIT:
        return None
    key = page_cache.scoped(f"{COLUMN_FACETS_CACHE_KEY}:{node.pk}", [column_page(node.pk)])
    facets = cache.get(key)
    if facets is None:
        keep = page_cache.reads_are_current(Document)
        facets = {name: {} for name in FACETS}
        for name, value, n in _facet_counts(documents.order_by()):
            if value is not None and value != "":  # not stated: no filter offers it
                facets[name][str(value)] = n
        parents = filter_choices()["topic_parent"]
        for topic, n in list(facets["topic"].items()):
            parent = parents.get(int(topic))
            if parent is not None:
                facets["topic"][str(parent)] = facets["topic"].get(str(parent), 0) + n
        if keep:
            cache.set(key, facets, page_cache.page_seconds())
    return facets


def _facet_counts(documents):
    """(facet, value, count) of each value of each facet among ``documents``: on PostgreSQL one
    scan grouped by GROUPING SETS (a third to a tenth of the time of one scan per facet),
    elsewhere a UNION of one GROUP BY per facet."""
    expressions = {
        "year": ExtractYear("published_at"),
        "topic": F("topic_id"),
        "genre": F("genre_id"),
        "agency": F("agency_id"),
        "validity": F("validity"),
    }
    database = connections[documents.db]
    if database.vendor != "postgresql":
        parts = [
            documents.annotate(facet=Value(name), value=Cast(expressions[name], CharField()))
            .values("facet", "value")
            .annotate(n=Count("pk"))
            .values_list("facet", "value", "n")
            for name in FACETS
        ]
        yield from parts[0].union(*parts[1:], all=True)
        return
    rows = documents.annotate(**{f"facet_{name}": expressions[name] for name in FACETS})
    try:
        sql, params = rows.values_list(
            *(f"facet_{name}" for name in FACETS)
        ).query.sql_with_params()
    except EmptyResultSet:  # a column listing nothing
        return
    names = ", ".join(FACETS)
    sets = ", ".join(f"({name})" for name in FACETS)
    query = (
        f"SELECT GROUPING({names}), {names}, COUNT(*) FROM ({sql}) AS m ({names}) "  # noqa: S608
        f"GROUP BY GROUPING SETS ({sets})"
    )
    full = (1 << len(FACETS)) - 1
    with database.cursor() as cursor:
        cursor.execute(query, params)
        for marker, *values, n in cursor.fetchall():
            # GROUPING() sets a bit for each column *not* grouped: exactly one is clear.
            index = len(FACETS) - (full ^ marker).bit_length()
            yield FACETS[index], values[index], n


def forget_filter_choices(**kwargs):
    # Now, and again once committed: a request that read the old rows meanwhile may have cached
    # them.
    cache.delete(versioned(CHOICES_CACHE_KEY))
    transaction.on_commit(lambda: cache.delete(versioned(CHOICES_CACHE_KEY)))


class DocumentFilterForm(forms.Form):
    PAGE_SIZES = [10, 20, 50, 100]

    year = forms.TypedChoiceField(
        label=_("年份"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    topic = forms.TypedChoiceField(
        label=_("主题分类"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    genre = forms.TypedChoiceField(
        label=_("体裁分类"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    agency = forms.TypedChoiceField(
        label=_("发布机构"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    validity = forms.ChoiceField(label=_("有效性"), required=False, widget=PlainSelect)
    per_page = forms.TypedChoiceField(
        label=_("每页"), required=False, coerce=int, empty_value=20, initial=20,
        choices=[(n, n) for n in PAGE_SIZES], widget=PlainSelect,
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = filter_choices()
        every = [("", _("全部"))]
        this_year = timezone.localdate().year
        self.fields["year"].choices = every + [(y, y) for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["topic"].choices = every + choices["topic"]
        self.fields["genre"].choices = every + choices["genre"]
        self.fields["agency"].choices = every + choices["agency"]
        self.fields["validity"].choices = every + list(Document.Validity.choices)

    def offer_only(self, facets):
        """Choices limited to the values ``facets`` counts (``column_facets``), each with its
        count; a value asked for stays offered. ``facets`` None: every value, uncounted."""
        if facets is None:
            return
        for name in FACETS:
            counts = facets[name]
            asked = str(self.data.get(name, "")) if self.is_bound else ""
            field = self.fields[name]
            field.choices = [
                (value, f"{label}（{counts[str(value)]}）" if str(value) in counts else label)
                for value, label in field.choices
                if value == "" or str(value) in counts or str(value) == asked
            ]

    def filter(self, queryset):
        """Apply the valid filters; invalid values are ignored (the form shows them as errors)."""
        data = self.cleaned_data if self.is_valid() else {}
        keys = ("agency", "topic", "genre", "year", "validity")
        return queryset.with_metadata(**{key: data.get(key) for key in keys})

    @property
    def page_size(self):
        return (self.cleaned_data.get("per_page") if self.is_valid() else None) or 20

    @property
    def is_filtered(self):
        return self.is_valid() and any(
            self.cleaned_data.get(k) for k in ("year", "topic", "genre", "agency", "validity")
        )
