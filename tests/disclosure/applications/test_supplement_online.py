"""补正 online: the applicant who looked the application up answers the notice on the status page
(text and a file); the clock runs again from that day, and the answer letter says what was
supplied. Staff record a supplement received otherwise with what it said."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from disclosure.applications import services
from disclosure.applications.clock import clock, today
from disclosure.applications.models import Application, lookup_code_digest, new_lookup_code
from portal.actors import SYSTEM
from portal.models import AuditEvent
from tests.disclosure.applications.helpers import give_information, pdf_upload
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

STATUS = "/ysqgk/status/"


@pytest.fixture
def waiting():
    """An application whose 补正 was asked for today, due in 15 days, and its 查询码."""
    code = new_lookup_code()
    application = ApplicationFactory(
        lookup_digest=lookup_code_digest(code),
        delivery=Application.Delivery.ONLINE,
        received_on=today(),
    )
    services.request_supplement(
        application, SYSTEM, "请写明所需信息的年份。", today() + timedelta(days=15)
    )
    return application, code


def looked_up(code):
    client = Client()
    client.post(STATUS, {"code": code, "phone_tail": "1234"})
    return client


def test_the_status_page_offers_the_supplement_and_the_other_ways(waiting):
    application, code = waiting
    page = Client().post(STATUS, {"code": code, "phone_tail": "1234"}).content.decode()
    assert "提交补正" in page
    assert reverse("applications:supplement", args=[application.pk]) in page
    assert "也可以把补正材料邮寄或当面交给受理机关" in page


def test_the_applicant_supplements_online_and_the_clock_restarts(waiting):
    application, code = waiting
    client = looked_up(code)
    url = reverse("applications:supplement", args=[application.pk])
    page = client.post(
        url, {"supplied": "所需信息为2025年度的项目清单。", "supplement_file": pdf_upload()}
    )
    assert page.status_code == 200
    assert "补正已提交" in page.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert application.supplement_received_on == today()
    assert application.supplement_reply == "所需信息为2025年度的项目清单。"
    assert application.supplement_file_name == "营业执照.pdf"
    assert clock(application).due_on > today()
    event = AuditEvent.objects.filter(details__step="supplemented").get()
    assert event.actor_name == "申请人（凭查询码）"

    give_information(application)
    letter = services.answer(application, SYSTEM, Application.Result.DISCLOSED)
    assert "补正：所需信息为2025年度的项目清单。" in letter.body


def test_nobody_supplements_without_the_lookup_and_nothing_changes(waiting):
    application, _code = waiting
    url = reverse("applications:supplement", args=[application.pk])
    response = Client().post(url, {"supplied": "冒充的补正"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT and not application.supplement_reply


def test_an_empty_supplement_or_a_disguised_file_is_refused(waiting):
    application, code = waiting
    client = looked_up(code)
    url = reverse("applications:supplement", args=[application.pk])
    empty = client.post(url, {"supplied": "  "})
    assert empty.status_code == 400 and "请填写补正的内容" in empty.content.decode()
    fake = SimpleUploadedFile("材料.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    refused = client.post(url, {"supplied": "补正", "supplement_file": fake})
    assert refused.status_code == 400 and "内容与扩展名不符" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT


def test_after_the_deadline_the_applicant_is_told_to_contact_the_office(waiting):
    application, code = waiting
    Application.objects.filter(pk=application.pk).update(supplement_due_on=today() - timedelta(1))
    client = looked_up(code)
    response = client.post(
        reverse("applications:supplement", args=[application.pk]), {"supplied": "补正"}
    )
    assert response.status_code == 400 and "补正期限" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT


def test_the_clerk_sees_what_was_supplemented_and_opens_its_file(client, waiting, world):
    application, code = waiting
    from disclosure.applications.models import Application as Model

    Model.objects.filter(pk=application.pk).update(agency=world["office"])
    looked_up(code).post(
        reverse("applications:supplement", args=[application.pk]),
        {"supplied": "所需信息为2025年度的项目清单。", "supplement_file": pdf_upload("补正.pdf")},
    )
    client.force_login(world["handler"])
    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    html = page.content.decode()
    assert "所需信息为2025年度的项目清单。" in html and "下载 补正.pdf" in html
    url = reverse("admin:applications_application_supplement_file", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(details__what="supplement_file").count() == 1
    client.force_login(world["other_handler"])
    assert client.get(url).status_code == 404


def test_a_control_character_pasted_from_word_is_refused_and_nothing_changes(waiting):
    application, code = waiting
    client = looked_up(code)
    url = reverse("applications:supplement", args=[application.pk])
    refused = client.post(url, {"supplied": "所需信息为\x0b2025年度的项目清单。"})
    assert refused.status_code == 400
    assert "不能包含不可见的控制字符（U+000B）" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT and not application.supplement_reply


def test_a_post_without_the_csrf_token_is_refused(waiting, settings):
    application, code = waiting
    client = Client(enforce_csrf_checks=True)
    page = client.post(STATUS, {"code": code, "phone_tail": "1234"})
    assert page.status_code == 403  # the lookup itself asks for the token
    token = client.get(STATUS).context["csrf_token"]
    client.post(STATUS, {"code": code, "phone_tail": "1234", "csrfmiddlewaretoken": token})
    url = reverse("applications:supplement", args=[application.pk])
    forged = client.post(url, {"supplied": "伪造的补正", "supplement_file": pdf_upload()})
    assert forged.status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT and not application.supplement_reply
    sent = client.post(url, {"supplied": "补正", "csrfmiddlewaretoken": token})
    assert sent.status_code == 200


def zip_upload(name, members):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


@pytest.mark.parametrize(
    "upload",
    [
        # A page that, opened from the clerk's disk, asks for their password.
        lambda: zip_upload("补正材料.zip", {"登录.html": "<form action='https://x.example'>"}),
        # An old Word or Excel file may carry macros.
        lambda: SimpleUploadedFile("补正.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        lambda: SimpleUploadedFile("补正.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
    ],
    ids=["zip", "doc", "xls"],
)
def test_the_applicant_supplements_only_with_what_the_form_says(waiting, upload):
    application, code = waiting
    client = looked_up(code)
    url = reverse("applications:supplement", args=[application.pk])
    refused = client.post(url, {"supplied": "补正", "supplement_file": upload()})
    assert refused.status_code == 400
    assert "补正材料只能上传 PDF、Word（.docx）文件或 JPG、PNG 图片" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT and not application.supplement_file


def test_a_file_over_the_limit_is_refused_and_not_kept(waiting, settings):
    application, code = waiting
    settings.APPLICATION_MAX_IDENTITY_BYTES = 1000
    client = looked_up(code)
    big = SimpleUploadedFile(
        "补正.pdf", b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf"
    )
    refused = client.post(
        reverse("applications:supplement", args=[application.pk]),
        {"supplied": "补正", "supplement_file": big},
    )
    assert refused.status_code == 400 and "补正材料超过" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT and not application.supplement_file


def test_a_closed_application_takes_no_supplement(waiting):
    application, code = waiting
    client = looked_up(code)
    services.close_other(application, SYSTEM, "申请人撤回申请")
    refused = client.post(
        reverse("applications:supplement", args=[application.pk]),
        {"supplied": "补正", "supplement_file": pdf_upload()},
    )
    assert refused.status_code == 400 and "这件申请目前不需要补正" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.CLOSED
    assert not application.supplement_reply and not application.supplement_file
