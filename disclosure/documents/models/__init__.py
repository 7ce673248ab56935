from disclosure.documents.models.counts import PublicCount, public_counts_by_node
from disclosure.documents.models.documents import (
    CLOCK_SKEW,
    Attachment,
    Document,
    DocumentQuerySet,
    Genre,
    IndexCounter,
    Topic,
    attachment_path,
)
from disclosure.documents.models.links import LinkCheck
from disclosure.documents.models.revisions import (
    CONTENT_FIELDS,
    DocumentRevision,
    content_values,
    document_content,
)
from disclosure.documents.models.words import WordRule

__all__ = [
    "Attachment",
    "CLOCK_SKEW",
    "CONTENT_FIELDS",
    "Document",
    "DocumentQuerySet",
    "DocumentRevision",
    "Genre",
    "IndexCounter",
    "LinkCheck",
    "PublicCount",
    "Topic",
    "WordRule",
    "attachment_path",
    "content_values",
    "document_content",
    "public_counts_by_node",
]
