"""What the parts register with the kernel: audit actions, role grants, admin pages and column
pages. The kernel and the document core name none of them."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from disclosure.applications.roles import REQUESTS
from disclosure.documents.models import Document
from disclosure.proposals.roles import PROPOSALS
from portal import registry
from portal.models import AuditEvent
from portal.roles import ROLES, sync_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def restore_registry(monkeypatch):
    monkeypatch.setattr(registry, "_audit_actions", dict(registry._audit_actions))
    monkeypatch.setattr(
        registry, "_grants", {role: list(p) for role, p in registry._grants.items()}
    )


def test_an_action_a_part_registers_is_named_in_the_log_without_a_migration(
    admin_client, restore_registry
):
    value = registry.audit_action("test_archive", "归档")
    event = AuditEvent.objects.create(
        occurred_at="2026-01-05T10:00:00+08:00", action=value, object_repr="某文件"
    )
    assert "归档" in str(event)
    page = admin_client.get(reverse("admin:portal_auditevent_changelist")).content.decode()
    assert "归档" in page
    filtered = admin_client.get(reverse("admin:portal_auditevent_changelist"), {"action": value})
    assert list(filtered.context["cl"].queryset) == [event]


def test_every_part_grants_its_own_role_and_the_kernel_syncs_it(restore_registry):
    assert {PROPOSALS, REQUESTS} <= set(ROLES)
    assert "applications.view_application" in ROLES[REQUESTS]
    assert "applications.view_application" not in ROLES[PROPOSALS]
    registry.grant("测试角色", "disclosure.view_document")
    sync_roles()
    permissions = Group.objects.get(name="测试角色").permissions.values_list("codename", flat=True)
    assert list(permissions) == ["view_document"]


def test_a_registered_admin_page_keeps_its_url_name_and_is_linked_from_the_change_list(
    admin_client,
):
    url = reverse("admin:disclosure_document_compliance")
    assert url == "/admin/disclosure/document/compliance/"
    assert admin_client.get(url).status_code == 200
    changelist = admin_client.get(reverse("admin:disclosure_document_changelist"))
    assert f'href="{url}"' in changelist.content.decode()
    assert ("合规检查", "admin:disclosure_document_compliance") in registry.admin_links(Document)


def test_a_column_that_is_a_parts_home_is_flagged_by_its_slug():
    assert registry.column_flags("ysqgk") == {"applications_column": True}
    assert registry.column_flags("tzgg") == {}
