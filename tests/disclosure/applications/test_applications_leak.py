"""The leak matrix for applications: an applicant's personal data reaches no public surface,
and the audit log names an application by its number only."""

from datetime import date

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.applications import actions as application_actions
from disclosure.applications import services
from disclosure.applications.models import Application
from portal.actors import SYSTEM
from portal.models import AuditEvent
from tests.disclosure.applications.helpers import (
    give_information,
    organisation_data,
    person_data,
    png_upload,
)
from tests.disclosure.documents.test_public_surfaces import public_export
from tests.factories import published

pytestmark = pytest.mark.django_db

NAME = "欧阳探漏"
ID_NUMBER = "11010519491231002X"  # a valid check character
PHONE = "13977776543"
EMAIL = "tanlou.probe@example.com"
ADDRESS = "重庆市铜梁区探漏路77号"
DESCRIPTION = "探漏描述：请提供甲乙丙丁工程的合同全文"
ORG_NAME = "重庆探漏科技有限公司"
CONTACT = "司马探漏"
ORG_PHONE = "023-49998877"
PERSONAL = [NAME, ID_NUMBER, PHONE, EMAIL, ADDRESS, DESCRIPTION, ORG_NAME, CONTACT, ORG_PHONE]


@pytest.fixture
def applications(client, agency, file_roots, site_tree):
    """Two applications submitted through the form (one answered, online), a public document
    and the 依申请公开 column, so every surface has something to show."""
    CatalogNode.objects.create(name="依申请公开", slug="ysqgk", parent=site_tree["root"])
    published(title="一份公开的文件", node=site_tree["replies"])
    submitter = Client(REMOTE_ADDR="10.9.9.9")
    url = reverse("applications:apply", args=[agency.pk])
    person = person_data(person_name=NAME, id_number=ID_NUMBER, person_phone=PHONE,
                         person_email=EMAIL, person_address=ADDRESS, description=DESCRIPTION)  # fmt: skip
    organisation = organisation_data(org_name=ORG_NAME, contact_person=CONTACT,
                                     org_phone=ORG_PHONE, description=DESCRIPTION)  # fmt: skip
    for data in (person, organisation):
        assert submitter.post(url, {**data, "identity_file": png_upload()}).status_code == 302
    answered = Application.objects.get(name=NAME)
    services.confirm_receipt(answered, SYSTEM, on=date.today())
    give_information(answered)
    services.answer(answered, SYSTEM, Application.Result.DISCLOSED)
    return Application.objects.all()


def get(client, url, **params):
    response = client.get(url, params)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig", "replace")
    return response.content.decode()


def surfaces(client, site_tree, agency):
    """(name, text) of every public surface, as an anonymous visitor gets it."""
    pages = {
        "home": reverse("home"),
        "catalog tree": reverse("catalog:tree"),
        "proposals": reverse("disclosure:proposals"),
        "guide": reverse("applications:guide"),
        "form": reverse("applications:apply", args=[agency.pk]),
        "statistics": reverse("applications:statistics"),
        "status form": reverse("applications:status"),
        "receipt": reverse("applications:receipt"),
        "rss": reverse("disclosure:feed-rss"),
        "atom": reverse("disclosure:feed-atom"),
        "node feed": reverse("disclosure:node-feed-rss", args=[site_tree["root"].pk]),
        "sitemap": reverse("sitemap"),
        "sitemap documents": reverse("sitemap-section", args=["documents"]),
        "sitemap catalog": reverse("sitemap-section", args=["catalog"]),
        "robots": reverse("robots"),
    }
    for node in CatalogNode.objects.all():
        pages[f"column {node.name}"] = node.get_absolute_url()
    for name, url in pages.items():
        yield name, get(client, url)
    yield "statistics this year", get(client, pages["statistics"], year=date.today().year)
    yield "public export", public_export(client, None, site_tree)


def test_no_personal_value_reaches_any_public_surface(applications, site_tree, agency):
    client = Client()
    seen = list(surfaces(client, site_tree, agency))
    assert len(seen) > 15
    for name, text in seen:
        for value in PERSONAL:
            assert value not in text, f"{value} on {name}"


def test_a_second_visit_from_the_page_cache_shows_no_more(applications, site_tree, agency):
    client = Client()
    list(surfaces(client, site_tree, agency))
    for name, text in surfaces(client, site_tree, agency):
        for value in PERSONAL:
            assert value not in text, f"{value} on {name} (cached)"


@pytest.mark.parametrize("value", PERSONAL)
def test_searching_for_a_personal_value_finds_nothing(client, applications, value):
    response = client.get(reverse("search"), {"q": value})
    page = response.content.decode()
    assert "没有找到与" in page  # no hit: the value is only echoed in the search box
    assert not response.context.get("hits")


def test_the_status_page_without_the_code_shows_nothing_of_them(applications):
    client = Client()
    answered = applications.get(name=NAME)
    page = client.post(reverse("applications:status"), {"code": "AAAA-AAAA-AAAA",
                                                         "phone_tail": PHONE[-4:]}).content.decode()  # fmt: skip
    assert answered.number not in page
    for value in PERSONAL:
        assert value not in page


def test_the_audit_events_of_a_submission_name_the_number_only(applications):
    for application in applications:
        events = AuditEvent.objects.filter(
            action=application_actions.APPLICATION, object_id=str(application.pk)
        )
        submit = [e for e in events if e.details.get("step") == "submit"]
        assert len(submit) == 1
        for event in events:
            assert event.object_repr == application.number
            text = repr(model_to_dict(event))
            assert application.number in text
            for value in (application.name, application.id_number, application.credit_code,
                          application.phone, application.email, application.address,
                          application.description, application.contact_person):  # fmt: skip
                if value:
                    assert value not in text
