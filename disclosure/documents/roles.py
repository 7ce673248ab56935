"""What the staff roles may do with documents."""

from portal.registry import grant
from portal.roles import AUDITOR, CATALOGUER, EDITOR, REVIEWER

READ = ["disclosure.view_topic", "disclosure.view_genre"]
# The 错敏词 dictionary: reviewers keep it, editors read it to know what the check flags.
WORD_RULES = [
    "disclosure.add_wordrule",
    "disclosure.change_wordrule",
    "disclosure.delete_wordrule",
    "disclosure.view_wordrule",
]
# The broken links of their agencies' public documents (链接检查).
LINKS = ["disclosure.view_linkcheck"]
ATTACHMENTS = [
    "disclosure.add_attachment",
    "disclosure.change_attachment",
    "disclosure.delete_attachment",
    "disclosure.view_attachment",
]


def register():
    grant(
        EDITOR,
        *READ,
        "disclosure.add_document",
        "disclosure.change_document",
        "disclosure.delete_document",
        "disclosure.view_document",
        "disclosure.submit_document",
        "disclosure.view_wordrule",
        *ATTACHMENTS,
        *LINKS,
    )
    grant(
        REVIEWER,
        *READ,
        "disclosure.change_document",
        "disclosure.view_document",
        "disclosure.publish_document",
        "disclosure.withdraw_document",
        *WORD_RULES,
        *ATTACHMENTS,
        *LINKS,
    )
    grant(CATALOGUER, *READ)
    grant(
        AUDITOR,
        *READ,
        "disclosure.view_document",
        "disclosure.view_attachment",
        "disclosure.view_indexcounter",
        *LINKS,
    )
