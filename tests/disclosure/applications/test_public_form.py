"""The public application form: what it saves, and each refusal saving nothing."""

import re
from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disclosure.applications import actions as application_actions
from disclosure.applications import services
from disclosure.applications.models import Application, lookup_code_digest
from disclosure.applications.uploads import check_identity_file as real_check
from disclosure.applications.views import RECEIPT_SECONDS
from portal.models import AuditEvent
from tests.disclosure.applications.helpers import (
    VALID_CREDIT_CODE,
    VALID_ID,
    WRONG_CREDIT_CODE,
    WRONG_ID,
    files_under,
    organisation_data,
    pdf_upload,
    person_data,
    png_declaring,
    png_upload,
)

pytestmark = pytest.mark.django_db


def post(client, agency, data, upload):
    if upload is not None:
        data = {**data, "identity_file": upload}
    return client.post(reverse("applications:apply", args=[agency.pk]), data)


def receipt_code(client):
    page = client.get(reverse("applications:receipt")).content.decode()
    return re.search(r'class="lookup-code">([0-9A-Z-]+)<', page).group(1)


def assert_nothing_saved(settings):
    """No application, no file of one, no audit event. (An identity file accepted with a form
    that came back is kept for that browser's next try: see test_receipt_and_form.)"""
    assert not Application.objects.exists()
    kept = settings.PRIVATE_MEDIA_ROOT / "applications" / "kept-identity"
    assert [
        path for path in files_under(settings.PRIVATE_MEDIA_ROOT) if kept not in path.parents
    ] == []
    assert files_under(settings.MEDIA_ROOT) == []
    assert not AuditEvent.objects.filter(action=application_actions.APPLICATION).exists()


def test_a_person_application_is_saved_and_its_code_opens_the_status_page(
    client, agency, file_roots
):
    response = post(client, agency, person_data(), png_upload())
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:receipt")
    application = Application.objects.get()
    assert application.agency == agency
    assert application.channel == Application.Channel.ONLINE
    assert application.status == Application.Status.SUBMITTED
    assert application.applicant_type == "person"
    assert application.name == "李四"
    assert application.id_number == VALID_ID
    assert application.phone == "138 0000 5678"
    assert application.credit_code == ""
    assert application.identity_file_type == "image/png"
    assert application.identity_file_name == "身份证.png"

    code = receipt_code(client)
    assert application.lookup_digest == lookup_code_digest(code)
    status = client.post(reverse("applications:status"), {"code": code, "phone_tail": "5678"})
    page = status.content.decode()
    assert application.number in page and "待确认收到" in page
    assert VALID_ID not in page


def test_an_organisation_application_is_saved_with_a_pdf(client, agency, file_roots):
    data = organisation_data(person_name="不应保存的姓名", id_number="不相干")
    response = post(client, agency, data, pdf_upload())
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.applicant_type == "business"
    assert application.name == "重庆某某建材有限公司"
    assert application.credit_code == VALID_CREDIT_CODE
    assert application.legal_representative == "王五"
    assert application.contact_person == "赵六"
    assert application.address == "重庆市铜梁区东城街道工业园1号"
    assert application.delivery == "post" and application.medium == "paper"
    # The person fieldset's input is dropped.
    assert application.id_number == "" and application.id_type == ""
    assert application.identity_file_type == "application/pdf"
    code = receipt_code(client)
    status = client.post(reverse("applications:status"), {"code": code, "phone_tail": "8901"})
    assert application.number in status.content.decode()


def test_the_identity_file_is_kept_under_private_media_not_media(client, agency, file_roots):
    post(client, agency, person_data(), png_upload())
    application = Application.objects.get()
    stored = files_under(file_roots.PRIVATE_MEDIA_ROOT)
    assert len(stored) == 1
    assert stored[0] == file_roots.PRIVATE_MEDIA_ROOT / application.identity_file.name
    assert stored[0].read_bytes().startswith(b"\x89PNG")
    assert "身份证" not in str(stored[0])  # a random name, the original kept in the row
    assert files_under(file_roots.MEDIA_ROOT) == []


def test_the_receipt_shows_the_code_once(client, agency, file_roots):
    post(client, agency, person_data(), png_upload())
    first = client.get(reverse("applications:receipt"))
    assert first.status_code == 200 and "lookup-code" in first.content.decode()
    assert "no-store" in first["Cache-Control"] and "private" in first["Cache-Control"]
    again = client.get(reverse("applications:receipt"))
    assert "lookup-code" not in again.content.decode()
    assert "只显示一次" in again.content.decode()


def test_another_visitor_never_sees_the_receipt(client, agency, file_roots):
    post(client, agency, person_data(), png_upload())
    number = Application.objects.get().number
    stranger = Client().get(reverse("applications:receipt"))
    assert number not in stranger.content.decode()
    assert "lookup-code" not in stranger.content.decode()


def test_the_form_and_its_refusals_are_never_cached(client, agency, file_roots):
    page = client.get(reverse("applications:apply", args=[agency.pk]))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "public" not in page["Cache-Control"]
    refused = post(client, agency, person_data(id_number=WRONG_ID), png_upload())
    assert "no-store" in refused["Cache-Control"]


def test_the_form_page_shows_the_agency_contact_details(client, agency):
    page = client.get(reverse("applications:apply", args=[agency.pk])).content.decode()
    for text in (agency.name, agency.address, agency.office_hours, agency.phone, agency.email):
        assert text in page


def test_an_agency_that_does_not_accept_applications_has_no_form(client, agency):
    agency.accepts_applications = False
    agency.save()
    assert client.get(reverse("applications:apply", args=[agency.pk])).status_code == 404


@pytest.mark.parametrize(
    "data, upload, field, message",
    [
        (person_data(id_number=WRONG_ID), png_upload, "id_number", "校验位错误"),
        (organisation_data(credit_code=WRONG_CREDIT_CODE), pdf_upload, "credit_code", "校验"),
        (person_data(person_name=""), png_upload, "person_name", "请填写申请人姓名"),
        (person_data(description=""), png_upload, "description", "请描述所需信息的内容"),
        (person_data(delivery="email", person_email=""), png_upload, "person_email", "电子邮箱"),
        (person_data(), None, "identity_file", "请上传身份证明文件"),
    ],
    ids=["wrong-id-check-digit", "wrong-credit-code", "no-name", "no-description",
         "email-delivery-without-email", "no-identity-file"],
)  # fmt: skip
def test_an_invalid_form_is_refused_with_a_message_and_nothing_saved(
    client, agency, file_roots, data, upload, field, message
):
    response = post(client, agency, data, upload() if upload else None)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert message in response.content.decode()
    assert_nothing_saved(file_roots)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("身份证.png", "这其实是一段文字，不是图片。".encode()),
        SimpleUploadedFile("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
        SimpleUploadedFile("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ],
    ids=["text-named-png", "exe", "png-named-pdf"],
)
def test_a_file_that_is_not_an_image_or_pdf_is_refused(client, agency, file_roots, upload):
    response = post(client, agency, person_data(), upload)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["identity_file"])
    assert "只能上传 JPG、PNG 图片或 PDF 文件" in errors
    assert_nothing_saved(file_roots)


def test_an_identity_file_over_the_size_limit_is_refused(client, agency, file_roots):
    file_roots.APPLICATION_MAX_IDENTITY_BYTES = 1000
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2000)
    response = post(client, agency, person_data(), big)
    assert "身份证明文件过大" in response.content.decode()
    assert_nothing_saved(file_roots)


def test_a_filled_honeypot_is_refused_and_nothing_saved(client, agency, file_roots):
    response = post(client, agency, person_data(website="http://spam.example"), png_upload())
    assert response.status_code == 400
    assert "隐藏栏目被填写" in response.content.decode()
    assert_nothing_saved(file_roots)


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, agency):
    page = client.get(reverse("applications:apply", args=[agency.pk])).content.decode()
    trap = re.search(
        r'<div class="trap visually-hidden" aria-hidden="true">(.*?)</div>', page, re.S
    )
    assert trap is not None
    assert 'name="website"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1) and 'autocomplete="off"' in trap.group(1)


def test_a_burst_over_the_hourly_limit_is_refused(client, agency, file_roots):
    file_roots.APPLICATIONS_PER_HOUR = 2
    for _ in range(2):
        assert post(client, agency, person_data(), png_upload()).status_code == 302
    response = post(client, agency, person_data(), png_upload())
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Application.objects.count() == 2
    assert len(files_under(file_roots.PRIVATE_MEDIA_ROOT)) == 2
    # Another address is not affected.
    other = post(Client(REMOTE_ADDR="10.0.0.9"), agency, person_data(), png_upload())
    assert other.status_code == 302


def test_a_post_without_the_csrf_token_is_refused(agency, file_roots):
    client = Client(enforce_csrf_checks=True)
    response = post(client, agency, person_data(), png_upload())
    assert response.status_code == 403
    assert_nothing_saved(file_roots)


def test_without_javascript_both_fieldsets_show_with_their_legends(client, agency):
    page = client.get(reverse("applications:apply", args=[agency.pk])).content.decode()
    assert "申请人信息：自然人填写" in page and "申请人信息：法人或其他组织填写" in page
    assert " hidden" not in re.search(r'<fieldset class="applicant"[^>]*>', page).group(0)


def test_the_other_fieldsets_errors_do_not_count(client, agency, file_roots):
    # A person who typed rubbish into the organisation's fields (shown without JavaScript).
    data = person_data(credit_code="不是代码", org_email="not-an-email", org_phone="abc")
    assert post(client, agency, data, png_upload()).status_code == 302


def test_the_submission_is_mailed_with_the_code(client, agency, file_roots, mailoutbox,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        post(client, agency, person_data(), png_upload())
    code = receipt_code(client)
    assert len(mailoutbox) == 1
    assert code in mailoutbox[0].body and mailoutbox[0].to == ["lisi@example.com"]


def test_the_guide_lists_the_receiving_agencies_with_their_forms(client, agency):
    from tests.factories import AgencyFactory

    closed_office = AgencyFactory(name="不受理申请的机构", accepts_applications=False)
    page = client.get(reverse("applications:guide")).content.decode()
    assert agency.name in page and agency.address in page and agency.phone in page
    assert reverse("applications:apply", args=[agency.pk]) in page
    assert closed_office.name not in page
    for text in ("20 个工作日", "补正", "信息处理费", "行政复议", "行政诉讼"):
        assert text in page


def test_the_guide_is_in_the_navigation_and_linked_from_its_column(client, agency):
    from catalog.models import CatalogNode

    root = CatalogNode.objects.create(name="政务公开")
    column = CatalogNode.objects.create(name="依申请公开", slug="ysqgk", parent=root)
    guide = reverse("applications:guide")
    assert f'href="{guide}"' in client.get(reverse("home")).content.decode()
    column_page = client.get(column.get_absolute_url()).content.decode()
    assert f'href="{guide}"' in column_page.split('<main id="main"')[1]
    assert reverse("applications:status") in column_page


def test_the_guide_and_the_form_have_query_budgets(client, agency, django_assert_max_num_queries):
    from tests.factories import AgencyFactory

    AgencyFactory.create_batch(5)
    with django_assert_max_num_queries(3):
        client.get(reverse("applications:guide"))
    with django_assert_max_num_queries(3):
        client.get(reverse("applications:apply", args=[agency.pk]))


class ChunkCounter:
    """Counts the bytes Django's own upload handlers (memory and temporary file) receive."""

    def __init__(self, monkeypatch):
        from django.core.files import uploadhandler

        self.received = 0
        for handler in (
            uploadhandler.MemoryFileUploadHandler,
            uploadhandler.TemporaryFileUploadHandler,
        ):
            original = handler.receive_data_chunk

            def counting(this, raw_data, start, original=original):
                self.received += len(raw_data)
                return original(this, raw_data, start)

            monkeypatch.setattr(handler, "receive_data_chunk", counting)


def test_an_oversized_identity_file_is_not_read_into_memory_or_a_temporary_file(
    client, agency, file_roots, monkeypatch
):
    file_roots.APPLICATION_MAX_IDENTITY_BYTES = 100 * 1024
    counter = ChunkCounter(monkeypatch)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    response = post(client, agency, person_data(), big)
    assert response.status_code == 200
    assert "身份证明文件过大" in " ".join(response.context["form"].errors["identity_file"])
    # What was kept of the upload stops within a chunk (64 KB) of the limit.
    assert counter.received <= 100 * 1024 + 64 * 1024
    assert_nothing_saved(file_roots)


def test_only_the_identity_file_is_taken_from_the_upload(client, agency, file_roots, monkeypatch):
    counter = ChunkCounter(monkeypatch)
    extra = {f"other{n}": SimpleUploadedFile(f"x{n}.pdf", b"0" * 200_000) for n in range(5)}
    response = post(client, agency, {**person_data(), **extra}, png_upload())
    assert response.status_code == 302, response.context["form"].errors
    assert counter.received < 200_000
    assert len(files_under(file_roots.PRIVATE_MEDIA_ROOT)) == 1


def test_a_post_with_the_csrf_token_of_the_form_page_is_accepted(agency, file_roots):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("applications:apply", args=[agency.pk]))
    token = client.cookies["csrftoken"].value
    data = {**person_data(), "csrfmiddlewaretoken": token}
    assert post(client, agency, data, png_upload()).status_code == 302


def test_submissions_from_addresses_rotated_inside_one_ipv6_network_share_the_limit(
    agency, file_roots
):
    file_roots.APPLICATIONS_PER_HOUR = 2
    for n in range(2):
        client = Client(REMOTE_ADDR=f"2001:db8:7:8::{n + 1:x}")
        assert post(client, agency, person_data(), png_upload()).status_code == 302
    rotated = Client(REMOTE_ADDR="2001:db8:7:8:ffff:ffff:ffff:fffe")
    assert post(rotated, agency, person_data(), png_upload()).status_code == 429
    other_network = Client(REMOTE_ADDR="2001:db8:7:9::1")
    assert post(other_network, agency, person_data(), png_upload()).status_code == 302


def test_submissions_from_the_64s_of_one_48_share_four_times_the_limit(agency, file_roots):
    file_roots.APPLICATIONS_PER_HOUR = 1
    for n in range(4):
        client = Client(REMOTE_ADDR=f"2001:db8:7:{n + 10:x}::1")
        assert post(client, agency, person_data(), png_upload()).status_code == 302
    fifth = Client(REMOTE_ADDR="2001:db8:7:99::1")  # a /64 of its own, the /48's fifth
    assert post(fifth, agency, person_data(), png_upload()).status_code == 429
    assert (
        post(Client(REMOTE_ADDR="2001:db8:8::1"), agency, person_data(), png_upload()).status_code
        == 302
    )


def test_the_hourly_limit_survives_a_cache_flooded_with_pages(
    client, agency, file_roots, flood_caches
):
    file_roots.APPLICATIONS_PER_HOUR = 2
    for _ in range(2):
        assert post(client, agency, person_data(), png_upload()).status_code == 302
    flood_caches()
    assert post(client, agency, person_data(), png_upload()).status_code == 429
    assert Application.objects.count() == 2


@pytest.mark.parametrize("field", ["description", "person_name", "info_title", "person_address"])
def test_a_control_character_pasted_from_word_is_refused_by_the_form_at_no_cost(
    client, agency, file_roots, field
):
    file_roots.APPLICATIONS_PER_HOUR = 1
    data = person_data(**{field: "第一行\x0b第二行"})
    response = post(client, agency, data, png_upload())
    assert response.status_code == 200
    assert "U+000B" in " ".join(response.context["form"].errors[field])
    assert_nothing_saved(file_roots)
    assert post(client, agency, person_data(), png_upload()).status_code == 302


def test_an_image_declaring_more_pixels_than_pillow_opens_is_refused_by_the_form(
    client, agency, file_roots
):
    bomb = png_declaring(20_000, 10_000)  # 200 Mpx, past Pillow's DecompressionBombError
    response = post(client, agency, person_data(), bomb)
    assert response.status_code == 200
    assert response.context["form"].errors["identity_file"] == [
        "身份证明图片的像素过多（上限 8000 万像素），请缩小后重新上传。"
    ]
    assert_nothing_saved(file_roots)


@pytest.mark.parametrize("error", [IndexError("tile"), ZeroDivisionError(), ValueError("mode")])
def test_any_error_pillow_raises_on_the_identity_image_reads_as_damaged(
    client, agency, file_roots, monkeypatch, error
):
    def fails(self):
        raise error

    monkeypatch.setattr("PIL.PngImagePlugin.PngImageFile.verify", fails)
    response = post(client, agency, person_data(), png_upload())
    assert response.status_code == 200
    assert response.context["form"].errors["identity_file"] == ["身份证明图片已损坏，无法打开。"]
    assert_nothing_saved(file_roots)


def test_an_image_over_the_pixel_limit_is_refused_and_one_under_it_accepted(
    client, agency, file_roots
):
    response = post(client, agency, person_data(), png_declaring(9_500, 9_000))  # 85.5 Mpx
    assert "像素过多" in " ".join(response.context["form"].errors["identity_file"])
    assert post(client, agency, person_data(), png_upload()).status_code == 302


@pytest.mark.parametrize(
    "failure, status, message",
    [
        (RuntimeError("磁盘已满"), 500, None),
        (ValidationError({"name": ["姓名中有不能保存的字符。"]}), 400, "姓名中有不能保存的字符。"),
    ],
)
def test_a_submission_failing_after_its_slot_was_taken_gives_the_slot_back(
    agency, file_roots, monkeypatch, failure, status, message
):
    file_roots.APPLICATIONS_PER_HOUR = 1
    working = services.submit

    def failing(*args, **kwargs):
        raise failure

    monkeypatch.setattr(services, "submit", failing)
    client = Client(raise_request_exception=False)
    response = post(client, agency, person_data(), png_upload())
    assert response.status_code == status
    if message:
        assert message in response.content.decode()
    monkeypatch.setattr(services, "submit", working)
    assert post(client, agency, person_data(), png_upload()).status_code == 302


def session_rows_holding(text):
    return [row for row in Session.objects.all() if text in str(row.get_decoded())]


def test_a_session_id_planted_before_the_submission_cannot_read_the_receipt(
    agency, file_roots, settings
):
    planted = import_module(settings.SESSION_ENGINE).SessionStore()
    planted.create()  # the attacker's own session, whose id they got into the victim's browser
    victim, attacker = Client(), Client()
    for browser in (victim, attacker):
        browser.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert post(victim, agency, person_data(), png_upload()).status_code == 302
    assert victim.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    stolen = attacker.get(reverse("applications:receipt"))
    assert stolen.status_code == 404 and "lookup-code" not in stolen.content.decode()
    assert "lookup-code" in victim.get(reverse("applications:receipt")).content.decode()


def test_an_unopened_receipt_expires_and_leaves_the_session_table(client, agency, file_roots):
    post(client, agency, person_data(), png_upload())
    number = Application.objects.get().number
    assert client.session.get_expiry_age() == RECEIPT_SECONDS
    assert len(session_rows_holding(number)) == 1
    later = timezone.now() + timedelta(seconds=RECEIPT_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert client.get(reverse("applications:receipt")).status_code == 404
        # The next submission on the site clears expired sessions, the receipt's among them.
        post(Client(REMOTE_ADDR="10.0.0.9"), agency, person_data(), png_upload())
        assert session_rows_holding(number) == []


def test_an_opened_receipt_leaves_nothing_in_the_session_table(client, agency, file_roots):
    post(client, agency, person_data(), png_upload())
    number = Application.objects.get().number
    assert "lookup-code" in client.get(reverse("applications:receipt")).content.decode()
    assert session_rows_holding(number) == []
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()


def test_identity_files_are_checked_only_within_the_clients_checks_of_the_hour(
    client, agency, file_roots, monkeypatch
):
    from disclosure.applications import forms as forms_module
    from disclosure.applications import limits
    from portal.ratelimit import RateLimit

    monkeypatch.setattr(limits, "IDENTITY_CHECKS_PER_HOUR", 2)
    monkeypatch.setattr(limits, "IDENTITY_CHECKS", RateLimit("test:identity-check", 2, 3600))
    checked = []

    def counting_check(upload):
        checked.append(upload.name)
        return real_check(upload)

    monkeypatch.setattr(forms_module, "check_identity_file", counting_check)
    for _ in range(2):
        assert post(client, agency, person_data(), png_upload()).status_code == 302
    refused = post(client, agency, person_data(), png_upload())
    assert refused.status_code == 429
    assert "上传身份证明过于频繁：同一网络地址每小时最多检查 2 次" in refused.content.decode()
    assert len(checked) == 2  # the form checked two files; the third was never opened


def test_a_form_refused_as_a_bot_never_opens_its_identity_file(client, agency, monkeypatch):
    from disclosure.applications import forms as forms_module

    monkeypatch.setattr(
        forms_module, "check_identity_file", lambda upload: pytest.fail("identity file opened")
    )
    response = post(client, agency, person_data(website="http://spam.example"), png_upload())
    assert response.status_code == 400
    assert "隐藏栏目" in response.content.decode()
