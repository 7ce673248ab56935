"""What an applicant keeps: a printable receipt that repeats what was asked, when, of whom, the
number, the 查询码 and the due date; and the blank 申请表 for post and in-person applications."""

import io
from importlib import import_module

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document as WordDocument

from disclosure.applications.clock import today
from disclosure.applications.letters import date_text
from disclosure.applications.models import ANSWER_DAYS, Application
from portal.workdays import add_working_days
from tests.disclosure.applications.helpers import person_data, png_upload

pytestmark = pytest.mark.django_db


def test_the_receipt_repeats_the_request_and_says_when_the_answer_is_due(
    client, agency, file_roots
):
    response = client.post(
        reverse("applications:apply", args=[agency.pk]),
        {**person_data(), "identity_file": png_upload()},
    )
    assert response.status_code == 302
    application = Application.objects.get()
    page = client.get(reverse("applications:receipt")).content.decode()
    assert application.number in page and agency.name in page
    assert application.info_title in page
    assert date_text(today()) in page  # 提交时间
    due = add_working_days(add_working_days(today(), 1), ANSWER_DAYS)
    assert f"{date_text(due)}前" in page
    assert 'class="js-print" hidden>打印回执' in page
    assert "js/document.js" in page


def test_the_blank_form_is_a_word_file_with_the_online_forms_questions(client):
    guide = client.get(reverse("applications:guide")).content.decode()
    url = reverse("applications:application-form")
    assert url in guide
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    word = WordDocument(io.BytesIO(response.content))
    text = "\n".join(p.text for p in word.paragraphs)
    cells = {cell.text for table in word.tables for row in table.rows for cell in row.cells}
    assert "政府信息公开申请表" in text and "申请人签名或者盖章" in text
    assert {"姓名", "证件号码", "统一社会信用代码", "所需信息的内容描述", "获取方式"} <= cells
    assert any("□网上获取" in cell for cell in cells)


def test_an_accepted_identity_file_is_kept_when_the_form_comes_back(client, agency, file_roots):
    url = reverse("applications:apply", args=[agency.pk])
    first = client.post(url, {**person_data(info_title=""), "identity_file": png_upload()})
    assert first.status_code == 200 and not Application.objects.exists()
    page = first.content.decode()
    assert 'id="kept-identity"' in page and "身份证.png" in page
    # Sent again without choosing the file: the kept one is the application's proof.
    again = client.post(url, person_data())
    assert again.status_code == 302
    application = Application.objects.get()
    assert application.identity_file_name == "身份证.png"
    assert application.identity_file.open("rb").read(4) == b"\x89PNG"
    kept = list((file_roots.PRIVATE_MEDIA_ROOT / "applications" / "kept-identity").iterdir())
    assert kept == []  # the kept copy is gone once submitted


def test_a_kept_file_is_this_browsers_only(client, agency, file_roots):
    url = reverse("applications:apply", args=[agency.pk])
    client.post(url, {**person_data(info_title=""), "identity_file": png_upload()})
    stranger = Client().post(url, person_data())
    assert stranger.status_code == 200
    assert "请上传身份证明文件" in stranger.content.decode()
    assert not Application.objects.exists()


def test_the_purge_sweeps_proofs_kept_for_forms_never_sent_again(client, agency, file_roots):
    import os
    import time

    from disclosure.applications.privacy import purge_personal_data
    from portal.private_uploads import KEEP_SECONDS

    url = reverse("applications:apply", args=[agency.pk])
    client.post(url, {**person_data(info_title=""), "identity_file": png_upload()})
    folder = file_roots.PRIVATE_MEDIA_ROOT / "applications" / "kept-identity"
    (kept,) = folder.iterdir()
    purge_personal_data(3)
    assert kept.exists()  # not a day old yet
    old = time.time() - KEEP_SECONDS - 60
    os.utime(kept, (old, old))
    purge_personal_data(3)
    assert not kept.exists()


def test_a_session_id_planted_before_the_form_keeps_nothing_for_whoever_planted_it(
    agency, file_roots, settings
):
    planted = import_module(settings.SESSION_ENGINE).SessionStore()
    planted.create()  # the attacker's own session, whose id they got into the applicant's browser
    applicant, attacker = Client(), Client()
    for browser in (applicant, attacker):
        browser.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    url = reverse("applications:apply", args=[agency.pk])
    applicant.post(url, {**person_data(info_title=""), "identity_file": png_upload()})
    assert applicant.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    # The applicant's proof of identity is not the attacker's to send with their own form.
    stolen = attacker.post(url, person_data(person_name="王五"))
    assert stolen.status_code == 200
    page = stolen.content.decode()
    assert "请上传身份证明文件" in page and "身份证.png" not in page
    assert not Application.objects.exists()


def test_proofs_kept_for_forms_that_came_back_are_bounded_in_number(agency, file_roots, settings):
    settings.APPLICATION_KEPT_IDENTITY_FILES = 2
    url = reverse("applications:apply", args=[agency.pk])
    folder = file_roots.PRIVATE_MEDIA_ROOT / "applications" / "kept-identity"
    pages = []
    for n in range(3):  # each a browser of its own: a session, so a file, each
        browser = Client(REMOTE_ADDR=f"10.0.{n}.1")
        response = browser.post(url, {**person_data(info_title=""), "identity_file": png_upload()})
        assert response.status_code == 200
        pages.append(response.content.decode())
    assert len(list(folder.iterdir())) == 2
    assert ['id="kept-identity"' in page for page in pages] == [True, True, False]
    # The third applicant is asked to choose the file again, as before there was any keeping.
    assert "请上传身份证明文件" not in pages[2] and "所需信息的名称" in pages[2]


def test_the_blank_form_is_built_once_however_its_address_is_spelled(client, monkeypatch):
    from disclosure.applications import form_docx

    built = []
    real = form_docx.WordDocument
    monkeypatch.setattr(form_docx, "WordDocument", lambda: built.append(1) or real())
    url = reverse("applications:application-form")
    # Made-up queries are never kept in the page cache: each would build the file again.
    bodies = {client.get(url, {"n": n}).content for n in range(3)}
    assert len(bodies) == 1 and len(built) <= 1


def test_a_proof_kept_for_one_agencys_form_is_not_sent_to_another(client, agency, file_roots):
    from tests.factories import AgencyFactory

    other = AgencyFactory(name="铜梁区财政局", accepts_applications=True)
    first = reverse("applications:apply", args=[agency.pk])
    client.post(first, {**person_data(info_title=""), "identity_file": png_upload()})
    response = client.post(reverse("applications:apply", args=[other.pk]), person_data())
    assert response.status_code == 200
    assert "请上传身份证明文件" in response.content.decode()
    assert not Application.objects.exists()
