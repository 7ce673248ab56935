"""Version history as staff read it: local time, Chinese headings and names, real differences."""

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.documents.models import Document
from disclosure.documents.services import publish, withdraw
from portal.models import AuditEvent
from portal.roles import REVIEWER
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    return StaffUserFactory(role=REVIEWER, agencies=[AgencyFactory(name="区政府办公室")])


@pytest.fixture
def withdrawn(reviewer, site_tree):
    document = DocumentFactory(
        agency=reviewer.agencies.get(), node=site_tree["policies"], status=Document.Status.SUBMITTED
    )
    publish(document, reviewer)
    withdraw(document, reviewer, "政策已调整")
    document.refresh_from_db()  # the services work on locked copies
    return document


def versions(document):
    return list(document.history.order_by("-history_date", "-history_id"))


def test_comparing_the_published_and_the_withdrawn_version_shows_the_withdrawal(
    client, reviewer, withdrawn
):
    client.force_login(reviewer)
    gone, published = versions(withdrawn)[:2]
    assert (gone.status, published.status) == ("withdrawn", "published")
    url = reverse("admin:disclosure_document_compare", args=[withdrawn.pk])
    html = client.get(url, {"old": published.history_id, "new": gone.history_id}).content.decode()
    assert "没有差异" not in html
    assert "<th>状态</th><td>已发布</td><td>已撤回</td>" in html
    assert "<th>撤回原因</th><td></td><td>政策已调整</td>" in html


def test_the_history_reads_in_chinese_with_local_times_and_names(client, reviewer, withdrawn):
    client.force_login(reviewer)
    html = client.get(
        reverse("admin:disclosure_document_history", args=[withdrawn.pk])
    ).content.decode()
    for heading in ["版本", "时间", "操作人", "原因", "与上一版本相比"]:
        assert f'<th scope="col">{heading}</th>' in html
    assert "Changes" not in html and "None" not in html
    assert "状态：</strong>待审核 → 已发布" in html
    assert "状态：</strong>已发布 → 已撤回" in html
    assert withdrawn.published_at is not None
    shanghai = timezone.localtime(withdrawn.published_at).strftime("%Y-%m-%d %H:%M:%S")
    assert f"发布日期：</strong>（空） → {shanghai}" in html
    assert "+00:00" not in html
    assert f"索引号：</strong>（空） → {withdrawn.index_number}" in html


def test_the_audit_log_names_object_types_in_chinese(admin_client, withdrawn):
    html = admin_client.get(reverse("admin:portal_auditevent_changelist")).content.decode()
    assert "公开文件" in html
    assert ">disclosure.Document<" not in html
    response = admin_client.get(
        reverse("admin:portal_auditevent_changelist"), {"object_type": "disclosure.Document"}
    )
    events = AuditEvent.objects.filter(object_type="disclosure.Document").count()
    assert events > 0 and response.context["cl"].result_count == events


def test_the_login_protection_app_is_named_in_chinese(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "登录保护" in html and "登录尝试" in html and "网站设置" in html
    assert "Axes" not in html and "AXES" not in html and "Access attempts" not in html


def test_a_reviewer_reads_the_body_as_the_public_will_see_it(client, reviewer, site_tree):
    document = DocumentFactory(
        agency=reviewer.agencies.get(),
        node=site_tree["policies"],
        status=Document.Status.SUBMITTED,
        body="<p>第一段<strong>加粗</strong></p>",
    )
    client.force_login(reviewer)
    page = client.get(reverse("admin:disclosure_document_change", args=[document.pk]))
    html = page.content.decode()
    assert '<div class="doc-body rendered-body"><p>第一段<strong>加粗</strong></p></div>' in html
    assert "&lt;p&gt;" not in html  # not its HTML source
    assert "Legacy index number" not in html and "legacy_index_number" not in html


def test_a_body_diff_marks_the_changed_words_without_navigation_columns():
    from disclosure.documents.text_diff import body_diff_table

    table = body_diff_table(
        "<p>一</p><p>二</p><p>三</p><p>四</p><p>五</p><p>六</p><p>第七段原文</p>",
        "<p>一</p><p>二</p><p>三</p><p>四</p><p>五</p><p>六</p><p>第七段新文<script>x</script></p>",
    )
    assert "<del>原</del>" in table and "<ins>新</ins>" in table
    assert "<script>" not in table  # the body's text, never its markup
    assert "一</td>" not in table  # unchanged paragraphs far from the change are left out
    assert 'class="diff_next"' not in table and ">f<" not in table and ">t<" not in table
    assert "没有变化" in body_diff_table("<p>同</p>", "<p><b>同</b></p>")


def test_a_body_diff_escapes_text_that_looks_like_markup():
    from disclosure.documents.text_diff import body_diff_table

    table = body_diff_table("<p>a &lt;b&gt; c</p>", "<p>a &lt;i&gt; c</p>")
    assert "<b>" not in table and "<i>" not in table and "&lt;" in table
