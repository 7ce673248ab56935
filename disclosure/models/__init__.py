# Proposals live in their own package; imported here so the app registry finds them.
from ..proposals.models import (
    CoHandlingOpinion,
    CongressSession,
    Proposal,
    ProposalQuerySet,
    ProposalReply,
    ReplyClassification,
)
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
