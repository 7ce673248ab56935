"""The proposal clerks' role (建议提案办理) and what it and the auditors may do with proposals."""

from catalog.roles import READ as CATALOG_READ
from disclosure.documents.roles import READ as DOCUMENT_READ
from portal.registry import grant
from portal.roles import AUDITOR

PROPOSALS = "建议提案办理"


def register():
    grant(
        PROPOSALS,
        *CATALOG_READ,
        *DOCUMENT_READ,
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
    )
    grant(
        AUDITOR,
        "disclosure.view_congresssession",
        "disclosure.view_proposal",
        "disclosure.view_proposalreply",
        "disclosure.view_cohandlingopinion",
    )
