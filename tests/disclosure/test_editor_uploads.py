"""The rich-text editor's uploads and the media they leave: nothing on the portal's origin can
become a page or a script."""

import io
import re
import struct

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from portal.roles import EDITOR, sync_roles
from tests.factories import AgencyFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

HTML_PAYLOAD = b"<html><body><script>alert(document.domain)</script></body></html>"
JS_PAYLOAD = b"=1;fetch('/admin/disclosure/document/1/withdraw/',{method:'POST'});//"
CKEDITOR_PATHS = [
    "/admin/ckeditor/upload/x",
    "/admin/ckeditor/upload/x/",
    "/admin/ckeditor/upload/../upload/",
    "/admin/ckeditor/upload/%2e%2e/",
    "/admin/ckeditor/uploadx",
    "/admin/ckeditor/browse/x",
    "/admin/ckeditor/browse/x/",
]


def png_bytes(color="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return buffer.getvalue()


def gif_bytes():
    buffer = io.BytesIO()
    Image.new("P", (8, 8), 1).save(buffer, "GIF")
    return buffer.getvalue()


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def people(db):
    sync_roles()
    agency = AgencyFactory(name="区政府办公室")
    other = AgencyFactory(name="区教委")
    editor = StaffUserFactory()
    editor.groups.add(Group.objects.get(name=EDITOR))
    editor.agencies.add(agency)
    other_editor = StaffUserFactory()
    other_editor.groups.add(Group.objects.get(name=EDITOR))
    other_editor.agencies.add(other)
    no_role = StaffUserFactory()
    no_role.agencies.add(agency)
    no_agency = StaffUserFactory()
    no_agency.groups.add(Group.objects.get(name=EDITOR))
    return {
        "agency": agency,
        "editor": editor,
        "other_editor": other_editor,
        "no_role": no_role,
        "no_agency": no_agency,
    }


def csrf_client(user):
    """A client that enforces CSRF, as a browser session does, with the admin's token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("admin:index"))
    return client, client.cookies["csrftoken"].value


def upload(client, data, name="图.png", token=None, query=""):
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    return client.post(
        reverse("ckeditor_upload") + query,
        {"upload": SimpleUploadedFile(name, data)},
        **headers,
    )


@pytest.mark.parametrize("path", CKEDITOR_PATHS)
def test_no_ckeditor_uploader_url_answers_staff_without_a_role(client, media, people, path):
    client.force_login(people["no_role"])
    response = client.post(path, {"upload": SimpleUploadedFile("x.html", HTML_PAYLOAD)})
    assert response.status_code == 404  # ckeditor's own upload and browse views are not routed
    assert client.get(path).status_code == 404
    assert stored_files(media) == []


@pytest.mark.parametrize("path", CKEDITOR_PATHS)
def test_no_ckeditor_uploader_url_takes_an_upload_without_csrf(media, people, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["editor"])
    response = client.post(path, {"upload": SimpleUploadedFile("a.png", png_bytes())})
    assert response.status_code == 403  # refused for the missing CSRF token
    assert stored_files(media) == []


def test_the_upload_view_refuses_a_role_holder_without_csrf(media, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["editor"])
    assert upload(client, png_bytes()).status_code == 403
    assert stored_files(media) == []


@pytest.mark.parametrize("who", ["no_role", "no_agency"])
def test_the_upload_view_refuses_staff_without_document_rights_or_an_agency(media, people, who):
    client, token = csrf_client(people[who])
    assert upload(client, png_bytes(), token=token).status_code == 403
    assert client.get(reverse("ckeditor_browse")).status_code == 403
    assert stored_files(media) == []


def test_an_editor_uploads_an_image_under_a_random_name_in_their_agency_folder(media, people):
    client, token = csrf_client(people["editor"])
    response = upload(client, png_bytes(), name="会议照片.png", token=token)
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert re.fullmatch(
        rf"/media/editor/{people['agency'].pk}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.png", url
    )
    (stored,) = stored_files(media)
    assert Image.open(stored).format == "PNG"


@pytest.mark.parametrize("payload", [HTML_PAYLOAD, JS_PAYLOAD])
def test_a_gif_polyglot_is_stored_only_as_a_clean_reencoded_image(media, people, payload):
    client, token = csrf_client(people["editor"])
    response = upload(client, gif_bytes() + payload, name="动图.gif", token=token)
    if response.status_code == 400:
        assert stored_files(media) == []
        return
    assert response.status_code == 200, response.content
    (stored,) = stored_files(media)
    content = stored.read_bytes()
    assert payload not in content and b"<script" not in content and b"fetch(" not in content
    assert Image.open(stored).format == "GIF"


def test_a_js_file_disguised_by_a_gif_header_is_refused(media, people):
    client, token = csrf_client(people["editor"])
    response = upload(client, b"GIF89a" + JS_PAYLOAD, name="a.gif", token=token)
    assert response.status_code == 400
    assert "图片" in response.json()["error"]["message"]
    assert stored_files(media) == []


def test_an_oversized_image_is_refused(media, people, settings):
    settings.DISCLOSURE_MAX_IMAGE_BYTES = 100
    client, token = csrf_client(people["editor"])
    response = upload(client, png_bytes() + b"\0" * 200, token=token)
    assert response.status_code == 400 and "过大" in response.json()["error"]["message"]
    assert stored_files(media) == []


def test_ckeditor_func_num_must_be_digits(media, people):
    client, token = csrf_client(people["editor"])
    attack = "1);alert(document.domain);//"
    response = upload(client, png_bytes(), token=token, query=f"?CKEditorFuncNum={attack}")
    assert response.status_code == 400
    assert stored_files(media) == []
    response = upload(client, png_bytes(), token=token, query="?CKEditorFuncNum=12")
    assert response.status_code == 200
    assert b'callFunction(12, "/media/editor/' in response.content


def test_the_image_browser_shows_only_the_users_agencies(media, people):
    client, token = csrf_client(people["editor"])
    own_url = upload(client, png_bytes("red"), token=token).json()["url"]
    other, other_token = csrf_client(people["other_editor"])
    other_url = upload(other, png_bytes("blue"), token=other_token).json()["url"]
    page = client.get(reverse("ckeditor_browse")).content.decode()
    assert own_url in page and other_url not in page


@pytest.mark.parametrize(
    "name, body",
    [
        ("page.html", HTML_PAYLOAD),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("script.js", b"alert(document.cookie)"),
        ("fake.png", HTML_PAYLOAD),
    ],
)
def test_a_non_image_file_in_the_media_folder_is_served_as_a_download(client, media, name, body):
    folder = media / "editor" / "2024" / "05"
    folder.mkdir(parents=True)
    (folder / name).write_bytes(body)
    response = client.get(f"/media/editor/2024/05/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_image_in_the_media_folder_is_served_as_an_image_with_a_sandbox(client, media):
    folder = media / "editor" / "1"
    folder.mkdir(parents=True)
    (folder / "photo.gif").write_bytes(png_bytes())
    response = client.get("/media/editor/1/photo.gif")
    assert response["Content-Type"] == "image/png"
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_media_paths_cannot_leave_the_editor_folder(client, media):
    (media / "secret.txt").write_bytes(b"secret")
    assert client.get("/media/editor/../secret.txt").status_code == 404
    assert client.get("/media/editor/%2e%2e/secret.txt").status_code == 404


def test_public_pages_allow_scripts_from_the_static_path_only(client, db):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    script_src = next(p for p in policy.split("; ") if p.startswith("script-src"))
    assert script_src == "script-src http://testserver/static/"


def test_comments_in_gif_and_jpeg_files_are_not_kept(media, people):
    client, token = csrf_client(people["editor"])
    payload = b"*/=alert(document.domain);/*"
    gif = io.BytesIO()
    Image.new("P", (8, 8), 1).save(gif, "GIF", comment=payload)
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(jpeg, "JPEG", comment=b"<script>alert(1)</script>")
    assert upload(client, gif.getvalue(), name="a.gif", token=token).status_code == 200
    assert upload(client, jpeg.getvalue(), name="b.jpg", token=token).status_code == 200
    stored = stored_files(media)
    assert len(stored) == 2
    for path in stored:
        content = path.read_bytes()
        assert b"alert" not in content and b"<script" not in content


def test_an_animation_is_capped_by_the_pixels_of_all_its_frames(media, people):
    client, token = csrf_client(people["editor"])
    frames = [Image.new("L", (2000, 2000), shade) for shade in range(0, 250, 20)]
    animation = io.BytesIO()
    frames[0].save(animation, "GIF", save_all=True, append_images=frames[1:])
    assert len(animation.getvalue()) < 200_000  # small on disk, 52 megapixels decoded
    response = upload(client, animation.getvalue(), name="动图.gif", token=token)
    assert response.status_code == 400 and "帧" in response.json()["error"]["message"]
    assert stored_files(media) == []


def test_an_animation_of_too_many_frames_is_refused_before_they_are_decoded(media, people):
    client, token = csrf_client(people["editor"])
    frames = [Image.new("L", (1, 1), (index % 2) * 255) for index in range(600)]
    animation = io.BytesIO()
    frames[0].save(animation, "GIF", save_all=True, append_images=frames[1:])
    response = upload(client, animation.getvalue(), name="动图.gif", token=token)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "动图的帧数过多（上限 500 帧），请精简后上传。"
    assert stored_files(media) == []


@pytest.mark.parametrize(
    "error", [IndexError("palette"), ZeroDivisionError(), MemoryError(), struct.error("short")]
)
def test_any_error_pillow_raises_on_a_malformed_image_reads_as_a_broken_image(
    media, people, monkeypatch, error
):
    client, token = csrf_client(people["editor"])
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")

    def fails(*args, **kwargs):
        raise error

    monkeypatch.setattr("disclosure.uploads._pixels_only", fails)
    response = upload(client, buffer.getvalue(), name="a.png", token=token)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "图片已损坏或无法识别，请重新导出后上传。"
    assert stored_files(media) == []


def test_an_animation_keeps_its_frames_and_timing(media, people):
    client, token = csrf_client(people["editor"])
    frames = [Image.new("RGB", (10, 10), color) for color in ("red", "green", "blue")]
    animation = io.BytesIO()
    frames[0].save(animation, "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert upload(client, animation.getvalue(), name="a.gif", token=token).status_code == 200
    (stored,) = stored_files(media)
    image = Image.open(stored)
    assert image.n_frames == 3 and image.info["duration"] == 100
