"""The steps as services: validation, the audit trail, e-mails, and the final answer letter."""

from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from disclosure.applications import actions as application_actions
from disclosure.applications import services
from disclosure.applications.models import Application, Email, Letter
from portal.actors import SYSTEM
from portal.models import AuditEvent
from tests.disclosure.applications.helpers import give_information
from tests.factories import AgencyFactory, ApplicationFactory, published
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db


def png_bytes():
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG = png_bytes()


def online_application(agency, **extra):
    values = {
        "agency": agency,
        "channel": Application.Channel.ONLINE,
        "name": "欧阳娜娜",
        "id_type": Application.IdType.RESIDENT,
        "id_number": "11010519491231002X",
        "phone": "13512345678",
        "email": "ouyang@example.com",
        "address": "重庆市铜梁区东城街道1号",
        "info_title": "2026年区级财政预算执行情况",
        "description": "请提供2026年上半年区级一般公共预算执行情况。",
        "delivery": Application.Delivery.ONLINE,
        **extra,
    }
    return Application(**values)


def test_online_submission_to_final_answer_letter(django_capture_on_commit_callbacks, settings):
    settings.PORTAL_BASE_URL = "http://portal.example.gov.cn"
    agency = AgencyFactory(name="重庆市铜梁区财政局")
    with django_capture_on_commit_callbacks(execute=True):
        application, code = services.submit(
            online_application(agency), SimpleUploadedFile("sfz.png", PNG)
        )
    assert application.status == Application.Status.SUBMITTED
    assert application.received_on is None
    assert application.identity_file_type == "image/png"
    assert services.find_by_code(code, "5678") == application
    assert services.find_by_code(code.lower().replace("-", ""), "5678") == application
    assert services.find_by_code(code, "0000") is None
    # The applicant got the code by e-mail; the copy kept has it blanked.
    assert code in mail.outbox[0].body
    kept = Email.objects.get(application=application)
    assert kept.state == Email.State.SENT and code not in kept.body

    document = published(title="2026年上半年区级预算执行情况的报告", agency=agency)
    services.confirm_receipt(application, SYSTEM)
    letter = services.answer(
        application, SYSTEM, Application.Result.DISCLOSED, related_document=document
    )
    application.refresh_from_db()
    assert application.status == Application.Status.CLOSED
    assert application.closed_on == application.received_on == timezone.localdate()
    assert letter.is_final and letter.kind == Letter.Kind.ANSWER
    assert "重庆市铜梁区财政局" in letter.body
    assert document.title in letter.body
    assert f"http://portal.example.gov.cn{document.get_absolute_url()}" in letter.body
    assert "行政复议" in letter.body and "行政诉讼" in letter.body
    assert letter.final_sha256 == letter.content_digest()
    letter.body = "<p>改过的答复</p>"
    with pytest.raises(Exception, match="已定稿"):
        letter.save()
    with pytest.raises(services.ApplicationError, match="已定稿"):
        services.edit_letter(letter, SYSTEM, "标题", "<p>再改</p>")


def test_audit_events_name_the_application_by_number_only():
    agency = AgencyFactory()
    application, _ = services.submit(online_application(agency))
    events = AuditEvent.objects.filter(action=application_actions.APPLICATION)
    assert events.count() == 1
    text = str(list(events.values()))
    assert application.number in text
    for personal in ("欧阳娜娜", "11010519491231002X", "13512345678", "ouyang@example.com"):
        assert personal not in text


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"id_number": "110105194912310021"}, "id_number", "校验位错误"),
        ({"id_number": "1101051949"}, "id_number", "18位"),
        (
            {"applicant_type": Application.ApplicantType.BUSINESS, "credit_code": "91500000MA5U000000",
             "contact_person": "张三"},
            "credit_code",
            "校验位错误",
        ),
    ],
)  # fmt: skip
def test_a_wrong_number_is_refused_and_nothing_saved(changes, field, message):
    with pytest.raises(ValidationError) as caught:
        services.submit(online_application(AgencyFactory(), **changes))
    assert message in str(caught.value)
    assert not Application.objects.exists()


def test_an_identity_file_that_is_not_an_image_or_pdf_is_refused():
    upload = SimpleUploadedFile("sfz.png", b"MZ\x90\x00 this is a program")
    with pytest.raises(services.ApplicationError, match="JPG、PNG"):
        services.submit(online_application(AgencyFactory()), upload)
    assert not Application.objects.exists()


def test_a_failed_e_mail_is_recorded_and_the_step_stays(django_capture_on_commit_callbacks):
    with mock.patch(
        "disclosure.applications.services.send_mail", side_effect=OSError("connection refused")
    ):
        with django_capture_on_commit_callbacks(execute=True):
            application, _ = services.submit(online_application(AgencyFactory()))
    assert Application.objects.filter(pk=application.pk).exists()
    email = Email.objects.get(application=application)
    assert email.state == Email.State.FAILED and "connection refused" in email.error


def test_staff_register_in_person_with_the_day_handed_in():
    application = online_application(AgencyFactory(), channel=Application.Channel.IN_PERSON)
    with pytest.raises(services.ApplicationError, match="收到申请的日期"):
        services.submit(application)
    registered, _ = services.submit(
        online_application(AgencyFactory(), channel=Application.Channel.IN_PERSON),
        received_on=date(2026, 2, 28),
    )
    assert registered.status == Application.Status.IN_PROGRESS
    assert registered.received_on == date(2026, 2, 28)


def test_answer_needs_the_reason_of_its_result_and_names_the_responsible_agency():
    application = ApplicationFactory()
    with pytest.raises(services.ApplicationError, match="需要选择理由"):
        services.answer(application, SYSTEM, Application.Result.WITHHELD)
    with pytest.raises(services.ApplicationError, match="负责公开该信息的机关"):
        services.answer(
            application, SYSTEM, Application.Result.UNAVAILABLE, Application.Reason.NOT_HELD
        )
    letter = services.answer(
        application,
        SYSTEM,
        Application.Result.UNAVAILABLE,
        Application.Reason.NOT_HELD,
        responsible_agency="重庆市铜梁区住房和城乡建设委员会（电话023-45600000）",
    )
    assert "重庆市铜梁区住房和城乡建设委员会" in letter.body


def test_answer_refuses_to_link_an_unpublished_document():
    from tests.factories import DocumentFactory

    draft = DocumentFactory(title="未发布的文件")
    with pytest.raises(services.ApplicationError, match="尚未公开"):
        services.answer(
            ApplicationFactory(), SYSTEM, Application.Result.DISCLOSED, related_document=draft
        )


def test_fee_by_item_is_charged_only_beyond_ten_a_month():
    from disclosure.applications import fees

    assert [fees.item_price(n) for n in (1, 10, 11, 30, 31, 40, 41)] == [
        0,
        0,
        100,
        100,
        200,
        200,
        300,
    ]
    assert fees.page_fee(30) == 0
    assert fees.page_fee(31) == 10
    assert fees.page_fee(100) == 700
    assert fees.page_fee(150) == 700 + 50 * 20
    assert fees.page_fee(201) == 700 + 2000 + 40
    application = ApplicationFactory()
    with pytest.raises(services.ApplicationError, match="不收费"):
        services.notify_fee(application, SYSTEM, fees.Method.BY_ITEM)
    letter = services.notify_fee(application, SYSTEM, fees.Method.BY_PAGE, pages=45)
    application.refresh_from_db()
    assert application.fee_amount == 150
    assert application.status == Application.Status.FEE
    assert "150" in letter.body


def test_staff_register_only_for_their_own_agency_with_the_role():
    from disclosure.applications.roles import REQUESTS
    from portal.roles import EDITOR
    from tests.factories import StaffUserFactory

    own, other = AgencyFactory(), AgencyFactory()
    clerk = StaffUserFactory(role=REQUESTS, agencies=[own])
    editor = StaffUserFactory(role=EDITOR, agencies=[own])
    letter = Application.Channel.LETTER
    for user, agency in [(clerk, other), (editor, own)]:
        with pytest.raises(services.ApplicationError, match="不能为该机关登记"):
            services.submit(online_application(agency, channel=letter), user=user)
    assert not Application.objects.exists()
    registered, _ = services.submit(online_application(own, channel=letter), user=clerk)
    assert registered.status == Application.Status.SUBMITTED


def test_a_submission_that_fails_after_the_file_was_stored_leaves_no_file(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with mock.patch(
        "disclosure.applications.services._record", side_effect=RuntimeError("audit down")
    ):
        with pytest.raises(RuntimeError):
            services.submit(online_application(AgencyFactory()), SimpleUploadedFile("sfz.png", PNG))
    assert not Application.objects.exists()
    assert not [p for p in (tmp_path / "private").rglob("*") if p.is_file()]


def test_a_partial_answer_says_how_the_released_part_is_provided():
    application = ApplicationFactory(
        delivery=Application.Delivery.ONLINE, medium=Application.Medium.ELECTRONIC
    )
    give_information(application)
    letter = services.answer(
        application, SYSTEM, Application.Result.PARTIAL, withheld_note="第三方的商业秘密不予公开。"
    )
    assert "可以公开的部分按您在申请中选择的方式（电子，网上获取）提供" in letter.body
    assert "不予公开的部分及理由：第三方的商业秘密不予公开。" in letter.body
    assert "所申请的信息.pdf" in letter.body
    assert "用查询码查询并获取" in letter.body
    withheld = services.answer(
        ApplicationFactory(), SYSTEM, Application.Result.WITHHELD, Application.Reason.THIRD_PARTY
    )
    assert "选择的方式" not in withheld.body


def on_june_first():
    """Today is 2026-06-01 for the services and the clock."""
    return on_day(date(2026, 6, 1))


def received_long_ago():
    """An application received 2026-03-02, whose 20 working days ran out in March."""
    return ApplicationFactory(received_on=date(2026, 3, 2), email="")


@pytest.mark.parametrize(
    "day", [date(2026, 2, 27), date(2026, 6, 2)], ids=["before-receipt", "after-today"]
)
def test_a_consultation_is_dated_between_receipt_and_today(day):
    """A consultation dated before the application came in would stop a clock not yet running."""
    application = received_long_ago()
    with on_june_first():
        with pytest.raises(services.ApplicationError, match="日期"):
            services.start_consultation(application, SYSTEM, "third_party", "某公司", on=day)
        with pytest.raises(services.ApplicationError, match="日期"):
            services.notify_fee(application, SYSTEM, "page", 500, on=day)
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert not application.consultations.exists()


@pytest.mark.parametrize(
    "day", [date(2026, 2, 27), date(2026, 6, 2)], ids=["before-receipt", "after-today"]
)
def test_an_answer_is_dated_between_receipt_and_today(day):
    application = received_long_ago()
    with on_june_first():
        with pytest.raises(services.ApplicationError, match="日期"):
            services.answer(application, SYSTEM, Application.Result.DISCLOSED, on=day)
        with pytest.raises(services.ApplicationError, match="日期"):
            services.close_other(application, SYSTEM, "申请人撤回申请", on=day)
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert not application.letters.exists()


def test_a_letter_with_a_control_character_still_makes_a_word_file():
    import io

    from docx import Document as WordDocument

    from disclosure.applications.letter_docx import letter_docx

    application = ApplicationFactory()
    give_information(application)
    letter = services.answer(
        application,
        SYSTEM,
        Application.Result.DISCLOSED,
        title="政府信息公开申请答复书\x0b",
        body="<p>答复\x01正文</p>",
    )
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(letter_docx(letter))).paragraphs)
    assert "答复正文" in text and "政府信息公开申请答复书" in text
