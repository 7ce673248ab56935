"""The staff roles (Django groups) and their permissions: the one definition.

Created by a data migration and kept in step by ``python manage.py sync_roles``. What each role
may do inside its permissions is narrowed further by agency (catalog.scoping) and by the
workflow's rules (disclosure.documents.services).
"""

EDITOR = "信息编辑"
REVIEWER = "审核发布"
CATALOGUER = "目录管理"
AUDITOR = "审计"
PROPOSALS = "建议提案办理"
REQUESTS = "依申请办理"

READ_REFERENCE = [
    "catalog.view_agency",
    "catalog.view_catalognode",
    "disclosure.view_topic",
    "disclosure.view_genre",
]

ROLES = {
    EDITOR: READ_REFERENCE
    + [
        "disclosure.add_document",
        "disclosure.change_document",
        "disclosure.delete_document",
        "disclosure.view_document",
        "disclosure.submit_document",
        "disclosure.add_annualreport",
        "disclosure.change_annualreport",
        "disclosure.view_annualreport",
        "disclosure.add_reportoverride",
        "disclosure.change_reportoverride",
        "disclosure.delete_reportoverride",
        "disclosure.view_reportoverride",
        "disclosure.add_disclosureguide",
        "disclosure.change_disclosureguide",
        "disclosure.view_disclosureguide",
        "disclosure.add_attachment",
        "disclosure.change_attachment",
        "disclosure.delete_attachment",
        "disclosure.view_attachment",
    ],
    REVIEWER: READ_REFERENCE
    + [
        "disclosure.change_document",
        "disclosure.view_document",
        "disclosure.publish_document",
        "disclosure.withdraw_document",
        "disclosure.add_annualreport",
        "disclosure.change_annualreport",
        "disclosure.view_annualreport",
        "disclosure.add_reportoverride",
        "disclosure.change_reportoverride",
        "disclosure.delete_reportoverride",
        "disclosure.view_reportoverride",
        "disclosure.add_disclosureguide",
        "disclosure.change_disclosureguide",
        "disclosure.view_disclosureguide",
        "disclosure.add_attachment",
        "disclosure.change_attachment",
        "disclosure.delete_attachment",
        "disclosure.view_attachment",
    ],
    CATALOGUER: READ_REFERENCE
    + [
        "catalog.add_catalognode",
        "catalog.change_catalognode",
        "catalog.delete_catalognode",
    ],
    AUDITOR: READ_REFERENCE
    + [
        "catalog.view_all_agencies",
        "disclosure.view_document",
        "disclosure.view_attachment",
        "disclosure.view_indexcounter",
        "disclosure.view_annualreport",
        "disclosure.view_reportoverride",
        "disclosure.view_disclosureguide",
        "portal.view_auditevent",
        "portal.view_sitesettings",
        "disclosure.view_congresssession",
        "disclosure.view_proposal",
        "disclosure.view_proposalreply",
        "disclosure.view_cohandlingopinion",
    ],
    PROPOSALS: READ_REFERENCE
    + [
        "disclosure.view_document",
        "disclosure.add_document",
        "disclosure.change_document",
        "disclosure.submit_document",
        "disclosure.view_congresssession",
        "disclosure.view_replyclassification",
        "disclosure.add_proposal",
        "disclosure.change_proposal",
        "disclosure.view_proposal",
        "disclosure.add_proposalreply",
        "disclosure.change_proposalreply",
        "disclosure.view_proposalreply",
        "disclosure.add_cohandlingopinion",
        "disclosure.change_cohandlingopinion",
        "disclosure.delete_cohandlingopinion",
        "disclosure.view_cohandlingopinion",
    ],
    REQUESTS: READ_REFERENCE
    + [
        "disclosure.view_document",
        "disclosure.add_application",
        "disclosure.change_application",
        "disclosure.view_application",
        "disclosure.view_letter",
        "disclosure.change_letter",
        "disclosure.view_email",
    ],
}


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
    for role, names in ROLES.items():
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
