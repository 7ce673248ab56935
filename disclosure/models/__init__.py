"""Wiring: every model of the disclosure app, imported here so Django's app registry finds them.
Only the app's wiring imports this module; code imports each model from its own package."""

from disclosure.documents.models import (
    CONTENT_FIELDS,
    Attachment,
    Document,
    DocumentQuerySet,
    DocumentRevision,
    Genre,
    IndexCounter,
    LinkCheck,
    PublicCount,
    Topic,
    WordRule,
    attachment_path,
    content_values,
    document_content,
    public_counts_by_node,
)
from disclosure.proposals.models import (
    CoHandlingOpinion,
    CongressSession,
    Proposal,
    ProposalQuerySet,
    ProposalReply,
    ReplyClassification,
)
from disclosure.reports.models import (
    AnnualReport,
    DisclosureGuide,
    InspectionSnapshot,
    ReportOverride,
    WebsiteAnnualReport,
)

__all__ = [
    "AnnualReport",
    "Attachment",
    "CONTENT_FIELDS",
    "CoHandlingOpinion",
    "CongressSession",
    "DisclosureGuide",
    "Document",
    "DocumentQuerySet",
    "DocumentRevision",
    "Genre",
    "IndexCounter",
    "LinkCheck",
    "InspectionSnapshot",
    "Proposal",
    "ProposalQuerySet",
    "ProposalReply",
    "PublicCount",
    "ReplyClassification",
    "ReportOverride",
    "Topic",
    "WordRule",
    "WebsiteAnnualReport",
    "attachment_path",
    "content_values",
    "document_content",
    "public_counts_by_node",
]
