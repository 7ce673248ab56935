"""Every view that hands out a file answers with the same headers (portal.files)."""

import io
import re
from datetime import date

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from disclosure.applications import services as application_services
from disclosure.documents.services import add_attachment, publish
from disclosure.proposals.models import CoHandlingOpinion
from portal.actors import SYSTEM
from tests.disclosure.reports.test_annual_report_files import published_report
from tests.factories import (
    AgencyFactory,
    ApplicationFactory,
    CongressSessionFactory,
    DocumentFactory,
    ProposalFactory,
    published,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PRIVATE_CACHE = "private, no-store, max-age=0, no-cache, must-revalidate"
DOWNLOAD_CSP = "default-src 'none'; sandbox"
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# A PDF checked by its content, shown in the browser's viewer (which draws nothing sandboxed).
PDF_CSP = "default-src 'none'; frame-ancestors 'none'"
CSP = {False: DOWNLOAD_CSP, True: IMAGE_CSP, "pdf": PDF_CSP}
# RFC 6266: a quoted ASCII name, or an RFC 5987 UTF-8 name for anything else.
DISPOSITION = re.compile(r"""^(attachment|inline); filename(="[^"\\]+"|\*=utf-8''[^"\s;]+)$""")


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def file_roots(settings, tmp_path):  # noqa: F811 (the pytest fixture)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.MEDIA_ROOT.mkdir()
    settings.PRIVATE_MEDIA_ROOT.mkdir()


def public_attachment(client, admin_client):
    document = DocumentFactory()
    attachment = add_attachment(document, SimpleUploadedFile("政策原文.pdf", PDF))
    publish(document)
    return client.get(reverse("disclosure:attachment", args=[document.pk, attachment.pk]))


def public_pdf_in_the_browser(client, admin_client):
    document = DocumentFactory()
    attachment = add_attachment(document, SimpleUploadedFile("政策原文.pdf", PDF))
    publish(document)
    return client.get(reverse("disclosure:attachment-view", args=[document.pk, attachment.pk]))


def draft_attachment_for_staff(client, admin_client):
    document = DocumentFactory()
    attachment = add_attachment(document, SimpleUploadedFile("草稿附件.pdf", PDF))
    return admin_client.get(reverse("disclosure:attachment", args=[document.pk, attachment.pk]))


def co_handling_opinion_attachment(client, admin_client):
    lead, co = AgencyFactory(name="区住房城乡建委"), AgencyFactory(name="区财政局")
    session = CongressSessionFactory(body="congress", level="区", term=18, session=1, year=2022)
    proposal = ProposalFactory(session=session, number=94, lead_unit=lead, co_units=[co])
    opinion = CoHandlingOpinion(
        proposal=proposal,
        unit=co,
        text="同意",
        given_on=date(2022, 4, 1),
        attachment_name="意见.pdf",
    )
    opinion.attachment.save("opinion.pdf", ContentFile(PDF), save=False)
    opinion.save()
    url = reverse("admin:disclosure_cohandlingopinion_attachment", args=[opinion.pk])
    return admin_client.get(url)


def new_application():
    application = ApplicationFactory(received_on=application_services.today())
    application.identity_file.save("id.png", ContentFile(png_bytes()), save=False)
    application.identity_file_name = "身份证.png"
    application.save()
    return application


def identity_file(client, admin_client):
    application = new_application()
    return admin_client.get(
        reverse("admin:applications_application_identity", args=[application.pk])
    )


def application_letter(client, admin_client):
    application = new_application()
    user = admin_client.get(reverse("admin:index")).wsgi_request.user
    later = application_services.today().replace(year=2099)
    application_services.request_supplement(application, user, "请写明年份。", later)
    letter = application.letters.get()
    url = reverse("admin:applications_application_letter_docx", args=[application.pk, letter.pk])
    return admin_client.get(url)


def answered_online():
    """An application answered online with a file, and a browser that looked it up."""
    from disclosure.applications.models import Application, lookup_code_digest, new_lookup_code

    code = new_lookup_code()
    application = ApplicationFactory(
        received_on=application_services.today(),
        lookup_digest=lookup_code_digest(code),
        delivery=Application.Delivery.ONLINE,
    )
    upload = SimpleUploadedFile("清单.pdf", PDF)
    application_services.add_released_files(application, SYSTEM, [upload])
    application_services.answer(application, SYSTEM, Application.Result.DISCLOSED)
    return application, code


def released_file_to_the_applicant(client, admin_client):
    application, code = answered_online()
    client.post(reverse("applications:status"), {"code": code, "phone_tail": "1234"})
    released = application.released_files.get()
    return client.get(reverse("applications:released-file", args=[released.pk]))


def letter_to_the_applicant(client, admin_client):
    application, code = answered_online()
    client.post(reverse("applications:status"), {"code": code, "phone_tail": "1234"})
    letter = application.letters.get()
    return client.get(reverse("applications:status-letter", args=[letter.pk]))


def released_file_for_staff(client, admin_client):
    application, _code = answered_online()
    released = application.released_files.get()
    url = reverse("admin:applications_application_released", args=[application.pk, released.pk])
    return admin_client.get(url)


def supplement_file_for_staff(client, admin_client):
    application = new_application()
    application.supplement_file.save("s.pdf", ContentFile(PDF), save=False)
    application.supplement_file_name = "补正.pdf"
    application.supplement_file_type = "application/pdf"
    application.save()
    url = reverse("admin:applications_application_supplement_file", args=[application.pk])
    return admin_client.get(url)


def blank_application_form(client, admin_client):
    return client.get(reverse("applications:application-form"))


def staff_listing(file_format):
    def download(client, admin_client):
        url = reverse("admin:disclosure_document_export")
        return admin_client.get(url, {"format": file_format})

    return download


def compliance_report(client, admin_client):
    url = reverse("admin:disclosure_document_compliance")
    return admin_client.get(url, {"as_of": "2024-06-01", "download": "csv"})


def proposal_handling_list(client, admin_client):
    session = CongressSessionFactory(body="congress", level="区", term=18, session=1, year=2022)
    ProposalFactory(session=session, number=1)
    url = reverse("admin:disclosure_proposal_export")
    return admin_client.get(url, {"session": session.pk, "format": "xlsx"})


def annual_report_for_staff(client, admin_client):
    report = published_report()
    return admin_client.get(f"/admin/disclosure/annualreport/{report.pk}/file.docx")


def public_annual_report(client, admin_client):
    report = published_report()
    return client.get(reverse("disclosure:annual-report-file", args=[report.pk, "xlsx"]))


def public_listing(client, admin_client):
    published(title="公开文件")
    return client.get(reverse("disclosure:export"), {"format": "csv"})


def media_file(name, content):
    def download(client, admin_client):
        folder = settings.MEDIA_ROOT / "editor" / "1"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
        return client.get(f"/media/editor/1/{name}")

    return download


# (the view, whether what it hands out is private, whether it is shown inline)
VIEWS = {
    "public attachment": (public_attachment, False, False),
    "public PDF in the browser": (public_pdf_in_the_browser, False, "pdf"),
    "draft attachment for staff": (draft_attachment_for_staff, True, False),
    "co-handling opinion attachment": (co_handling_opinion_attachment, True, False),
    "identity file": (identity_file, True, False),
    "application letter .docx": (application_letter, True, False),
    "released file to the applicant": (released_file_to_the_applicant, True, False),
    "letter to the applicant": (letter_to_the_applicant, True, False),
    "released file for staff": (released_file_for_staff, True, False),
    "supplement file for staff": (supplement_file_for_staff, True, False),
    "blank application form": (blank_application_form, False, False),
    "staff listing .csv": (staff_listing("csv"), True, False),
    "staff listing .xlsx": (staff_listing("xlsx"), True, False),
    "compliance report": (compliance_report, True, False),
    "proposal handling list": (proposal_handling_list, True, False),
    "annual report for staff": (annual_report_for_staff, True, False),
    "public annual report": (public_annual_report, False, False),
    "public listing": (public_listing, False, False),
    "media download": (media_file("page.html", b"<script>alert(1)</script>"), False, False),
    "media image": (media_file("photo.png", png_bytes()), False, True),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_file_goes_out_with_the_same_headers(client, admin_client, name):
    view, private, inline = VIEWS[name]
    response = view(client, admin_client)
    assert response.status_code == 200
    headers = {
        header: response[header]
        for header in (
            "X-Content-Type-Options",
            "Content-Security-Policy",
            "Cross-Origin-Resource-Policy",
            "Referrer-Policy",
            "Cache-Control",
        )
    }
    assert headers == {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": CSP[inline],
        "Cross-Origin-Resource-Policy": "same-origin",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": PRIVATE_CACHE if private else "no-cache",
    }
    disposition = DISPOSITION.match(response["Content-Disposition"])
    assert disposition is not None, response["Content-Disposition"]
    assert disposition[1] == ("inline" if inline else "attachment")


@pytest.mark.parametrize(
    "name",
    [
        "public annual report",
        "public listing",
        "media download",
        "media image",
        "blank application form",
    ],
)
def test_a_304_keeps_the_files_headers(client, admin_client, name):
    """A 304 updates the headers a browser keeps: it must not swap the sandbox for a page's."""
    view, _private, inline = VIEWS[name]
    first = view(client, admin_client)
    if first.streaming:
        b"".join(first.streaming_content)
    validator = (
        {"HTTP_IF_NONE_MATCH": first["ETag"]}
        if "ETag" in first
        else {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]}
    )
    again = client.get(first.wsgi_request.get_full_path(), **validator)
    assert again.status_code == 304
    assert again["Content-Security-Policy"] == CSP[inline]
    assert again["X-Content-Type-Options"] == "nosniff"
    assert again["Referrer-Policy"] == "no-referrer"
    assert again["Cache-Control"] == "no-cache"
