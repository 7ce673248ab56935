"""体裁 其他公文; 有效性 left blank (not stated): never shown or counted as 有效."""

import importlib
import re
from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from disclosure.documents.models import Document, Genre
from disclosure.documents.search.backends import DatabaseSearchBackend, SearchRequest
from disclosure.reports import annual
from tests.factories import (
    AgencyFactory,
    AnnualReportFactory,
    CatalogNodeFactory,
    DocumentFactory,
    publish_on,
    published,
)

pytestmark = pytest.mark.django_db

V = Document.Validity
NOT_STATED = ""


def test_other_official_documents_is_a_genre_after_the_fifteen_kinds():
    names = list(Genre.objects.values_list("name", flat=True))
    assert names.index("纪要") + 1 == names.index("其他公文") < names.index("规章")
    assert not Genre.objects.get(name="其他公文").requires_doc_number


def index_meta(html):
    table = html[html.index('class="index-meta"') : html.index("</table>")]
    return re.sub(r"\s+", "", table)


def test_a_document_with_no_stated_validity_shows_none(client, site_tree):
    document = published(
        node=site_tree["policies"], doc_number="铜府办发〔2019〕3号", validity=NOT_STATED
    )
    meta = index_meta(client.get(document.get_absolute_url()).content.decode())
    assert '<thscope="row">有效性</th><td></td>' in meta
    assert "有效</td>" not in meta
    stated = published(node=site_tree["policies"], validity=V.VALID)
    assert "<td>有效</td>" in index_meta(client.get(stated.get_absolute_url()).content.decode())


def test_without_validity_or_doc_number_the_row_is_left_out(client, site_tree):
    document = published(node=site_tree["policies"], doc_number="", validity=NOT_STATED)
    meta = index_meta(client.get(document.get_absolute_url()).content.decode())
    assert "有效性" not in meta and "文号" not in meta


def test_the_search_offers_no_filter_for_a_validity_not_stated(client, site_tree):
    published(title="防汛工作通知", node=site_tree["policies"], validity=NOT_STATED)
    published(title="防汛工作方案", node=site_tree["policies"], validity=V.VALID)
    result = DatabaseSearchBackend().search(SearchRequest(query="防汛"))
    assert dict(result.facets["validity"]) == {V.VALID: 1, NOT_STATED: 1}
    html = client.get("/search/", {"q": "防汛"}).content.decode()
    facet = html[
        html.index("<h2>有效性</h2>") : html.index("</section>", html.index("<h2>有效性</h2>"))
    ]
    assert re.findall(r">([^<>]+)</a> <span", facet) == ["有效"]


def test_the_admin_form_offers_not_stated_and_saves_it(admin_client):
    document = DocumentFactory()
    url = reverse("admin:disclosure_document_change", args=[document.pk])
    form = admin_client.get(url).context["adminform"].form
    assert form.fields["validity"].choices[0] == ("", "（未注明）")


def changed(document, validity, on):
    document.refresh_from_db()
    document.validity, document.validity_changed_on = validity, on
    document.save()
    return document


@pytest.fixture
def rules_of_2025():
    """规章 of one agency, written in 2025, with validities stated, not stated and changed."""
    agency, node = AgencyFactory(), CatalogNodeFactory()
    rules = Genre.objects.get(name="规章")

    def rule(validity=V.VALID):
        document = DocumentFactory(
            agency=agency, genre=rules, node=node, written_on=date(2025, 3, 1), validity=validity
        )
        return publish_on(document, timezone.make_aware(timezone.datetime(2025, 3, 2, 9)))

    rule()  # in force, never changed: counted
    rule(NOT_STATED)  # not stated: not counted
    changed(rule(NOT_STATED), V.VALID, date(2025, 6, 1))  # stated 有效 within the year: counted
    changed(rule(NOT_STATED), V.VALID, date(2026, 2, 1))  # stated only after the year
    changed(rule(NOT_STATED), V.REPEALED, date(2026, 2, 1))  # not stated at the year's end
    changed(rule(), V.REPEALED, date(2026, 2, 1))  # 有效 on 31 December: counted
    changed(rule(), NOT_STATED, date(2026, 2, 1))  # 有效 on 31 December: counted
    changed(rule(), V.EXPIRED, date(2025, 10, 1))  # out of force within the year
    return agency


def test_the_annual_report_never_counts_a_validity_not_stated_as_in_force(rules_of_2025):
    figures = annual.figures_for(AnnualReportFactory(agency=rules_of_2025))
    assert figures.value("docs.rules.issued") == 8
    assert figures.value("docs.rules.valid") == 4
    listed = [
        set(s.queryset().values_list("pk", flat=True)) for s in figures.sources["docs.rules.valid"]
    ]
    assert sum(len(pks) for pks in listed) == len(set().union(*listed)) == 4  # disjoint lists


def test_each_in_force_list_opens_in_the_admin(admin_client, rules_of_2025):
    figures = annual.figures_for(AnnualReportFactory(agency=rules_of_2025))
    counts = [
        len(admin_client.get(source.url).context["cl"].result_list)
        for source in figures.sources["docs.rules.valid"]
    ]
    assert counts == [1, 1, 2]


def test_a_change_records_the_validity_before_it():
    document = DocumentFactory(validity=V.VALID)
    changed(document, V.AMENDED, date(2025, 1, 1))
    changed(document, V.REPEALED, date(2025, 6, 1))
    assert Document.objects.get().validity_before == V.AMENDED


def test_the_migration_reads_the_validity_before_the_last_change_from_the_history():
    migration = importlib.import_module(
        "disclosure.migrations.0025_validity_not_stated_and_other_genre"
    )
    document = DocumentFactory(validity=V.VALID)
    changed(document, V.AMENDED, date(2025, 1, 1))
    changed(document, V.REPEALED, date(2025, 6, 1))
    undocumented = DocumentFactory(validity=V.VALID)
    Document.objects.filter(pk=undocumented.pk).update(
        validity=V.EXPIRED, validity_changed_on=date(2024, 1, 1)
    )
    never = DocumentFactory(validity=V.VALID)
    Document.objects.update(validity_before="")
    migration.fill_validity_before(apps, None)
    before = dict(Document.objects.values_list("pk", "validity_before"))
    assert before == {document.pk: V.AMENDED, undocumented.pk: V.VALID, never.pk: ""}
