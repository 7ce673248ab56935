"""Writes that touch several models: publishing, index numbers, attachments.

Called by the admin, management commands and tests alike; each runs in one transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .index_numbers import parse_index_number
from .models import Attachment, Document, IndexCounter
from .uploads import check_attachment


class PublishError(Exception):
    """A document cannot be published; the message says why, in Chinese."""


def _locked_counter(code, year):
    # When two publishers create the row at once, get_or_create catches the loser's
    # IntegrityError and reads the winner's row again, with select_for_update waiting for it.
    return IndexCounter.objects.select_for_update().get_or_create(credit_code=code, year=year)[0]


@transaction.atomic
def assign_index_number(document):
    """Give ``document`` the next serial of its agency and publication year (unsaved)."""
    year = timezone.localtime(document.published_at).year
    code = document.agency.credit_code
    counter = _locked_counter(code, year)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    document.index_code, document.index_year, document.index_serial = (
        code,
        year,
        counter.last_serial,
    )


@transaction.atomic
def set_legacy_index_number(document, text):
    """Keep the index number a migrated document had on the old site; move the counter past it."""
    code, year, serial = parse_index_number(text)
    taken = Document.objects.filter(index_code=code, index_year=year, index_serial=serial)
    if document.pk:
        taken = taken.exclude(pk=document.pk)
    if taken.exists():
        raise ValidationError(
            _("索引号 %(value)s 已被其他文件使用。"), params={"value": text.strip()}
        )
    counter = _locked_counter(code, year)
    if serial > counter.last_serial:
        counter.last_serial = serial
        counter.save(update_fields=["last_serial"])
    document.index_code, document.index_year, document.index_serial = code, year, serial


def missing_for_publication(document):
    missing = []
    if not document.title.strip():
        missing.append(_("标题"))
    if not document.body.strip():
        missing.append(_("正文"))
    if not document.agency_id:
        missing.append(_("发布机构"))
    if not document.node_id:
        missing.append(_("所属栏目"))
    return missing


@transaction.atomic
def publish(document, *, at=None):
    """Publish ``document`` now, or at ``at`` (a future time schedules it).

    Assigns the index number on first publication. Raises PublishError and changes nothing
    when the document is already published or incomplete.
    """
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=document.pk)
    )
    if document.status == Document.Status.PUBLISHED:
        raise PublishError(_("《%(title)s》已经发布。") % {"title": document.title})
    missing = missing_for_publication(document)
    if missing:
        raise PublishError(
            _("《%(title)s》不能发布：缺少%(fields)s。")
            % {"title": document.title, "fields": "、".join(missing)}
        )
    document.published_at = at or document.published_at or timezone.now()
    if document.index_serial is None:
        assign_index_number(document)
    document.status = Document.Status.PUBLISHED
    document.save()
    return document


@transaction.atomic
def add_attachment(document, upload, *, name=None, sort_order=0):
    """Check ``upload`` by content and name, store it and record its size and SHA-256."""
    checked = check_attachment(upload, name=name)
    attachment = Attachment(
        document=document,
        original_name=checked.original_name,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        sort_order=sort_order,
    )
    attachment.file.save(checked.original_name, upload, save=False)
    attachment.save()
    return attachment
