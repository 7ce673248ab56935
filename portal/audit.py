"""The audit log: append-only and hash-chained.

Each event stores SHA-256(its own content + the previous event's hash), so editing, deleting,
inserting or reordering rows breaks the chain from that row on, and ``verify_chain`` names the
first row where it breaks. (Deleting only the newest rows leaves no trace in the chain itself:
compare ``latest_hash()`` with a copy kept elsewhere.)
"""

import contextvars
import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x41554454  # "AUDT"

current_ip = contextvars.ContextVar("current_ip", default=None)


def event_content(event):
    """The canonical text that an event's hash covers (everything but the hash itself)."""
    payload = {
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "ip": event.ip,
        "details": event.details,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


def normalise_ip(value):
    """An address as the database stores it (IPv6 compressed), or None when it is not one."""
    try:
        return ipaddress.ip_address(str(value).strip()).compressed if value else None
    except ValueError:
        return None


def compute_hash(event, prev_hash):
    return hashlib.sha256(f"{prev_hash}\n{event_content(event)}".encode()).hexdigest()


def _lock():
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])


def record(action, *, actor=None, obj=None, details=None, ip=None, actor_name=None):
    """Append an event. Runs in the caller's transaction, so it is undone with a failed write."""
    with transaction.atomic():
        _lock()  # one writer at a time: each event needs the hash of the one before
        last = AuditEvent.objects.order_by("-pk").values_list("pk", "hash").first()
        prev_hash = last[1] if last else GENESIS
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=actor_name or (actor.get_username() if getattr(actor, "pk", None) else ""),
            action=action,
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=str(obj)[:300] if obj is not None else "",
            ip=normalise_ip(ip or current_ip.get()),
            details=json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder)),
            prev_hash=prev_hash,
        )
        event.hash = compute_hash(event, prev_hash)
        event.save()
        return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str

    def __str__(self):
        return f"审计日志第 {self.event_id} 条：{self.reason}"


def verify_chain(chunk_size=2000):
    """The first break in the chain, or None when every event checks out."""
    prev_hash = GENESIS
    prev_id = 0
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=chunk_size):
        if event.prev_hash != prev_hash:
            return ChainBreak(
                event.pk,
                "记录的上一条哈希与实际不符（其前的记录被删除、插入或调换了顺序）",
            )
        if compute_hash(event, prev_hash) != event.hash:
            return ChainBreak(event.pk, "内容与哈希不符（记录被修改）")
        if event.pk <= prev_id:
            return ChainBreak(event.pk, "编号顺序异常")
        prev_hash, prev_id = event.hash, event.pk
    return None


def latest_hash():
    last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
    return last or GENESIS


def client_ip(request):
    """The client address; behind a proxy, the last hop it added (see PORTAL_TRUSTED_PROXIES)."""
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = getattr(settings, "PORTAL_TRUSTED_PROXIES", 0)
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None
