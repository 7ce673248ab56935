from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_delete
from django.dispatch import receiver

from portal import audit, login_guard
from portal.clients import client_ip
from portal.models import AuditEvent

User = get_user_model()


@receiver(user_logged_in)
def remember_signed_in_client(sender, request, user, **kwargs):
    login_guard.remember_client(request, user)


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs):
    # Only the account name tried and the address: never the password. Counted, not logged
    # one by one, so that failures cannot grow the audit log without limit.
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    login_guard.count_failure(request, username)
    audit.record_login_failure(
        username,
        client_ip(request) if request is not None else None,
        account_exists=bool(username)
        and User._default_manager.filter(**{User.USERNAME_FIELD: username[:150]}).exists(),
    )


def _names(model, pks):
    return sorted(str(o) for o in model.objects.filter(pk__in=pks or []))


def _permission_names(pks):
    permissions = Permission.objects.filter(pk__in=pks or []).select_related("content_type")
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)


def _permission_change(holder_model, instance, action, reverse, pk_set):
    """The holders (users or groups) whose permissions changed, and which permissions.

    A clear removes what the relation held just before (remembered at pre_clear).
    """
    if action == "pre_clear":
        if reverse:
            related = "user_set" if holder_model is User else "group_set"
        else:
            related = "user_permissions" if holder_model is User else "permissions"
        instance._audit_cleared = set(getattr(instance, related).values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_audit_cleared", set())
    if not pk_set:
        return  # nothing changed (adding what was already there)
    if reverse:  # seen from the permission: permission.user_set.add(user)
        holders = list(holder_model.objects.filter(pk__in=pk_set or []))
        permissions = _permission_names([instance.pk])
    else:
        holders, permissions = [instance], _permission_names(pk_set)
    for holder in holders:
        audit.record(
            AuditEvent.Action.ROLE_CHANGE,
            obj=holder,
            details={"change": action[5:], "permissions": permissions},
        )


@receiver(m2m_changed, sender=User.user_permissions.through)
def record_user_permission_change(sender, instance, action, reverse, pk_set, **kwargs):
    _permission_change(User, instance, action, reverse, pk_set)


@receiver(m2m_changed, sender=Group.permissions.through)
def record_group_permission_change(sender, instance, action, reverse, pk_set, **kwargs):
    _permission_change(Group, instance, action, reverse, pk_set)


@receiver(pre_delete, sender=User)
def remember_deleted_user(sender, instance, **kwargs):
    instance._audit_deleted = {
        "username": instance.get_username(),
        "is_staff": instance.is_staff,
        "is_superuser": instance.is_superuser,
        "groups": sorted(instance.groups.values_list("name", flat=True)),
    }


@receiver(post_delete, sender=User)
def record_user_deletion(sender, instance, **kwargs):
    # In the deleting transaction: the event goes if the deletion is rolled back.
    audit.record(
        AuditEvent.Action.DELETE,
        obj=instance,
        details=getattr(instance, "_audit_deleted", {"username": instance.get_username()}),
    )


@receiver(m2m_changed, sender=User.groups.through)
def record_group_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    # Seen from the user (user.groups.add) or from the group (group.user_set.add).
    users = list(User.objects.filter(pk__in=pk_set or [])) if reverse else [instance]
    groups = [str(instance)] if reverse else _names(model, pk_set)
    for user in users:
        audit.record(
            AuditEvent.Action.ROLE_CHANGE,
            obj=user,
            details={"change": action[5:], "groups": groups},
        )


@receiver(post_init, sender=User)
def remember_flags(sender, instance, **kwargs):
    instance._audit_flags = (instance.is_staff, instance.is_superuser, instance.is_active)


@receiver(post_save, sender=User)
def record_superuser_change(sender, instance, created, update_fields=None, **kwargs):
    before = getattr(instance, "_audit_flags", None)
    now = (instance.is_staff, instance.is_superuser, instance.is_active)
    if created or (before is not None and before != now):
        audit.record(
            AuditEvent.Action.ROLE_CHANGE,
            obj=instance,
            details={"is_staff": now[0], "is_superuser": now[1], "is_active": now[2]},
        )
    instance._audit_flags = now
