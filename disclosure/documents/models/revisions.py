from datetime import UTC, date, datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from disclosure.documents.models.documents import Document
from portal.fields import SanitizedHTMLField
from portal.sanitize import clean_html

# The content staff edit in the document form. Once a document is published, a change to any of
# them waits in a DocumentRevision until a second reviewer approves it.
CONTENT_FIELDS = [
    "title", "summary", "body", "agency", "node", "extra_nodes", "topic", "genre", "doc_number",
    "written_on", "published_at", "backdate_reason", "validity", "validity_changed_on", "keywords", "disclosure_mode",
    "interprets",
]  # fmt: skip


def _json_value(field, value):
    if field.many_to_many:
        return sorted(item if isinstance(item, int) else item.pk for item in value or [])
    if field.many_to_one:
        return value.pk if isinstance(value, models.Model) else value
    if isinstance(field, SanitizedHTMLField):
        return clean_html(value or "")  # the same cleaning as the document's own save
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def content_values(values):
    """``values`` (a form's cleaned data, field name → value) as the JSON a revision stores."""
    return {
        name: _json_value(Document._meta.get_field(name), values[name])
        for name in CONTENT_FIELDS
        if name in values
    }


def document_content(document):
    """The stored content of ``document`` in the same JSON form."""
    values = {}
    for name in CONTENT_FIELDS:
        field = Document._meta.get_field(name)
        if field.many_to_many:
            values[name] = getattr(document, name).values_list("pk", flat=True)
        else:
            values[name] = getattr(document, field.attname)
    return content_values(values)


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        """Revisions waiting for a reviewer's decision."""
        return self.filter(status=DocumentRevision.Status.PENDING)

    def latest_rejected_of(self, user):
        """``user``'s latest revision among these, if a reviewer turned it down; else None."""
        latest = self.filter(author=user).select_related("decided_by").order_by("-pk").first()
        return latest if latest and latest.status == DocumentRevision.Status.REJECTED else None


ATTACHMENT_CHANGES = {
    "add": _("添加附件"),
    "replace": _("替换附件"),
    "delete": _("删除附件"),
    "reorder": _("调整附件排序"),
}


def attachment_change_label(change):
    """One entry of ``DocumentRevision.attachment_changes`` in words."""
    label = ATTACHMENT_CHANGES[change["change"]]
    if change["change"] == "replace":
        return f"{label}：{change['old_name']} → {change['name']}"
    if change["change"] == "reorder":
        return f"{label}：{change['name']}（{change['sort_order']}）"
    return f"{label}：{change['name']}"


class DocumentRevision(models.Model):
    """修订: a proposed change to a published document, live only once another reviewer approves it.

    ``base`` is the document's content when the revision was made and ``values`` the proposed
    content (both as ``document_content`` gives them); approval refuses a revision whose base
    no longer matches the document.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    document = models.ForeignKey(
        Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="revisions"
    )
    base = models.JSONField(_("修订前内容"))
    values = models.JSONField(_("修订后内容"))
    attachment_changes = models.JSONField(
        _("附件变更"),
        default=list,
        blank=True,
        help_text=_("添加、替换、删除或调整排序的附件；新附件在批准前不对外公开。"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    comment = models.TextField(_("审核意见"), blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("文件修订")
        verbose_name_plural = _("文件修订")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["document", "status"], name="revision_document_status_idx")]

    def __str__(self):
        return _("《%(title)s》的修订 #%(pk)s") % {"title": self.values.get("title"), "pk": self.pk}

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def base_moved(self, document):
        """Whether ``document`` changed since this revision was made. Fields added to
        CONTENT_FIELDS after it was made (absent from its base) are left out."""
        current = document_content(document)
        return any(current.get(name) != value for name, value in self.base.items())

    @property
    def changed_fields(self):
        return [name for name in CONTENT_FIELDS if self.values.get(name) != self.base.get(name)]

    @property
    def attachment_summary(self):
        """The attachment changes as staff read them, e.g. ["替换附件：旧.pdf → 新.pdf"]."""
        return [attachment_change_label(change) for change in self.attachment_changes]

    def apply_to(self, document):
        """Set the changed fields on ``document`` (unsaved); returns {m2m name: ids} to set after saving."""
        many = {}
        for name in self.changed_fields:
            field = Document._meta.get_field(name)
            value = self.values[name]
            if field.many_to_many:
                many[name] = value
            elif field.many_to_one:
                setattr(document, field.attname, value)
            else:
                setattr(document, name, field.to_python(value))
        return many
