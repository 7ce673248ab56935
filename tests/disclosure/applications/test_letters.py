"""Letters: printable, as Word files, editable as drafts, never changed once final."""

import io

import pytest
from django.urls import reverse
from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH

from disclosure.applications import services
from disclosure.applications.models import Letter
from tests.disclosure.applications.helpers import give_information
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    application = ApplicationFactory(agency=world["office"], received_on=services.today())
    return services.extend(application, world["handler"], 10, "需要检索档案。", "王五")


def test_the_print_page_is_the_letter_on_a4_with_the_agency(client, world, draft):
    client.force_login(world["handler"])
    page = client.get(draft.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "铜梁区人民政府办公室" in html and "延期答复告知书" in html
    assert 'class="letter-paper"' in html and "application-admin.css" in html
    assert "保存草稿" in html and "定稿" in html


def test_a_draft_is_edited_then_made_final_and_then_never_changes(client, world, draft):
    client.force_login(world["handler"])
    url = draft.get_absolute_url()
    client.post(url, {"action": "save", "title": "延期答复告知书", "body": "<p>改过的正文。</p>"})
    draft.refresh_from_db()
    assert draft.body == "<p>改过的正文。</p>" and not draft.is_final

    client.post(url, {"action": "finalise"})
    draft.refresh_from_db()
    assert draft.is_final and draft.final_by == world["handler"]
    stored = (draft.title, draft.body, draft.final_sha256)
    assert draft.final_sha256 == draft.content_digest()

    response = client.post(url, {"action": "save", "title": "改标题", "body": "<p>再改。</p>"})
    assert response.status_code == 302
    assert "已定稿" in "".join(str(m) for m in client.get(url).context["messages"])
    with pytest.raises(services.ApplicationError):
        services.edit_letter(draft, world["handler"], "改标题", "<p>再改。</p>")
    draft.title = "直接改模型"
    with pytest.raises(Exception, match="已定稿"):
        draft.save()
    client.post(url, {"action": "finalise"})
    draft.refresh_from_db()
    assert (draft.title, draft.body, draft.final_sha256) == stored
    page = client.get(url).content.decode()
    assert "保存草稿" not in page and "内容不能再修改" in page


def test_the_word_file_has_the_title_centred_and_the_signature_right_aligned(client, world, draft):
    client.force_login(world["handler"])
    response = client.get(
        reverse("admin:applications_application_letter_docx", args=[draft.application_id, draft.pk])
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    word = WordDocument(io.BytesIO(response.content))
    lines = [(p.text, p.alignment) for p in word.paragraphs]
    assert lines[0] == ("铜梁区人民政府办公室", WD_ALIGN_PARAGRAPH.CENTER)
    assert lines[1] == ("延期答复告知书", WD_ALIGN_PARAGRAPH.CENTER)
    today = services.today()
    assert ("铜梁区人民政府办公室", WD_ALIGN_PARAGRAPH.RIGHT) in lines  # the signature
    assert (f"{today.year}年{today.month}月{today.day}日", WD_ALIGN_PARAGRAPH.RIGHT) in lines
    assert any("需要检索档案" in p.text for p in word.paragraphs)


def test_staff_without_the_letter_permission_cannot_edit(client, world, draft):
    from django.contrib.auth.models import Permission

    world["handler"].groups.first().permissions.remove(
        Permission.objects.get(codename="change_letter")
    )
    client.force_login(world["handler"])
    assert client.post(draft.get_absolute_url(), {"action": "finalise"}).status_code == 403
    assert not Letter.objects.get(pk=draft.pk).is_final


def test_staff_text_stays_text_in_a_letters_word_file(world):
    from disclosure.applications.letter_docx import letter_docx
    from disclosure.applications.models import Application
    from portal.actors import SYSTEM
    from tests.office import HOSTILE, assert_plain_docx

    paragraphs = "".join(f"<p>{text}</p>" for text in HOSTILE)
    application = ApplicationFactory(agency=world["office"])
    give_information(application)
    letter = services.answer(
        application,
        SYSTEM,
        Application.Result.DISCLOSED,
        title="{=1+1}答复书",
        body=paragraphs + '<p><a href="https://evil.example/">点此查看</a></p>',
    )
    assert_plain_docx(letter_docx(letter), "{=1+1}答复书", *HOSTILE, "点此查看")
