"""The audit log: append-only and hash-chained with a key.

Each event stores HMAC-SHA256(key, the previous event's hash + its own content), with the key
from the environment (settings.AUDIT_HMAC_KEY, env PORTAL_AUDIT_KEY), so editing, deleting,
inserting or reordering rows breaks the chain, and write access to the database alone is not
enough to re-hash it. ``chain_breaks`` names every break. (Deleting only the newest rows leaves
no trace in the chain itself: compare ``latest_hash()`` with a copy kept elsewhere.)

The hash covers only what never changes after writing: the actor is covered through a snapshot
of their id and username, not through the foreign key that deleting the account empties, and
the address through its one normalised form (``normalise_ip``), which is also what is stored.

Events written before the chain was keyed (scheme 1, plain SHA-256) keep verifying under the
rule they were written with; the migration that introduced the key sealed them with a keyed
event that counts them, so none can be added, dropped or forged later (``seal_legacy_events``).

Failed logins are counted per address and per existing account in 15-minute periods
(LoginFailureCounter, outside the chain); the chain gets one event when a counter opens and one
with its final count once its period is over, so they cannot grow the log without limit.
"""

import contextvars
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from portal.actors import SYSTEM
from portal.clients import address_key, parse_address
from portal.models import AuditEvent, LoginFailureCounter

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x41554454  # "AUDT"
LOGIN_FAILURE_PERIOD = timedelta(minutes=15)

current_ip = contextvars.ContextVar("current_ip", default=None)
# The signed-in user of the current request: the actor of events written by signal handlers.
current_user = contextvars.ContextVar("current_user", default=None)


def normalise_ip(value):
    """The one form an address is stored and hashed in, or None when it is not an address.

    IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes the IPv4 address, other IPv6 addresses are
    compressed without a zone; any spelling of one address gives the same text, which the
    database hands back unchanged.
    """
    address = parse_address(value)
    return address.compressed if address is not None else None


def _legacy_ip(value):
    # Scheme 1 hashed ipaddress's compressed form of what it was given (::ffff:102:304).
    try:
        return ipaddress.ip_address(str(value)).compressed if value else None
    except ValueError:
        return value


def _legacy_actor_id(snapshot):
    if not snapshot:
        return None
    return int(snapshot) if snapshot.isdigit() else snapshot


def event_content(event):
    """The canonical text that an event's hash covers (everything but the hash itself)."""
    if event.hash_scheme == AuditEvent.Scheme.SHA256:
        actor_id, ip = _legacy_actor_id(event.actor_id_snapshot), _legacy_ip(event.ip)
        scheme = {}
    else:
        actor_id, ip = event.actor_id_snapshot, normalise_ip(event.ip)
        scheme = {"scheme": event.hash_scheme}
    payload = {
        **scheme,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "ip": ip,
        "details": event.details,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


def compute_hash(event, prev_hash):
    """The hash an event must carry after ``prev_hash``, under the event's own scheme."""
    message = f"{prev_hash}\n{event_content(event)}".encode()
    if event.hash_scheme == AuditEvent.Scheme.SHA256:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


def _lock():
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])


def _request_user():
    user = current_user.get()
    return user if user is not None and getattr(user, "pk", None) else None


def record(action, *, actor=None, obj=None, details=None, ip=None, actor_name=None):
    """Append an event. Runs in the caller's transaction, so it is undone with a failed write.

    ``actor`` is a user or SYSTEM (the portal itself); it defaults to the signed-in user of the
    current request (unless ``actor_name`` names someone else, as for a failed login); ``ip`` to
    the request's address.
    """
    if actor is SYSTEM:
        actor = None
        actor_name = actor_name or ""
    elif actor is None and actor_name is None:
        actor = _request_user()
    has_actor = getattr(actor, "pk", None) is not None
    with transaction.atomic():
        _lock()  # one writer at a time: each event needs the hash of the one before
        last = AuditEvent.objects.order_by("-pk").values_list("pk", "hash").first()
        prev_hash = last[1] if last else GENESIS
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor if has_actor else None,
            actor_id_snapshot=str(actor.pk) if has_actor else "",
            actor_name=actor_name or (actor.get_username() if has_actor else ""),
            action=action,
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=str(obj)[:300] if obj is not None else "",
            ip=normalise_ip(ip or current_ip.get()),
            details=json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder)),
            prev_hash=prev_hash,
            hash_scheme=AuditEvent.Scheme.HMAC_SHA256,
        )
        event.hash = compute_hash(event, prev_hash)
        event.save()
        return event


def seal_legacy_events(model=AuditEvent):
    """Mark every existing event as scheme 1 and append a keyed event that counts them.

    Run once, by the migration that introduced the key. Scheme-1 events were hashed with the
    actor's id through the foreign key; the snapshot takes it now, before any further account
    is deleted. For events whose actor was already deleted, the id is recovered from the hash
    when it is one of the ids the site has used.
    """
    legacy = model.objects.all()
    if not legacy.exists():
        return None
    legacy.update(hash_scheme=AuditEvent.Scheme.SHA256)
    for pk, actor_id in legacy.filter(actor_id__isnull=False).values_list("pk", "actor_id"):
        model.objects.filter(pk=pk).update(actor_id_snapshot=str(actor_id))
    _recover_deleted_actor_ids(model)
    last = legacy.order_by("-pk").first()
    marker = model(
        occurred_at=timezone.now(),
        action=AuditEvent.Action.CHAIN_KEYED,
        details={"legacy_events": legacy.count(), "legacy_last_hash": last.hash},
        prev_hash=last.hash,
        hash_scheme=AuditEvent.Scheme.HMAC_SHA256,
    )
    marker.hash = compute_hash(marker, last.hash)
    marker.save()
    return marker


def _recover_deleted_actor_ids(model):
    orphans = model.objects.filter(actor_id__isnull=True).exclude(actor_name="")
    candidates = None
    known = {}  # actor_name -> id found for an earlier event of the same account
    for event in orphans.order_by("pk").iterator():
        if compute_hash(event, event.prev_hash) == event.hash:
            continue  # no actor when written (a failed login, a command)
        if candidates is None:
            top = max(model.objects.exclude(actor_id=None).order_by("-actor_id")
                      .values_list("actor_id", flat=True).first() or 0,
                      model.actor.field.related_model.objects.order_by("-pk")
                      .values_list("pk", flat=True).first() or 0)  # fmt: skip
            candidates = range(1, top + 1000)
        tried = [known[event.actor_name]] if event.actor_name in known else []
        for actor_id in [*tried, *candidates]:
            event.actor_id_snapshot = str(actor_id)
            if compute_hash(event, event.prev_hash) == event.hash:
                known[event.actor_name] = actor_id
                model.objects.filter(pk=event.pk).update(actor_id_snapshot=str(actor_id))
                break


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str
    kind: str = ""  # edited, deleted, inserted, reordered, scheme

    def __str__(self):
        return f"审计日志第 {self.event_id} 条：{self.reason}"


def _link_break(event):
    """Why an event's recorded previous hash is not the hash of the event before it."""
    linked = AuditEvent.objects.filter(hash=event.prev_hash).values_list("pk", flat=True).first()
    if linked is None:
        return ChainBreak(
            event.pk,
            "记录的上一条哈希与实际不符（其前的记录被删除，或上一条被改写后重算了哈希）",
            "deleted",
        )
    if linked > event.pk:
        return ChainBreak(
            event.pk, f"记录的上一条哈希指向其后的第 {linked} 条（记录被调换了顺序）", "reordered"
        )
    return ChainBreak(
        event.pk,
        f"记录的上一条哈希指向更早的第 {linked} 条（其间插入了记录，或记录被调换了顺序）",
        "inserted",
    )


def chain_breaks(chunk_size=2000):
    """Every break in the chain, in the order of the log (an empty iterator when it is whole).

    After a break the check goes on from the row as stored, so independent changes are each
    named once.
    """
    prev_hash, prev_id = GENESIS, 0
    legacy_count, last_legacy_id, keyed_seen = 0, None, False
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=chunk_size):
        if event.prev_hash != prev_hash:
            yield _link_break(event)
        if compute_hash(event, event.prev_hash) != event.hash:
            yield ChainBreak(event.pk, "内容与哈希不符（记录被修改）", "edited")
        if event.hash_scheme == AuditEvent.Scheme.SHA256:
            if keyed_seen:
                yield ChainBreak(event.pk, "未加密钥的旧记录出现在加密钥的记录之后", "scheme")
            legacy_count, last_legacy_id = legacy_count + 1, event.pk
        elif event.hash_scheme != AuditEvent.Scheme.HMAC_SHA256:
            yield ChainBreak(event.pk, "未知的哈希算法", "scheme")
        elif not keyed_seen:
            keyed_seen = True
            if legacy_count and not _seals(event, legacy_count):
                yield ChainBreak(event.pk, "旧记录之后缺少清点它们的密钥记录", "scheme")
        if event.pk <= prev_id:
            yield ChainBreak(event.pk, "编号顺序异常", "reordered")
        prev_hash, prev_id = event.hash, event.pk
    if legacy_count and not keyed_seen:
        yield ChainBreak(last_legacy_id, "只有未加密钥的旧记录，缺少清点它们的密钥记录", "scheme")


def _seals(event, legacy_count):
    details = event.details if isinstance(event.details, dict) else {}
    return (
        event.action == AuditEvent.Action.CHAIN_KEYED
        and details.get("legacy_events") == legacy_count
        and details.get("legacy_last_hash") == event.prev_hash
    )


def verify_chain(chunk_size=2000):
    """The first break in the chain, or None when every event checks out."""
    return next(iter(chain_breaks(chunk_size)), None)


def latest_hash():
    last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
    return last or GENESIS


def login_failure_period(moment):
    """The start of the counting period that ``moment`` falls in."""
    seconds = int(LOGIN_FAILURE_PERIOD.total_seconds())
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def record_login_failure(username, ip, *, account_exists=False):
    """Count a failed login; the chain gets an event only when a period's counting starts.

    Counted per client (every failure; ``portal.clients.address_key``: IPv6 per /64) and per
    account (only names of existing accounts, so random names cannot multiply counters). The chain gets one event when the first
    address of a period fails and one when an account is first targeted in it; when the period is
    over, one summary covers every address (with how many there were) and one each account. So
    the log grows with the number of periods and of real accounts attacked, never with the
    number of attempts, names or addresses.
    """
    username = str(username or "")[:150]
    ip = normalise_ip(ip)
    now = timezone.now()
    period = login_failure_period(now)
    scopes = [(LoginFailureCounter.Scope.ADDRESS, address_key(ip))]
    if account_exists and username:
        scopes.append((LoginFailureCounter.Scope.ACCOUNT, username))
    with transaction.atomic():
        _lock()
        close_login_failure_counters(before=period)
        opened = []
        for scope, key in scopes:
            counted = LoginFailureCounter.objects.filter(
                scope=scope, key=key, period_start=period
            ).update(count=F("count") + 1, last_username=username, last_ip=ip, last_at=now)
            if counted:
                continue
            first_of_scope = not LoginFailureCounter.objects.filter(
                scope=scope, period_start=period
            ).exists()
            LoginFailureCounter.objects.create(scope=scope, key=key, period_start=period,
                                               count=1, last_username=username, last_ip=ip,
                                               last_at=now)  # fmt: skip
            if scope == LoginFailureCounter.Scope.ACCOUNT or first_of_scope:
                opened.append(scope)
        if opened:
            record(
                AuditEvent.Action.LOGIN_FAILED,
                actor_name=username,
                ip=ip,
                details={"period_start": period, "counters": opened},
            )


# How many of a period's busiest addresses its summary names.
SUMMARY_TOP_ADDRESSES = 10


def close_login_failure_counters(before):
    """Write the final counts of every open counter whose period started before ``before``:
    one event per account, and one per period for all its addresses together."""
    with transaction.atomic():
        _lock()
        ended = LoginFailureCounter.objects.filter(closed=False, period_start__lt=before)
        by_address = {}
        for counter in ended.order_by("period_start", "pk"):
            if counter.scope == LoginFailureCounter.Scope.ADDRESS:
                by_address.setdefault(counter.period_start, []).append(counter)
                continue
            record(
                AuditEvent.Action.LOGIN_FAILED,
                actor_name=counter.key,
                ip=counter.last_ip,
                details={
                    "summary": counter.scope,
                    "period_start": counter.period_start,
                    "period_end": counter.period_start + LOGIN_FAILURE_PERIOD,
                    "count": counter.count,
                },
            )
        for period_start, counters in by_address.items():
            busiest = sorted(counters, key=lambda c: -c.count)
            record(
                AuditEvent.Action.LOGIN_FAILED,
                actor_name=busiest[0].last_username,
                ip=busiest[0].key if len(counters) == 1 and "/" not in busiest[0].key else None,
                details={
                    "summary": LoginFailureCounter.Scope.ADDRESS,
                    "period_start": period_start,
                    "period_end": period_start + LOGIN_FAILURE_PERIOD,
                    "count": sum(c.count for c in counters),
                    "addresses": len(counters),
                    "busiest": [[c.key, c.count] for c in busiest[:SUMMARY_TOP_ADDRESSES]],
                },
            )
        ended.update(closed=True)
