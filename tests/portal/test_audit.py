import hashlib
import json
from datetime import UTC
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from portal import audit
from portal.actors import SYSTEM
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
    from disclosure.documents.services import delete_document

    document = DocumentFactory(title="将被删除的草稿")
    delete_document(document, SYSTEM)
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


# The actor and the address: hashed as written, whatever happens to the account later.


def test_deleting_a_staff_user_keeps_their_events_verifying():
    user = StaffUserFactory(username="leaver")
    audit.record(AuditEvent.Action.EXPORT, actor=user, details={"rows": 3})
    user_pk = user.pk
    user.delete()
    event = AuditEvent.objects.get(action="export")
    assert event.actor_id is None
    assert event.actor_id_snapshot == str(user_pk) and event.actor_name == "leaver"
    assert list(audit.chain_breaks()) == []
    call_command("verify_audit_log")


def test_an_ipv4_mapped_address_is_stored_in_the_form_that_is_hashed():
    audit.record(AuditEvent.Action.EXPORT, ip="::ffff:1.2.3.4")
    audit.record(AuditEvent.Action.EXPORT, ip="::FFFF:0102:0304")
    audit.record(AuditEvent.Action.EXPORT, ip="fe80::1%eth0")
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.ip for e in events] == ["1.2.3.4", "1.2.3.4", "fe80::1"]
    assert audit.verify_chain() is None


@pytest.mark.parametrize(
    "spelling", ["::ffff:1.2.3.4", "0:0:0:0:0:ffff:102:304", " 1.2.3.4 ", "1.2.3.4"]
)
def test_every_spelling_of_an_address_normalises_to_one_form(spelling):
    assert audit.normalise_ip(spelling) == "1.2.3.4"


def test_verify_audit_log_reports_every_break_not_only_the_first():
    events = make_events(30)
    pk = [e.pk for e in events]
    AuditEvent.objects.filter(pk=pk[3]).update(object_repr="改过的标题")  # edited
    AuditEvent.objects.filter(pk=pk[10]).delete()  # deleted
    a, b = events[20], events[21]  # reordered
    fields = ["occurred_at", "actor_name", "action", "object_type", "object_id", "object_repr",
              "ip", "details", "prev_hash", "hash"]  # fmt: skip
    AuditEvent.objects.filter(pk=a.pk).update(hash="x" * 64)
    AuditEvent.objects.filter(pk=b.pk).update(**{f: getattr(a, f) for f in fields})
    AuditEvent.objects.filter(pk=a.pk).update(**{f: getattr(b, f) for f in fields})
    forged = AuditEvent(occurred_at=timezone.now(), action="publish", prev_hash=events[-1].hash,
                        hash="f" * 64)  # fmt: skip
    forged.save()  # inserted: chained on, but its hash is not one the key gives

    found = {(p.event_id, p.kind) for p in audit.chain_breaks()}
    assert (pk[3], "edited") in found
    assert (pk[11], "deleted") in found
    assert (a.pk, "reordered") in found
    assert (forged.pk, "edited") in found

    err = StringIO()
    with pytest.raises(CommandError, match=f"发现 {len(found)} 处问题"):
        call_command("verify_audit_log", stderr=err)
    reported = err.getvalue()
    for event_id in (pk[3], pk[11], a.pk, b.pk, forged.pk):
        assert f"审计日志第 {event_id} 条" in reported


# The key: write access to the database is not enough to re-hash the log.


def test_the_chain_cannot_be_rehashed_without_the_key(settings):
    events = make_events(5)
    victim = AuditEvent.objects.get(pk=events[2].pk)
    victim.details = {"n": "改写"}
    # What an intruder without the key can compute: a plain hash of the new content.
    victim.hash = hashlib.sha256(
        f"{victim.prev_hash}\n{audit.event_content(victim)}".encode()
    ).hexdigest()
    victim.save()
    assert audit.verify_chain().event_id == victim.pk

    settings.AUDIT_HMAC_KEY = "another-key"
    err = StringIO()
    with pytest.raises(CommandError, match="PORTAL_AUDIT_KEY"):
        call_command("verify_audit_log", stderr=err)
    assert err.getvalue().count("内容与哈希不符") == 5


def make_legacy_events(actors, *, forged=False):
    """Events as written before the chain was keyed: plain SHA-256 over the actor's id.

    Forged ones are made today by someone without the key, who fills in the snapshot too.
    """
    if not forged:
        AuditEvent.objects.all().delete()  # the log as it was: making the actors wrote events
    prev = audit.latest_hash()
    for i, actor in enumerate(actors):
        event = AuditEvent(occurred_at=timezone.now(), actor=actor, actor_name=actor.username,
                           action="publish", object_id=str(i), ip="::ffff:10.0.0.1",
                           prev_hash=prev, hash_scheme=AuditEvent.Scheme.SHA256,
                           actor_id_snapshot=str(actor.pk) if forged else "")  # fmt: skip
        legacy = {"occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
                  "actor_id": actor.pk, "actor_name": actor.username, "action": "publish",
                  "object_type": "", "object_id": str(i), "object_repr": "",
                  "ip": "::ffff:a00:1", "details": {}}  # fmt: skip
        content = json.dumps(legacy, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
        event.hash = hashlib.sha256(f"{prev}\n{content}".encode()).hexdigest()
        event.save()
        prev = event.hash


def test_events_written_before_the_key_keep_verifying_after_their_actor_is_deleted():
    gone_before, gone_after = StaffUserFactory(), StaffUserFactory()
    ids = [str(gone_before.pk), str(gone_after.pk), str(gone_before.pk)]
    make_legacy_events([gone_before, gone_after, gone_before])
    gone_before.delete()  # before the upgrade: its id survives only in the old hashes
    AuditEvent.objects.filter(action="delete").delete()  # which wrote no event back then
    audit.seal_legacy_events()
    gone_after.delete()
    audit.record(AuditEvent.Action.EXPORT)
    assert list(audit.chain_breaks()) == []
    marker = AuditEvent.objects.get(action=AuditEvent.Action.CHAIN_KEYED)
    assert marker.details["legacy_events"] == 3
    legacy = AuditEvent.objects.filter(hash_scheme=AuditEvent.Scheme.SHA256).order_by("pk")
    assert [e.actor_id_snapshot for e in legacy] == ids  # the deleted one's recovered from its hash


def test_unkeyed_events_cannot_be_slipped_in_after_the_key():
    make_events(3)
    make_legacy_events([StaffUserFactory()], forged=True)
    problems = list(audit.chain_breaks())
    assert [p.kind for p in problems] == ["scheme"]


def test_a_log_rewritten_entirely_without_the_key_is_detected():
    actors = [StaffUserFactory(), StaffUserFactory()]
    AuditEvent.objects.all().delete()
    make_legacy_events(actors, forged=True)  # and no keyed event counts them
    assert [p.kind for p in audit.chain_breaks()] == ["scheme"]


def test_dropping_an_old_event_and_recounting_is_detected():
    make_legacy_events([StaffUserFactory(), StaffUserFactory(), StaffUserFactory()])
    audit.seal_legacy_events()
    AuditEvent.objects.filter(hash_scheme=AuditEvent.Scheme.SHA256).order_by("pk").first().delete()
    assert {p.kind for p in audit.chain_breaks()} >= {"deleted", "scheme"}


# Actions the README promises to audit.


def test_granting_a_permission_to_a_user_is_recorded():
    user = StaffUserFactory()
    publish = Permission.objects.get(codename="publish_document")
    user.user_permissions.add(publish)
    publish.user_set.remove(user)
    user.user_permissions.add(publish)
    user.user_permissions.clear()
    details = [
        e.details
        for e in AuditEvent.objects.filter(object_id=str(user.pk), action="role_change")
        .exclude(details__has_key="is_staff")
        .order_by("pk")
    ]
    grant = ["disclosure.publish_document"]
    assert details == [
        {"change": "add", "permissions": grant},
        {"change": "remove", "permissions": grant},
        {"change": "add", "permissions": grant},
        {"change": "clear", "permissions": grant},
    ]


def test_adding_a_permission_to_a_group_is_recorded():
    group = Group.objects.create(name="临时组")
    withdraw = Permission.objects.get(codename="withdraw_document")
    group.permissions.add(withdraw)
    withdraw.group_set.remove(group)
    events = AuditEvent.objects.filter(object_type="auth.Group", object_id=str(group.pk))
    assert [e.details for e in events.order_by("pk")] == [
        {"change": "add", "permissions": ["disclosure.withdraw_document"]},
        {"change": "remove", "permissions": ["disclosure.withdraw_document"]},
    ]
    assert audit.verify_chain() is None


def test_deleting_a_user_is_recorded_with_who_deleted_them(client):
    boss = get_user_model().objects.create_superuser("boss", "b@example.com", "correct-horse-9")
    victim = StaffUserFactory(username="victim")
    victim_pk = victim.pk
    client.force_login(boss)
    response = client.post(
        reverse("admin:auth_user_delete", args=[victim_pk]), {"post": "yes"},
        REMOTE_ADDR="192.0.2.5",
    )  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="delete", object_type="auth.User")
    assert event.object_id == str(victim_pk) and event.object_repr == "victim"
    assert event.actor_name == "boss" and event.ip == "192.0.2.5"
    assert event.details["username"] == "victim"
    assert audit.verify_chain() is None
