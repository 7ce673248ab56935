import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.documents.models import Document, IndexCounter
from tests.factories import AgencyFactory, DocumentFactory, GenreFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(
        "boss", "boss@example.com", "correct-horse-battery"
    )
    client.force_login(user)
    return client


@pytest.fixture
def form_data(site_tree):
    return {
        "title": "关于印发某办法的通知",
        "summary": "办法全文。",
        "body": '<p style="text-align:center" onclick="steal()">正文</p><script>alert(1)</script>',
        "agency": AgencyFactory(credit_code="115002240093343308").pk,
        "node": site_tree["policies"].pk,
        "topic": TopicFactory().pk,
        "genre": GenreFactory().pk,
        "doc_number": "铜府办发〔2024〕3号",
        "written_on": "2024-03-01",
        "published_at_0": "",
        "published_at_1": "",
        "validity": "valid",
        "keywords": "",
        "disclosure_mode": "active",
        "legacy_index_number": "",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "attachments-0-sort_order": "0",
    }


def test_staff_add_a_document_with_a_sanitised_body_and_an_attachment(
    admin_client, form_data, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    form_data["attachments-0-file"] = SimpleUploadedFile("办法全文.pdf", b"%PDF-1.7\n%%EOF")
    response = admin_client.post(reverse("admin:disclosure_document_add"), form_data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    document = Document.objects.get()
    assert document.body == '<p style="text-align:center">正文</p>'
    assert document.status == Document.Status.DRAFT and document.index_number == ""
    attachment = document.attachments.get()
    assert attachment.original_name == "办法全文.pdf" and attachment.kind == "pdf"


def test_a_renamed_executable_is_refused_in_the_admin(admin_client, form_data, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    form_data["attachments-0-file"] = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00" + b"\x00" * 60)
    response = admin_client.post(reverse("admin:disclosure_document_add"), form_data)
    assert response.status_code == 200
    assert "内容与扩展名不符" in response.content.decode()
    assert not Document.objects.exists()


def test_written_date_after_publication_date_is_refused(admin_client, form_data):
    form_data.update(
        {"written_on": "2024-05-01", "published_at_0": "2024-04-01", "published_at_1": "09:00:00"}
    )
    response = admin_client.post(reverse("admin:disclosure_document_add"), form_data)
    assert "成文日期不能晚于发布日期" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("field", ["title", "summary", "doc_number", "keywords"])
def test_a_control_character_in_a_text_field_is_refused_in_the_admin(
    admin_client, form_data, field
):
    form_data[field] = "关于印发\x0b某办法的通知"
    response = admin_client.post(reverse("admin:disclosure_document_add"), form_data)
    assert response.status_code == 200
    assert "不能包含不可见的控制字符（U+000B）" in response.content.decode()
    assert not Document.objects.exists()


def test_legacy_index_number_is_kept_through_the_admin(admin_client, form_data):
    form_data["legacy_index_number"] = "115002240093343308/2022-00225"
    assert admin_client.post(reverse("admin:disclosure_document_add"), form_data).status_code == 302
    assert Document.objects.get().index_number == "115002240093343308/2022-00225"
    assert IndexCounter.objects.get(year=2022).last_serial == 0  # a legacy number is not counted


def test_malformed_legacy_index_number_is_explained(admin_client, form_data):
    form_data["legacy_index_number"] = "2022-225"
    response = admin_client.post(reverse("admin:disclosure_document_add"), form_data)
    assert "格式不正确" in response.content.decode()
    assert not Document.objects.exists()


def test_publish_action_assigns_index_numbers(admin_client, site_tree):
    agency = AgencyFactory(credit_code="115002240093343308")
    submitted = Document.Status.SUBMITTED
    docs = [
        DocumentFactory(agency=agency, node=site_tree["policies"], status=submitted)
        for _ in range(2)
    ]
    broken = DocumentFactory(agency=agency, body="", status=submitted)
    response = admin_client.post(
        reverse("admin:disclosure_document_changelist"),
        {"action": "publish_selected", "_selected_action": [d.pk for d in [*docs, broken]]},
        follow=True,
    )
    html = response.content.decode()
    assert "已发布 2 个文件" in html and "缺少正文" in html
    serials = sorted(
        Document.objects.filter(status="published").values_list("index_serial", flat=True)
    )
    assert serials == [1, 2]


def test_editor_upload_accepts_images_only_checked_by_content(admin_client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("ckeditor_upload")
    fake = SimpleUploadedFile("照片.png", b"<script>alert(1)</script>")
    response = admin_client.post(url, {"upload": fake})
    assert response.status_code == 400 and "只能上传" in response.json()["error"]["message"]
    pdf = SimpleUploadedFile("文件.pdf", b"%PDF-1.7")
    assert admin_client.post(url, {"upload": pdf}).status_code == 400


def test_editor_upload_is_for_staff_only(client):
    response = client.post(
        reverse("ckeditor_upload"), {"upload": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n")}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_editor_upload_stores_a_real_image_and_serves_it(admin_client, client, tmp_path, settings):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    response = admin_client.post(
        reverse("ckeditor_upload"), {"upload": SimpleUploadedFile("图.png", buffer.getvalue())}
    )
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert url.startswith("/media/editor/")
    assert client.get(url).status_code == 200
