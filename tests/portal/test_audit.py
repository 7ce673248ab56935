import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from portal import audit
from portal.models import AuditEvent
from portal.roles import EDITOR, REVIEWER, ROLES, sync_roles
from tests.factories import AgencyFactory, DocumentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def make_events(n):
    """n valid events, chained, written in bulk."""
    prev = audit.latest_hash()
    events = []
    now = timezone.now()
    for i in range(n):
        event = AuditEvent(occurred_at=now, actor_name=f"user{i % 7}", action="publish",
                           object_type="disclosure.Document", object_id=str(i), object_repr=f"文件{i}",
                           ip="10.0.0.1", details={"n": i}, prev_hash=prev)  # fmt: skip
        event.hash = audit.compute_hash(event, prev)
        prev = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    return list(AuditEvent.objects.order_by("pk"))


def test_recorded_events_form_a_valid_chain(capsys):
    user = StaffUserFactory()
    for i in range(5):
        audit.record(AuditEvent.Action.EXPORT, actor=user, details={"rows": i})
    call_command("verify_audit_log")
    assert "审计日志完好：共" in capsys.readouterr().out
    first, second = AuditEvent.objects.order_by("pk")[:2]
    assert first.prev_hash == audit.GENESIS and second.prev_hash == first.hash


def test_an_untouched_log_of_ten_thousand_events_passes():
    make_events(10_000)
    assert audit.verify_chain() is None
    call_command("verify_audit_log")


def test_an_edited_row_is_named():
    events = make_events(20)
    AuditEvent.objects.filter(pk=events[7].pk).update(actor_name="someone-else")
    with pytest.raises(CommandError, match=f"第 {events[7].pk} 条：内容与哈希不符"):
        call_command("verify_audit_log")


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link():
    events = make_events(20)
    victim = AuditEvent.objects.get(pk=events[7].pk)
    victim.details = {"n": 999}
    victim.hash = audit.compute_hash(victim, victim.prev_hash)
    victim.save()
    assert audit.verify_chain().event_id == events[8].pk


def test_a_deleted_row_is_detected_at_the_next_one():
    events = make_events(20)
    AuditEvent.objects.filter(pk=events[5].pk).delete()
    with pytest.raises(CommandError, match=f"第 {events[6].pk} 条"):
        call_command("verify_audit_log")


def test_a_reordered_pair_is_detected():
    events = make_events(20)
    a, b = events[10], events[11]
    fields = ["occurred_at", "actor_name", "action", "object_type", "object_id", "object_repr",
              "ip", "details", "prev_hash", "hash"]  # fmt: skip
    values_a = {f: getattr(a, f) for f in fields}
    values_b = {f: getattr(b, f) for f in fields}
    AuditEvent.objects.filter(pk=a.pk).update(hash="x" * 64)  # free the unique hash first
    AuditEvent.objects.filter(pk=b.pk).update(**values_a)
    AuditEvent.objects.filter(pk=a.pk).update(**values_b)
    problem = audit.verify_chain()
    assert problem is not None and problem.event_id == a.pk


def test_an_inserted_row_is_detected():
    events = make_events(10)
    fake = AuditEvent(occurred_at=timezone.now(), actor_name="intruder", action="publish",
                      prev_hash=events[-1].hash)  # fmt: skip
    fake.hash = audit.compute_hash(fake, "f" * 64)  # chained to nothing real
    fake.save()
    assert audit.verify_chain().event_id == fake.pk


def test_the_admin_shows_the_log_read_only_even_to_superusers(client):
    make_events(3)
    boss = get_user_model().objects.create_superuser(
        "boss", "b@example.com", "correct-horse-battery"
    )
    client.force_login(boss)
    event = AuditEvent.objects.first()
    before = AuditEvent.objects.count()
    assert client.get(reverse("admin:portal_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:portal_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    response = client.post(
        reverse("admin:portal_auditevent_change", args=[event.pk]), {"actor_name": "x"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before and audit.verify_chain() is None


def test_role_changes_are_recorded():
    sync_roles()
    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name=EDITOR))
    AgencyFactory().members.add(user)
    events = AuditEvent.objects.filter(action="role_change", object_id=str(user.pk))
    details = [e.details for e in events]
    assert {"change": "add", "groups": [EDITOR]} in details
    assert any("agencies" in d for d in details)
    user.is_superuser = True
    user.save()
    assert AuditEvent.objects.filter(action="role_change", details__is_superuser=True).exists()


def test_failed_staff_login_is_recorded_without_the_password(client):
    get_user_model().objects.create_user("clerk", password="correct-horse-battery", is_staff=True)
    client.post(
        reverse("admin:login"),
        {"username": "clerk", "password": "wrong-password-123"},
        REMOTE_ADDR="203.0.113.9",
    )
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor_name == "clerk" and event.ip == "203.0.113.9"
    assert "wrong-password-123" not in str(event.details)


def test_publishing_and_deleting_are_recorded_with_the_ip(client):
    sync_roles()
    from disclosure.services import delete_document

    document = DocumentFactory(title="将被删除的草稿")
    delete_document(document, None)
    event = AuditEvent.objects.get(action="delete")
    assert event.object_repr == "将被删除的草稿"


def test_sync_roles_is_idempotent_and_matches_the_definition():
    sync_roles()
    sync_roles()
    call_command("sync_roles")
    for role, names in ROLES.items():
        group = Group.objects.get(name=role)
        have = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert have == set(names), role
    editor = set(Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True))
    assert "publish_document" not in editor and "withdraw_document" not in editor
    assert "publish_document" in set(
        Group.objects.get(name=REVIEWER).permissions.values_list("codename", flat=True)
    )


def test_ipv6_and_malformed_addresses_keep_the_chain_valid():
    audit.record(AuditEvent.Action.EXPORT, ip="2001:DB8:0:0:0:0:0:1")
    audit.record(AuditEvent.Action.EXPORT, ip="1.2.3.4:5678")
    events = list(AuditEvent.objects.order_by("pk"))
    assert events[0].ip == "2001:db8::1" and events[1].ip is None
    assert audit.verify_chain() is None
