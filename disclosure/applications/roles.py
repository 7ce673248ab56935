"""The 依申请公开 clerks' role (依申请办理): the only staff who see applicants' personal data."""

from catalog.roles import READ as CATALOG_READ
from disclosure.documents.roles import READ as DOCUMENT_READ
from portal.registry import grant

REQUESTS = "依申请办理"


def register():
    grant(
        REQUESTS,
        *CATALOG_READ,
        *DOCUMENT_READ,
        "disclosure.view_document",
        "applications.add_application",
        "applications.change_application",
        "applications.view_application",
        "applications.view_letter",
        "applications.change_letter",
        "applications.view_email",
    )
