"""The staff roles (Django groups) and their permissions: the one definition.

Each part grants its permissions from its app's ``ready()`` (``portal.registry.grant``), so a new
part needs no change here. Created by a data migration and kept in step by
``python manage.py sync_roles``. What each role
may do inside its permissions is narrowed further by agency (catalog.scoping) and by the
workflow's rules (disclosure.documents.services).
"""

from collections.abc import Mapping

from portal.registry import grant, grants

# The roles every deployment has; a part adds its own (建议提案办理, 依申请办理) with what it grants.
EDITOR = "信息编辑"
REVIEWER = "审核发布"
CATALOGUER = "目录管理"
AUDITOR = "审计"


def grant_kernel():
    """What the kernel's own models grant (the audit log and the site settings)."""
    grant(AUDITOR, "portal.view_auditevent", "portal.view_sitesettings", "portal.view_visitday")


class _Roles(Mapping):
    """Every role and its permissions as the parts granted them, read when asked."""

    def __getitem__(self, role):
        return grants()[role]

    def __iter__(self):
        return iter(grants())

    def __len__(self):
        return len(grants())


ROLES = _Roles()


def sync_roles(apps=None, strict=True):
    """Create the groups and set exactly the permissions ROLES lists. Returns {role: count}.

    A data migration runs this with ``strict=False``: permissions of models that later
    migrations create are skipped then, and added by the migration that creates them.
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    result = {}
    for role, names in grants().items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for name in names:
            app_label, codename = name.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                if strict:
                    raise LookupError(f"permission {name} does not exist (run migrate first)")
                continue
            permissions.append(permission)
        group.permissions.set(permissions)
        result[role] = len(permissions)
    return result
