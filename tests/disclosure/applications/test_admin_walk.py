"""One application through the admin, from the counter to the final answer letter."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as WordDocument

from disclosure.applications.clock import today
from disclosure.applications.letters import REMEDIES
from disclosure.applications.models import Application, Letter
from portal.models import AuditEvent
from tests.disclosure.applications.staff import png_bytes
from tests.factories import id_number_for

pytestmark = pytest.mark.django_db

REGISTER = {
    "channel": "in_person", "applicant_type": "person", "name": "李四", "id_type": "resident",
    "phone": "13912345678", "email": "", "address": "重庆市铜梁区巴川街道龙城大道8号",
    "postcode": "402560", "info_title": "2025年巴川街道老旧小区改造项目清单",
    "description": "项目名称、地址和投资额。", "medium": "paper", "delivery": "pickup",
}  # fmt: skip


def step(client, application, key, data=None):
    url = reverse("admin:applications_application_step", args=[application.pk, key])
    return client.post(url, data or {})


def register(client, world, **overrides):
    data = {
        **REGISTER,
        "agency": world["town"].pk,
        "id_number": id_number_for(7),
        "received_on": today().isoformat(),
        "identity_upload": SimpleUploadedFile("身份证.png", png_bytes(), "image/png"),
        **overrides,
    }
    return client.post(reverse("admin:applications_application_add"), data)


def test_in_person_application_walks_through_every_step_to_a_final_answer(client, world):
    client.force_login(world["handler"])
    response = register(client, world)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:applications_application_change", args=[application.pk])
    assert application.status == Application.Status.IN_PROGRESS
    assert application.received_on == today()
    assert application.identity_file_name == "身份证.png"
    page = client.get(response.url)
    assert "查询码" in "".join(str(m) for m in page.context["messages"])
    assert [s.key for s in page.context["steps"]] == [
        "supplement", "consult", "extend", "fee", "answer", "close",
    ]  # fmt: skip

    due = (today() + timedelta(days=10)).isoformat()
    response = step(
        client, application, "supplement", {"text": "请写明所需信息的年份。", "due_on": due}
    )
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT
    supplement_letter = application.letters.get(kind=Letter.Kind.SUPPLEMENT)
    assert response.url == supplement_letter.get_absolute_url()
    assert not supplement_letter.is_final

    refused = step(client, application, "supplemented", {"on": today().isoformat()})
    assert refused.status_code == 200 and "这个字段是必填项" in str(
        refused.context["form"]["supplied"].errors
    )
    step(client, application, "supplemented", {
        "on": today().isoformat(), "supplied": "补正：所需信息为2025年巴川街道老旧小区改造项目清单。",
    })  # fmt: skip
    application.refresh_from_db()
    assert application.supplement_reply == "补正：所需信息为2025年巴川街道老旧小区改造项目清单。"
    step(client, application, "consult", {"party_kind": "third_party", "party": "某建设公司"})
    application.refresh_from_db()
    assert application.status == Application.Status.CONSULTING
    step(client, application, "consulted", {"opinion": "不同意公开投资明细。"})
    step(client, application, "extend", {"days": 15, "reason": "需要协调多个部门。",
                                          "approved_by": "办公室主任 王五"})  # fmt: skip
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert application.extension_days == 15
    assert application.consultations.get().opinion == "不同意公开投资明细。"

    # The answer: the letter is composed and shown first; nothing closes yet.
    withheld = "投资明细涉及第三方商业秘密，不予公开。"
    preview = step(client, application, "answer", {"result": "partial", "withheld_note": withheld})
    assert preview.status_code == 200
    body = preview.context["form"]["letter_body"].value()
    assert "第三十七条" in body and REMEDIES in body
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert not application.letters.filter(kind=Letter.Kind.ANSWER).exists()

    edited = body.replace(
        "现向您提供可以公开的部分。", "现向您提供可以公开的部分（项目名称和地址）。"
    )
    response = step(client, application, "answer", {
        "result": "partial", "withheld_note": withheld,
        "letter_title": "政府信息公开申请答复书", "letter_body": edited,
        "basis": preview.context["form"]["basis"].value(), "_confirm": "1",
    })  # fmt: skip
    application.refresh_from_db()
    assert application.status == Application.Status.CLOSED
    assert application.result == Application.Result.PARTIAL
    answer = application.letters.get(kind=Letter.Kind.ANSWER)
    assert response.url == answer.get_absolute_url()
    assert answer.is_final and "（项目名称和地址）" in answer.body
    assert answer.final_sha256 == answer.content_digest()

    docx = client.get(
        reverse("admin:applications_application_letter_docx", args=[application.pk, answer.pk])
    )
    assert docx["Content-Disposition"].startswith("attachment;")
    word = WordDocument(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "巴川街道办事处" in text and REMEDIES in text and "（项目名称和地址）" in text
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, details__what="application_letter"
    ).exists()

    handling = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    steps = [row["label"] for row in handling.context["history"]]
    assert steps == ["登记申请", "告知补正", "收到补正", "征求意见", "登记意见", "延期答复", "答复"]
    assert list(handling.context["steps"]) == []  # closed: no step is offered


def test_letter_received_by_post_needs_its_day_and_fax_waits_for_confirmation(client, world):
    client.force_login(world["handler"])
    response = register(client, world, channel="post", received_on="")
    assert response.status_code == 200
    assert "received_on" in response.context["adminform"].form.errors
    register(client, world, channel="fax", received_on="")
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED and application.received_on is None
    step(client, application, "confirm", {"on": today().isoformat()})
    application.refresh_from_db()
    assert application.received_on == today()


def test_registration_checks_the_id_number_and_the_credit_code_like_the_public_form(client, world):
    client.force_login(world["handler"])
    bad_id = id_number_for(7)[:-1] + ("0" if id_number_for(7)[-1] != "0" else "1")
    response = register(client, world, id_number=bad_id)
    assert "校验位" in str(response.context["adminform"].form.errors["id_number"])
    response = register(
        client, world, applicant_type="business", name="某公司", credit_code="91500224MA5U000001",
        contact_person="赵六",
    )  # fmt: skip
    assert "统一社会信用代码" in str(response.context["adminform"].form.errors["credit_code"])
    response = register(client, world, channel="online")
    assert "channel" in response.context["adminform"].form.errors
    response = register(
        client, world,
        identity_upload=SimpleUploadedFile("身份证.png", b"<html>not an image</html>", "image/png"),
    )  # fmt: skip
    assert "identity_upload" in response.context["adminform"].form.errors
    assert not Application.objects.exists()


def test_a_refused_step_is_a_message_and_changes_nothing(client, world):
    client.force_login(world["handler"])
    register(client, world)
    application = Application.objects.get()
    response = step(
        client, application, "extend", {"days": 25, "reason": "x", "approved_by": "王五"}
    )
    assert response.status_code == 200  # the form says 1-20
    response = step(client, application, "supplement", {
        "text": "补充", "due_on": (today() - timedelta(days=1)).isoformat(),
    })  # fmt: skip
    assert response.status_code == 200
    assert "晚于今天的补正期限" in "".join(str(m) for m in response.context["messages"])
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert not application.letters.exists()
    # A step the application is not in the state for goes back with a message.
    response = step(client, application, "paid")
    assert response.status_code == 302
    assert application.letters.count() == 0


def test_answer_reasons_must_belong_to_the_result(client, world):
    client.force_login(world["handler"])
    register(client, world)
    application = Application.objects.get()
    response = step(client, application, "answer", {"result": "withheld", "reason": "repeated"})
    assert response.status_code == 200
    assert "需要选择理由" in str(response.context["form"].non_field_errors())
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS


def test_the_message_after_a_step_names_the_step_and_the_state_now(client, world):
    client.force_login(world["handler"])
    register(client, world)
    application = Application.objects.get()
    step(client, application, "consult", {"party_kind": "third_party", "party": "某建设公司"})
    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    shown = [str(m) for m in page.context["messages"]]
    # Not "征求意见完成": the consultation has only begun.
    assert shown[-1].startswith(
        f"申请 {application.number}：已办理“征求意见”，当前状态：征求意见中。"
    )


def test_the_register_form_starts_as_a_counter_application_received_today(client, world):
    client.force_login(world["handler"])
    form = client.get(reverse("admin:applications_application_add")).context["adminform"].form
    assert form["channel"].value() == "in_person"
    assert form["received_on"].value() == today()
    assert form["id_type"].value() == Application.IdType.RESIDENT
