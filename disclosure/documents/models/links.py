import hashlib

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.scoping import agency_scope
from disclosure.documents.models.documents import Document


def url_key(url):
    """The key of ``url`` in a document's results: its SHA-256 (URLs are too long to index)."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


class LinkCheckQuerySet(models.QuerySet):
    def for_staff(self, user):
        """Results of the documents of the agencies ``user`` (or SYSTEM) works for."""
        return self.filter(agency_scope(user).q("document__agency"))

    def broken(self):
        return self.filter(ok=False)

    def on_public_documents(self):
        return self.filter(document__in=Document.objects.public().values("pk"))

    def external_due(self):
        """External links of public documents, the least recently checked (never checked) first."""
        return (
            self.on_public_documents()
            .filter(kind=LinkCheck.Kind.EXTERNAL)
            .order_by(models.F("checked_at").asc(nulls_first=True), "pk")
        )


class LinkCheck(models.Model):
    """链接检查: one link of a document (in its body, or one of its attachments) and what its
    last check found. One row per document and URL, updated in place; ``first_broken_at`` is
    when it was first found broken since it last worked."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("本站链接")
        EXTERNAL = "external", _("外部链接")
        ATTACHMENT = "attachment", _("附件")

    class Place(models.TextChoices):
        LINK = "link", _("正文链接")
        IMAGE = "image", _("正文图片")
        ATTACHMENT = "attachment", _("附件")

    document = models.ForeignKey(
        Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="link_checks"
    )
    url = models.TextField(_("链接地址"))
    url_key = models.CharField(_("链接地址键"), max_length=64, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    place = models.CharField(_("位置"), max_length=16, choices=Place.choices)
    text = models.CharField(_("链接文字"), max_length=200, blank=True)
    # The document an internal link opens (its page or one of its attachments): a withdrawal
    # breaks the links to it at once, a publication mends them.
    target_document = models.ForeignKey(
        Document,
        verbose_name=_("链接指向的文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ok = models.BooleanField(_("可以访问"), null=True, help_text=_("空：尚未检查。"))
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    error = models.CharField(_("问题"), max_length=200, blank=True)
    failures = models.PositiveSmallIntegerField(_("连续失败次数"), default=0)
    first_broken_at = models.DateTimeField(_("首次发现无法访问"), null=True, blank=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    objects = LinkCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("无法访问的链接")
        verbose_name_plural = _("无法访问的链接")
        ordering = ["-first_broken_at", "pk"]
        constraints = [
            # url_key first: the external checker finds every row of a URL by it.
            models.UniqueConstraint(fields=["url_key", "document"], name="linkcheck_unique_url"),
        ]
        indexes = [
            # The external checker's queue: the least recently checked first.
            models.Index(
                fields=["kind", "checked_at"],
                name="linkcheck_due_idx",
                condition=Q(kind="external"),
            ),
            models.Index(
                fields=["first_broken_at"], name="linkcheck_broken_idx", condition=Q(ok=False)
            ),
        ]

    def __str__(self):
        return self.url
