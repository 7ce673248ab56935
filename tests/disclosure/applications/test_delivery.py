"""网上获取: what an answer gives the applicant is attached in the answer step and served, on the
status page, only to the browser that looked the application up with its 查询码, each download
audited; 部分公开 says what was withheld and why."""

from datetime import date, timedelta
from importlib import import_module

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disclosure.applications import services
from disclosure.applications.clock import today
from disclosure.applications.models import (
    Application,
    ReleasedFile,
)
from disclosure.applications.views import FILES_SECONDS
from portal.actors import SYSTEM
from portal.models import AuditEvent
from tests.disclosure.applications.helpers import give_information, pdf_upload, with_lookup_code

pytestmark = pytest.mark.django_db

STATUS = "/ysqgk/status/"


def online(**kwargs):
    return with_lookup_code(received_on=date(2026, 6, 1), **kwargs)


def look_up(client, code):
    return client.post(STATUS, {"code": code, "phone_tail": "1234"})


def test_information_granted_online_cannot_be_answered_without_it():
    application, _code = online()
    with pytest.raises(services.ApplicationError, match="请上传提供给申请人的信息文件"):
        services.answer(application, SYSTEM, Application.Result.DISCLOSED)
    with pytest.raises(services.ApplicationError, match="不予公开的部分及其理由"):
        services.answer(application, SYSTEM, Application.Result.PARTIAL)
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert not application.letters.exists()


def test_the_applicant_downloads_what_was_given_after_looking_it_up():
    application, code = online()
    give_information(application, "2025年项目清单.pdf")
    services.answer(
        application, SYSTEM, Application.Result.PARTIAL, withheld_note="投资明细涉及商业秘密。"
    )
    released = application.released_files.get()
    applicant, stranger = Client(), Client()
    url = reverse("applications:released-file", args=[released.pk])

    # Nobody gets it without the lookup, not even with the file's address.
    refused = stranger.get(url)
    assert refused.status_code == 403
    assert "请输入查询码" in refused.content.decode()

    page = look_up(applicant, code).content.decode()
    assert "提供给您的信息" in page and "2025年项目清单.pdf" in page
    assert "不予公开的部分及理由" in page and "投资明细涉及商业秘密。" in page
    assert url in page

    response = applicant.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    event = AuditEvent.objects.filter(details__step="released_download").get()
    assert (event.actor_id, event.actor_name) == (None, "申请人（凭查询码）")
    assert event.details["file"] == "2025年项目清单.pdf"
    assert stranger.get(url).status_code == 403


def test_a_lookup_opens_only_its_own_applications_files():
    mine, my_code = online()
    theirs, _their_code = online(phone="13800009999")
    give_information(theirs)
    services.answer(theirs, SYSTEM, Application.Result.DISCLOSED)
    client = Client()
    look_up(client, my_code)
    other = theirs.released_files.get()
    assert client.get(reverse("applications:released-file", args=[other.pk])).status_code == 403


def test_files_wait_for_the_answer_and_letters_are_downloadable(client):
    application, code = online()
    Application.objects.filter(pk=application.pk).update(received_on=today())
    give_information(application)
    notice = services.request_supplement(
        application, SYSTEM, "请写明所需信息的年份。", today() + timedelta(days=15)
    )
    services.finalise_letter(notice, SYSTEM)
    look_up(client, code)
    released = application.released_files.get()
    # Not answered yet: the prepared file is not the applicant's.
    assert client.get(reverse("applications:released-file", args=[released.pk])).status_code == 404
    response = client.get(reverse("applications:status-letter", args=[notice.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content[:2] == b"PK"  # a Word file


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_kept():
    application, _code = online()
    fake = SimpleUploadedFile("清单.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(services.ApplicationError, match="内容与扩展名不符"):
        services.add_released_files(application, SYSTEM, [pdf_upload(), fake])
    assert not ReleasedFile.objects.exists()


def test_files_can_be_taken_back_before_the_answer_but_not_after():
    application, _code = online()
    (first,) = give_information(application)
    services.remove_released_file(first, SYSTEM)
    assert not application.released_files.exists()
    (second,) = give_information(application)
    services.answer(application, SYSTEM, Application.Result.DISCLOSED)
    with pytest.raises(services.ApplicationError, match="已办结"):
        services.remove_released_file(second, SYSTEM)
    assert application.released_files.count() == 1


def test_the_clerk_attaches_the_files_in_the_answer_step(client, world):
    from tests.disclosure.applications.test_admin_walk import register

    client.force_login(world["handler"])
    register(client, world, delivery="online", medium="electronic")
    application = Application.objects.get()
    url = reverse("admin:applications_application_step", args=[application.pk, "answer"])

    missing = client.post(url, {"result": "disclosed"})
    assert "请上传提供给申请人的信息文件" in str(missing.context["form"].non_field_errors())

    preview = client.post(url, {"result": "disclosed", "files": [pdf_upload("清单一.pdf")]})
    assert preview.status_code == 200
    body = preview.context["form"]["letter_body"].value()
    assert "随本答复书提供以下信息" in body and "清单一.pdf" in body
    assert [f.name for f in preview.context["released"]] == ["清单一.pdf"]

    # Confirmed without choosing the file again: it was kept at the preview.
    client.post(url, {
        "result": "disclosed", "letter_title": "政府信息公开申请答复书", "letter_body": body,
        "basis": preview.context["form"]["basis"].value(), "_confirm": "1",
    })  # fmt: skip
    application.refresh_from_db()
    assert application.status == Application.Status.CLOSED
    assert list(application.released_files.values_list("name", flat=True)) == ["清单一.pdf"]
    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert "清单一.pdf" in page.content.decode()


def test_a_session_id_planted_before_the_lookup_opens_nothing_to_whoever_planted_it(settings):
    application, code = online()
    give_information(application)
    services.answer(application, SYSTEM, Application.Result.DISCLOSED)
    planted = import_module(settings.SESSION_ENGINE).SessionStore()
    planted.create()  # the attacker's own session, whose id they got into the applicant's browser
    applicant, attacker = Client(), Client()
    for browser in (applicant, attacker):
        browser.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert look_up(applicant, code).status_code == 200
    assert applicant.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    urls = [
        reverse("applications:released-file", args=[application.released_files.get().pk]),
        reverse("applications:status-letter", args=[application.letters.get().pk]),
    ]
    assert [attacker.get(url).status_code for url in urls] == [403, 403]
    assert not AuditEvent.objects.filter(details__step="released_download").exists()
    assert [applicant.get(url).status_code for url in urls] == [200, 200]


def test_the_letter_asking_a_third_party_is_not_the_applicants(client):
    application, code = online()
    Application.objects.filter(pk=application.pk).update(received_on=today())
    application.refresh_from_db()
    consulting = services.start_consultation(
        application, SYSTEM, "third_party", "重庆某某置业有限公司（法定代表人张某某）"
    )
    services.finalise_letter(consulting, SYSTEM)
    page = look_up(client, code).content.decode()
    assert "正在征求第三方或其他机关的意见" in page
    assert "征求意见函" not in page and "重庆某某置业有限公司" not in page
    url = reverse("applications:status-letter", args=[consulting.pk])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(details__step="released_download").exists()


def test_the_lookup_opens_the_files_for_thirty_minutes_however_the_session_lives_on(client):
    application, code = online()
    give_information(application)
    services.answer(application, SYSTEM, Application.Result.DISCLOSED)
    url = reverse("applications:released-file", args=[application.released_files.get().pk])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        look_up(client, code)
    with time_machine.travel(start + timedelta(seconds=FILES_SECONDS - 60), tick=False):
        assert client.get(url).status_code == 200  # and the session's expiry slides on
    with time_machine.travel(start + timedelta(seconds=FILES_SECONDS + 1), tick=False):
        assert client.get(url).status_code == 403
        look_up(client, code)
        assert client.get(url).status_code == 200


def test_a_lookup_sends_no_supplement_for_another_application():
    _mine, my_code = online()
    theirs, _code = online(phone="13800009999")
    Application.objects.update(received_on=today())
    for application in Application.objects.all():
        services.request_supplement(application, SYSTEM, "请写明年份。", today() + timedelta(15))
    client = Client()
    look_up(client, my_code)
    response = client.post(
        reverse("applications:supplement", args=[theirs.pk]), {"supplied": "冒充的补正"}
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == Application.Status.SUPPLEMENT and not theirs.supplement_reply


def test_downloads_are_bounded_per_client_and_hour(client, monkeypatch):
    """Each download builds or reads a file and writes an audit event under the log's one lock:
    a holder of a right 查询码, who may look it up again at will, has a share of the hour."""
    from disclosure.applications import limits
    from portal.ratelimit import RateLimit

    monkeypatch.setattr(limits, "DOWNLOADS_PER_HOUR", 2)
    monkeypatch.setattr(limits, "DOWNLOADS", RateLimit("test:download", 2, 3600))
    application, code = online()
    give_information(application)
    services.answer(application, SYSTEM, Application.Result.DISCLOSED)
    look_up(client, code)
    urls = [
        reverse("applications:released-file", args=[application.released_files.get().pk]),
        reverse("applications:status-letter", args=[application.letters.get().pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200]
    refused = client.get(urls[1])
    assert refused.status_code == 429
    assert "下载过于频繁：同一网络地址每小时最多下载 2 次" in refused.content.decode()
    assert AuditEvent.objects.filter(details__step="released_download").count() == 2
    # Another client's share is its own.
    other = Client(REMOTE_ADDR="10.9.9.9")
    look_up(other, code)
    assert other.get(urls[0]).status_code == 200
