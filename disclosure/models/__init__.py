# Proposals and applications live in their own packages; imported here so the app registry
# finds them.
from ..applications.models import Application, Consultation, Email, Letter
from ..proposals.models import (
    CoHandlingOpinion,
    CongressSession,
    Proposal,
    ProposalQuerySet,
    ProposalReply,
    ReplyClassification,
)
from ..reports.models import AnnualReport, DisclosureGuide, ReportOverride
from .counts import PublicCount, public_counts_by_node
from .documents import (
    Attachment,
    Document,
    DocumentQuerySet,
    Genre,
    IndexCounter,
    Topic,
    attachment_path,
)
from .revisions import CONTENT_FIELDS, DocumentRevision, content_values, document_content

__all__ = [
    "AnnualReport",
    "DisclosureGuide",
    "ReportOverride",
    "Application",
    "Consultation",
    "Email",
    "Letter",
    "Attachment",
    "CoHandlingOpinion",
    "CONTENT_FIELDS",
    "CongressSession",
    "Document",
    "DocumentQuerySet",
    "DocumentRevision",
    "Genre",
    "IndexCounter",
    "Proposal",
    "ProposalQuerySet",
    "ProposalReply",
    "PublicCount",
    "ReplyClassification",
    "Topic",
    "attachment_path",
    "content_values",
    "document_content",
    "public_counts_by_node",
]
