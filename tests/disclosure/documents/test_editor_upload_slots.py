"""One staff member cannot hold every editor re-encode: REENCODES gives two at a time to the
whole site and nothing per user, so one editor (or a script on one session) sending two images
at once, again and again, keeps every other editor's images refused with 429."""

import pytest

from disclosure.documents import views
from portal.ratelimit import take_each
from tests.disclosure.documents.test_editor_uploads import (
    csrf_client,
    people,  # noqa: F401 (fixture)
    png_bytes,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_one_editor_uploading_two_images_at_once_leaves_a_slot_for_another(
    media,
    people,  # noqa: F811
):
    holder, holder_token = csrf_client(people["editor"])
    other, other_token = csrf_client(people["other_editor"])
    # The holder's first image is being re-encoded: its slots are taken as the view takes them.
    first = take_each(
        (views.REENCODES_PER_USER, f"user:{people['editor'].pk}"), (views.REENCODES, "site")
    )
    second = upload(holder, png_bytes(), token=holder_token)
    assert second.status_code == 429  # the holder's second image waits for the first
    assert upload(other, png_bytes(), token=other_token).status_code == 200
    first.give_back()
    assert upload(holder, png_bytes(), token=holder_token).status_code == 200
