"""Who opens an application in the admin: 依申请办理 staff of the receiving agency, nobody else."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from disclosure.applications import actions as application_actions
from disclosure.applications import services
from disclosure.applications.models import Application, Letter, ReleasedFile
from portal.models import AuditEvent
from tests.disclosure.applications.staff import png_bytes
from tests.factories import AgencyFactory, ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(world):
    application = ApplicationFactory(
        agency=world["town"], name="李四", received_on=services.today()
    )
    application.identity_file.save("id.png", ContentFile(png_bytes()), save=False)
    application.identity_file_name = "身份证.png"
    application.identity_file_type = "image/png"
    application.save()
    services.request_supplement(
        application, world["handler"], "请写明年份。", services.today().replace(year=2099)
    )
    application.refresh_from_db()
    # A file prepared for the answer, and one the applicant supplemented with.
    ReleasedFile.objects.create(
        application=application, file=ContentFile(b"%PDF-1.4\n", name="x.pdf"), name="清单.pdf",
        content_type="application/pdf", size=9, sha256="0" * 64,
    )  # fmt: skip
    application.supplement_file.save("s.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    application.supplement_file_name = "补正.pdf"
    application.save()
    return application


def urls_of(application):
    """Every admin URL of one application, and whether it is asked for with a POST."""
    letter = application.letters.get()
    released = application.released_files.get()
    pk = application.pk
    urls = [
        ("GET", reverse("admin:applications_application_released", args=[pk, released.pk])),
        (
            "POST",
            reverse("admin:applications_application_released_remove", args=[pk, released.pk]),
        ),
        ("GET", reverse("admin:applications_application_supplement_file", args=[pk])),
        ("GET", reverse("admin:applications_application_change", args=[pk])),
        ("POST", reverse("admin:applications_application_change", args=[pk])),
        ("GET", reverse("admin:applications_application_history", args=[pk])),
        ("GET", reverse("admin:applications_application_delete", args=[pk])),
        ("POST", reverse("admin:applications_application_delete", args=[pk])),
        ("GET", reverse("admin:applications_application_identity", args=[pk])),
        ("POST", reverse("admin:applications_application_reveal", args=[pk])),
        ("GET", reverse("admin:applications_application_letter", args=[pk, letter.pk])),
        ("POST", reverse("admin:applications_application_letter", args=[pk, letter.pk])),
        ("GET", reverse("admin:applications_application_letter_docx", args=[pk, letter.pk])),
    ]
    for key in services.STEPS:
        url = reverse("admin:applications_application_step", args=[pk, key])
        urls += [("GET", url), ("POST", url)]
    return urls


POST_DATA = {"action": "save", "title": "改", "body": "<p>改</p>", "on": "2026-01-01",
             "opinion": "x", "text": "x", "note": "x"}  # fmt: skip


@pytest.mark.parametrize("who", ["other_handler", "auditor", "editor"])
def test_staff_who_do_not_handle_the_application_get_404_on_every_url(
    client, world, application, who
):
    client.force_login(world[who])
    before = (AuditEvent.objects.count(), application.letters.get().body)
    wrong = {}
    for method, url in urls_of(application):
        response = client.post(url, POST_DATA) if method == "POST" else client.get(url)
        if response.status_code != 404:
            wrong[f"{method} {url}"] = response.status_code
    assert wrong == {}
    assert (AuditEvent.objects.count(), application.letters.get().body) == before
    application.refresh_from_db()
    assert application.status == Application.Status.SUPPLEMENT
    assert application.released_files.get().file.storage.exists(
        application.released_files.get().file.name
    )


@pytest.mark.parametrize("who", ["other_handler", "auditor", "editor"])
def test_the_list_shows_them_nothing_of_it(client, world, application, who):
    AgencyFactory(name="铜梁区财政局国库科", parent=world["other"])
    client.force_login(world[who])
    response = client.get(reverse("admin:applications_application_changelist"))
    if who == "other_handler":
        assert response.status_code == 200
        assert application.number not in response.content.decode()
        changelist = response.context["cl"]
        [agency_filter] = [f for f in changelist.filter_specs if f.title == "受理机关"]
        agencies = [choice["display"] for choice in agency_filter.choices(changelist)]
        assert agencies == ["全部", "铜梁区财政局", "铜梁区财政局国库科"]
    else:
        assert response.status_code == 403
    dashboard = client.get(reverse("admin:applications_application_dashboard"))
    assert dashboard.status_code == (200 if who == "other_handler" else 403)


def test_handling_staff_see_the_number_masked_and_revealing_it_is_audited(
    client, world, application
):
    client.force_login(world["handler"])
    full = application.id_number
    masked = application.masked_id_number
    assert masked == full[:4] + "*" * 10 + full[-4:]
    listing = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert masked in listing and full not in listing and "李四" in listing
    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert masked in page.content.decode() and full not in page.content.decode()
    assert "显示完整号码" in page.content.decode()

    reveal = reverse("admin:applications_application_reveal", args=[application.pk])
    assert client.get(reveal).status_code == 302  # only a POST reveals
    assert not AuditEvent.objects.filter(action=application_actions.PERSONAL_DATA).exists()
    response = client.post(reveal)
    assert response.status_code == 200 and full in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=application_actions.PERSONAL_DATA)
    assert event.actor == world["handler"]
    assert event.object_id == str(application.pk) and event.details == {"what": "id_number"}
    assert full not in event.object_repr


def test_the_identity_file_is_an_audited_download_never_shown_inline(client, world, application):
    client.force_login(world["handler"])
    response = client.get(reverse("admin:applications_application_identity", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == png_bytes()
    event = AuditEvent.objects.get(action=application_actions.PERSONAL_DATA)
    assert event.details == {"what": "identity_file"}


def test_viewing_only_staff_cannot_open_the_identity_file_or_take_steps(client, world, application):
    from django.contrib.auth.models import Permission

    viewer = world["editor"]
    viewer.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(viewer)
    change = reverse("admin:applications_application_change", args=[application.pk])
    page = client.get(change)
    assert page.status_code == 200 and page.context["steps"] == []
    assert "显示完整号码" not in page.content.decode()
    identity = reverse("admin:applications_application_identity", args=[application.pk])
    assert client.get(identity).status_code == 403
    reveal = reverse("admin:applications_application_reveal", args=[application.pk])
    assert client.post(reveal).status_code == 403
    step = reverse("admin:applications_application_step", args=[application.pk, "supplemented"])
    assert client.post(step, {}).status_code == 403
    assert not AuditEvent.objects.filter(action=application_actions.PERSONAL_DATA).exists()


def test_a_superuser_handles_every_agency(client, world, application, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:applications_application_changelist"))
    assert application.number in listing.content.decode()
    letter = application.letters.get(kind=Letter.Kind.SUPPLEMENT)
    assert client.get(letter.get_absolute_url()).status_code == 200
