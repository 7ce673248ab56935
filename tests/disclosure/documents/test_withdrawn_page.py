"""A withdrawn document answers 410 (gone, with its withdrawal date) only if the public once
read it; a document the public never saw answers 404, as if it had never existed."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from disclosure.documents.models import Document
from disclosure.documents.services import publish, withdraw
from portal.actors import SYSTEM
from tests.disclosure.conftest import local
from tests.factories import DocumentFactory, published

pytestmark = pytest.mark.django_db
Mode = Document.DisclosureMode


def page(client, document):
    return client.get(reverse("disclosure:document", args=[document.pk]))


def test_a_withdrawn_document_that_was_public_answers_410_with_its_date(client, site_tree):
    document = withdraw(published(node=site_tree["replies"]), SYSTEM, "政策调整")
    response = page(client, document)
    assert response.status_code == 410
    withdrawn_on = timezone.localtime(document.withdrawn_at)
    assert (
        f"{withdrawn_on.year}年{withdrawn_on.month}月{withdrawn_on.day}日"
        in response.content.decode()
    )


@pytest.mark.parametrize("mode", [Mode.EXEMPT, Mode.ON_REQUEST])
def test_a_withdrawn_document_never_disclosed_actively_is_not_found(client, site_tree, mode):
    document = withdraw(published(node=site_tree["replies"], disclosure_mode=mode), SYSTEM, "撤回")
    response = page(client, document)
    assert response.status_code == 404
    assert "撤回" not in response.content.decode()


def test_a_scheduled_document_withdrawn_before_its_date_is_not_found(client, site_tree):
    document = publish(
        DocumentFactory(node=site_tree["replies"]), at=timezone.now() + timedelta(days=2)
    )
    document = withdraw(document, SYSTEM, "暂缓发布")
    assert page(client, document).status_code == 404


def test_a_scheduled_document_withdrawn_before_its_date_stays_not_found_after_it(client, site_tree):
    document = publish(
        DocumentFactory(node=site_tree["replies"]), at=timezone.now() + timedelta(hours=1)
    )
    document = withdraw(document, SYSTEM, "暂缓发布")
    later = timezone.now() + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        assert page(client, document).status_code == 404


def test_a_document_public_once_then_made_exempt_and_withdrawn_answers_410(client, site_tree):
    document = published(node=site_tree["replies"], published_at=local(2024, 3, 1))
    document.disclosure_mode = Mode.EXEMPT
    document.save()
    document = withdraw(document, SYSTEM, "误发")
    assert page(client, document).status_code == 410


def test_a_public_document_withdrawn_without_recorded_versions_answers_410(client, site_tree):
    document = withdraw(published(node=site_tree["replies"]), SYSTEM, "政策调整")
    document.history.all().delete()
    assert page(client, document).status_code == 410


def test_a_document_whose_versions_show_no_public_moment_is_not_found(client, site_tree):
    # Scheduled, then withdrawn while waiting: the versions never show it due and 主动公开.
    document = publish(
        DocumentFactory(node=site_tree["replies"]), at=timezone.now() + timedelta(days=30)
    )
    document.disclosure_mode = Mode.ON_REQUEST
    document.save()
    document = withdraw(document, SYSTEM, "改为依申请公开")
    assert page(client, document).status_code == 404


def test_the_withdrawn_page_keeps_the_breadcrumb_and_says_what_to_do_next(client, site_tree):
    document = withdraw(published(node=site_tree["replies"]), SYSTEM, "政策调整")
    html = page(client, document).content.decode()
    nav = html[
        html.index('class="breadcrumb"') : html.index("</nav>", html.index('class="breadcrumb"'))
    ]
    for crumb in [
        "首页",
        "政务公开",
        "法定主动公开内容",
        "其他法定主动公开内容",
        "人大代表建议办理",
    ]:
        assert f">{crumb}</a>" in nav
    assert "信息已撤回" in nav
    assert (
        f'href="{site_tree["replies"].get_absolute_url()}">查看“人大代表建议办理”栏目中的其他信息'
        in html
    )
    assert 'role="search"' in html[html.index('class="next-steps"') :]
