from .documents import (
    INTERPRETATION_GENRE,
    NORMATIVE_GENRE,
    Attachment,
    Document,
    DocumentQuerySet,
    Genre,
    IndexCounter,
    Topic,
    attachment_path,
    public_counts_by_node,
)
from .proposals import (
    CoHandlingOpinion,
    CongressSession,
    Proposal,
    ProposalQuerySet,
    ProposalReply,
    ReplyClassification,
)

__all__ = [
    "INTERPRETATION_GENRE",
    "NORMATIVE_GENRE",
    "Attachment",
    "CoHandlingOpinion",
    "CongressSession",
    "Document",
    "DocumentQuerySet",
    "Genre",
    "IndexCounter",
    "Proposal",
    "ProposalQuerySet",
    "ProposalReply",
    "ReplyClassification",
    "Topic",
    "attachment_path",
    "public_counts_by_node",
]
