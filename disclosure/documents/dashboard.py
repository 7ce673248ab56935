"""What waits for the document staff on the admin index (``portal.registry.todo_panel``):
reviewers see the documents to review, the revisions to approve and today's scheduled
publications; editors see their documents returned for changes."""

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.documents.models import Document, DocumentRevision

Status = Document.Status


def todo(user):
    if not user.has_perm("disclosure.view_document"):
        return []
    documents = Document.objects.for_staff(user)
    changelist = reverse("admin:disclosure_document_changelist")
    if user.has_perm("disclosure.publish_document"):
        return _for_reviewers(documents, changelist)
    if user.has_perm("disclosure.submit_document"):
        returned = documents.filter(status=Status.DRAFT, submitted_by=user).exclude(
            review_comment=""
        )
        return [
            {
                "label": _("退回修改的文件"),
                "count": returned.count(),
                "url": f"{changelist}?status__exact=draft",
            }
        ]
    return []


def _for_reviewers(documents, changelist):
    now = timezone.now()
    tomorrow = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=1), time.min)
    )
    pending = DocumentRevision.objects.pending().filter(document=OuterRef("pk"))
    today = timezone.localdate()
    return [
        {
            "label": _("待审核的文件"),
            "count": documents.filter(status=Status.SUBMITTED).count(),
            "url": f"{changelist}?status__exact=submitted",
        },
        {
            "label": _("待批准的修订"),
            "count": documents.filter(Exists(pending)).count(),
            "url": f"{changelist}?revision=pending",
        },
        {
            "label": _("今天定时发布"),
            "count": documents.filter(
                status=Status.PUBLISHED, published_at__gt=now, published_at__lt=tomorrow
            ).count(),
            "url": (
                f"{changelist}?status__exact=published&published_at__year={today.year}"
                f"&published_at__month={today.month}&published_at__day={today.day}"
            ),
        },
    ]
