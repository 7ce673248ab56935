"""A file part sent after the proof of identity is read past without closing the proof."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.applications.models import Application
from tests.disclosure.applications.helpers import files_under, person_data, png_upload

pytestmark = pytest.mark.django_db


def post_parts(client, agency, parts):
    return client.post(reverse("applications:apply", args=[agency.pk]), parts)


def test_a_file_under_another_name_after_the_identity_file_is_ignored(client, agency, file_roots):
    parts = {**person_data(), "identity_file": png_upload(), "other": png_upload()}
    response = post_parts(client, agency, parts)
    assert response.status_code == 302
    assert Application.objects.count() == 1
    assert len(files_under(file_roots.PRIVATE_MEDIA_ROOT)) == 1


def test_a_second_identity_file_is_ignored_and_the_first_kept(client, agency, file_roots):
    second = SimpleUploadedFile("second.pdf", b"%PDF-1.4\n" + b"0" * 1000)
    parts = {**person_data(), "identity_file": [png_upload(), second]}
    response = post_parts(client, agency, parts)
    assert response.status_code == 302
    assert Application.objects.get().identity_file_type == "image/png"
