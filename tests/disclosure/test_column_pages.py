"""The pages standing for a column (the proposal replies, the annual reports) show what the column
lists, and the columns that are the home of a part's page lead there from the tree and listings."""

import re
from datetime import date

import pytest
from django.urls import reverse

from catalog.models import CatalogNode
from tests.disclosure.reports.test_guide_and_compliance import publish_report
from tests.factories import AgencyFactory, ProposalFactory, ProposalReplyFactory, published

pytestmark = pytest.mark.django_db


def document_links(html):
    return set(re.findall(r'href="/documents/(\d+)/"', html))


@pytest.fixture
def columns(db):
    root = CatalogNode.objects.create(name="政务公开")
    made = {"root": root}
    for slug, name in [
        ("gkzn", "政府信息公开指南"),
        ("rddbjy", "人大代表建议办理"),
        ("zxwyta", "政协委员提案办理"),
        ("gknb", "政府信息公开年报"),
        ("ysqgk", "依申请公开"),
        ("zcwj", "政策文件"),
    ]:
        made[slug] = CatalogNode.objects.create(name=name, slug=slug, parent=root)
    return made


def test_the_proposals_page_lists_every_reply_its_columns_list(client, columns):
    from disclosure.documents.services import publish

    recorded = ProposalReplyFactory(proposal=ProposalFactory(number=94, lead_delegate="范川"))
    publish(recorded.document)
    # Replies published as plain documents (an old site's, a staff upload) count as well.
    plain = published(title="关于第12号建议的复函", node=columns["rddbjy"])
    motion = published(title="关于第8号提案的复函", node=columns["zxwyta"])
    other = published(title="某项工作的通知", node=columns["zcwj"])
    page = client.get(reverse("disclosure:proposals")).content.decode()
    in_columns = document_links(client.get(columns["rddbjy"].get_absolute_url()).content.decode())
    in_columns |= document_links(client.get(columns["zxwyta"].get_absolute_url()).content.decode())
    assert document_links(page) == in_columns
    assert {str(plain.pk), str(motion.pk), str(recorded.document_id)} <= in_columns
    assert str(other.pk) not in in_columns
    assert "范川" in page and "关于第12号建议的复函" in page
    congress = client.get(reverse("disclosure:proposals"), {"body": "congress"}).content.decode()
    assert str(plain.pk) in document_links(congress)
    assert str(motion.pk) not in document_links(congress)


def test_the_annual_reports_page_lists_every_report_its_column_lists(client, columns):
    agency = AgencyFactory(name="重庆市铜梁区人民政府")
    made = publish_report(agency, 2025, date(2026, 1, 20))
    old = published(
        title="重庆市铜梁区人民政府2023年政府信息公开工作年度报告", node=columns["gknb"]
    )
    page = client.get(reverse("disclosure:annual-reports")).content.decode()
    column = client.get(columns["gknb"].get_absolute_url()).content.decode()
    assert document_links(column) == {str(old.pk), str(made.document_id)}
    # A report made here leads to its tables; one published as a document, to the document.
    assert made.get_absolute_url() in page and f'href="/documents/{old.pk}/"' in page
    assert page.index("2025年度") < page.index("2023年度")
    assert "2023年政府信息公开工作年度报告" in page.split("2023年度")[1]


def test_columns_that_are_a_parts_home_lead_to_its_page(client, columns):
    published(title="某项政策", node=columns["zcwj"])  # a blank column is not shown at all
    tree = client.get(reverse("catalog:tree")).content.decode()
    leads = {
        "政府信息公开指南": reverse("disclosure:guides"),
        "政府信息公开年报": reverse("disclosure:annual-reports"),
        "依申请公开": reverse("applications:guide"),
        "人大代表建议办理": reverse("disclosure:proposals") + "?body=congress",
        "政协委员提案办理": reverse("disclosure:proposals") + "?body=cppcc",
    }
    for name, url in leads.items():
        assert f'<a href="{url.replace("&", "&amp;")}">{name}</a>' in tree, name
    # Their pages hold no documents of the column: no "(0)" beside them.
    assert "依申请公开</a> <span" not in tree and "政府信息公开指南</a> <span" not in tree
    assert f'<a href="{columns["zcwj"].get_absolute_url()}">政策文件</a> <span' in tree
    listing = client.get(columns["root"].get_absolute_url()).content.decode()
    home = client.get(reverse("home")).content.decode()
    for page in (listing, home):
        assert f'href="{reverse("disclosure:annual-reports")}"' in page
        assert f'href="{reverse("applications:guide")}"' in page
