"""The document admin's pages of its own, as view classes receiving the model admin
(``portal.admin_pages.AdminPage``): a workflow step's page, a revision's page, the comparison of
two versions, and the staff's catalogue listing."""

import copy
from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.documents import links, services, wording
from disclosure.documents.listings import ExportForm, ExportLimited, export_response
from disclosure.documents.models import Document, DocumentRevision, LinkCheck
from disclosure.documents.models.revisions import ATTACHMENT_CHANGES
from disclosure.documents.text_diff import body_diff_table
from portal import downloads
from portal.admin_pages import AdminPage
from portal.widgets import name_unlabelled_inputs

# What staff read once a decision on a revision went through, by its transition's key.
DECISION_DONE = {
    "approve": _("修订 #%(pk)s 已批准，修改已对外生效。"),
    "reject": _("修订 #%(pk)s 已驳回，文件保持不变。"),
}


OVERRIDE_LABEL = _("放行理由")
OVERRIDE_HELP = _(
    "文件含有“严重”错敏词。确认无误需保留原写法的（如引用原文、历史表述），请说明理由；"
    "理由与所涉词语记入审计日志。"
)


def override_field():
    return forms.CharField(
        label=OVERRIDE_LABEL,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=OVERRIDE_HELP,
    )


class RevisionDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("驳回时必填。"),
    )
    override = override_field()


def word_review(matches, body_text):
    """What the review pages show of the 错敏词 check: the matches with their context, and the
    body as text with the matches marked (escaped; only the marks are markup)."""
    return {
        "word_checked": True,
        "word_matches": matches,
        "severe_count": sum(1 for m in matches if m.severe),
        "word_body": wording.highlighted(body_text, [m for m in matches if m.field == "body"]),
    }


def document_word_review(document):
    return word_review(wording.document_matches(document), wording.html_text(document.body))


def revision_word_review(document, revision):
    """The check of ``document`` as ``revision`` would leave it (nothing saved)."""
    after = copy.copy(document)
    revision.apply_to(after)
    names = wording.revision_attachment_names(document, revision)
    return word_review(wording.document_matches(after, names), wording.html_text(after.body))


def word_warning(document):
    """The warning an editor reads after submitting a document with matches, or None."""
    matches = wording.document_matches(document)
    if not matches:
        return None
    severe = sum(1 for m in matches if m.severe)
    return _(
        "《%(title)s》含有 %(n)s 处错敏词（其中严重 %(severe)s 处）：%(words)s。"
        "请核对；严重错敏词须改正，或由审核人员说明理由后才能发布。"
    ) % {
        "title": document.title,
        "n": len(matches),
        "severe": severe,
        "words": "、".join(dict.fromkeys(f"“{m.wrong}”" for m in matches)),
    }


def diff_rows(pairs):
    """Rows for the diff templates from (field, old, new): bodies as a side-by-side line diff."""
    rows = []
    for field, before, after in pairs:
        if field.name == "body":
            rows.append({"label": field.verbose_name, "table": body_diff_table(before, after)})
        else:
            rows.append({"label": field.verbose_name, "old": before, "new": after})
    return rows


def display_value(field, value):
    """A revision's stored value as staff read it: names for related rows, labels for choices."""
    if value in (None, "", []):
        return ""
    if field.many_to_many:
        return "、".join(str(o) for o in field.related_model._default_manager.filter(pk__in=value))
    if field.many_to_one:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateTimeField):
        parsed = field.to_python(value)
        return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M:%S") if parsed else value
    if isinstance(field, models.DateField):
        parsed = field.to_python(value)
        return parsed.isoformat() if parsed else value
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


# Left out of a version comparison: bookkeeping, and the index number's parts (shown whole).
VERSION_UNCOMPARED = {
    "id", "created_at", "is_demo", "index_number_text", "index_code", "index_year", "index_serial",
    "validity_before",
}  # fmt: skip
INDEX_NUMBER = SimpleNamespace(name="index_number", verbose_name=_("索引号"))


def version_changes(new, old):
    """What changed from one stored version of a document to another, as (field, old, new) for
    diff_rows: every field staff see, the status and the withdrawal included (simple-history
    compares editable fields only), names for related rows, local times. Reads each version's
    columns as stored, without queries, but for the names of changed related rows."""
    rows = []
    for tracked in new.tracked_fields:
        if tracked.name in VERSION_UNCOMPARED:
            continue
        before, after = getattr(old, tracked.attname), getattr(new, tracked.attname)
        if before != after:
            field = Document._meta.get_field(tracked.name)
            rows.append((field, display_value(field, before), display_value(field, after)))
    numbers = [v.instance.index_number for v in (old, new)]
    if numbers[0] != numbers[1]:
        rows.insert(0, (INDEX_NUMBER, numbers[0] or "", numbers[1] or ""))
    return rows


def revision_attachment_rows(document, revision):
    """A revision's attachment changes for its page, linking the files that are still stored."""
    changes = revision.attachment_changes
    stored = document.attachments.in_bulk(
        [pk for c in changes for pk in (c.get("old"), c.get("new")) if pk]
    )
    rows = []
    for c in changes:
        after = {"delete": _("（删除）"), "reorder": _("排序：%s") % c.get("sort_order")}
        rows.append(
            {
                "label": ATTACHMENT_CHANGES[c["change"]],
                "before": c.get("old_name", ""),
                "before_file": stored.get(c.get("old")),
                "after": after.get(c["change"], c["name"]),
                "after_file": stored.get(c.get("new")),
            }
        )
    return rows


class TransitionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), required=False)
    at = forms.SplitDateTimeField(
        label=_("发布时间"),
        required=False,
        widget=admin_widgets.AdminSplitDateTime,
        help_text=_(
            "留空则使用文件中填写的发布日期，未填写则立即发布；填写将来的时间即定时发布。"
            "不能填写过去的时间：发布日期由系统记录为发布的时刻。"
        ),
    )
    override = override_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_unlabelled_inputs(self)


# The steps whose page shows the 错敏词 check: the editor's submit, the reviewer's publish.
WORD_CHECKED = {"submit", "publish"}


# The transitions that put content online: their pages list the broken internal links first.
CHECKS_LINKS = {"publish"}


def link_warnings(document, body=None):
    """The internal links and attachments of ``document`` (or of ``body``) broken now, as rows
    for the warning a reviewer reads before content goes online. It does not block."""
    return [
        {"url": link.url, "text": link.text, "error": outcome.error}
        for link, outcome in links.broken_internal(document, body)
    ]


def broken_after(admin, request, document):
    """Tell the reviewer how many of the links just checked are broken, if any."""
    count = document.link_checks.filter(ok=False).exclude(kind=LinkCheck.Kind.EXTERNAL).count()
    if count:
        admin.message_user(
            request,
            _("《%(title)s》有 %(n)d 个本站链接或附件无法访问，请在“链接检查”中查看并尽快修改。")
            % {"title": document.title, "n": count},
            messages.WARNING,
        )


class TransitionPage(AdminPage):
    """The page behind a workflow button: asks for what the transition needs, then runs it."""

    template_name = "admin/disclosure/document/transition.html"

    def get(self, request, object_id, key):
        admin = self.model_admin
        transition = services.TRANSITIONS.get(key)
        if transition is None or transition.kind != services.BUTTON:
            raise Http404
        document = admin._scoped_or_404(request, object_id)
        if not transition.permits(request.user):
            raise PermissionDenied
        words = {}
        if transition.key in WORD_CHECKED:
            words = document_word_review(document)
        form = self.form(transition, request, severe=words.get("severe_count"))
        if request.method == "POST" and form.is_valid():
            self.run(request, transition, document, form)
            return HttpResponseRedirect(
                reverse("admin:disclosure_document_change", args=[document.pk])
            )
        context = {
            "original": document,
            "title": f"{transition.label}：{document.title}",
            "action_title": transition.label,
            "form": form,
            "media": admin.media + form.media,
            **words,
            "link_warnings": link_warnings(document) if key in CHECKS_LINKS else [],
        }
        return self.render(request, context)

    def form(self, transition, request, *, severe):
        form = TransitionForm(request.POST if request.method == "POST" else None)
        if transition.text_label:
            form.fields["text"].label = transition.text_label
            form.fields["text"].required = True
        else:
            del form.fields["text"]
        if not transition.schedulable:
            del form.fields["at"]
        if transition.checks_words and severe:
            form.fields["override"].required = True
        else:
            del form.fields["override"]
        return form

    def run(self, request, transition, document, form):
        admin = self.model_admin
        try:
            transition.run(
                document,
                request.user,
                text=form.cleaned_data.get("text", ""),
                at=form.cleaned_data.get("at"),
                override=form.cleaned_data.get("override", ""),
            )
        except services.WorkflowError as exc:
            admin.message_user(request, str(exc), messages.ERROR)
            return
        admin.message_user(
            request,
            _("《%(title)s》：%(action)s完成。")
            % {"title": document.title, "action": transition.label},
        )
        if transition.key == "submit":
            warning = word_warning(document)
            if warning:
                admin.message_user(request, warning, messages.WARNING)
        if transition.key in CHECKS_LINKS:
            broken_after(admin, request, document)

    post = get


class ComparePage(AdminPage):
    """Two versions of a document side by side."""

    template_name = "admin/disclosure/document/compare.html"

    def get(self, request, object_id):
        admin = self.model_admin
        document = admin._scoped_or_404(request, object_id)
        versions = list(document.history.select_related("history_user").order_by("-history_date"))
        by_id = {str(v.history_id): v for v in versions}
        new = by_id.get(request.GET.get("new")) or (versions[0] if versions else None)
        old = by_id.get(request.GET.get("old")) or (versions[1] if len(versions) > 1 else new)
        changes = []
        if old and new and old is not new:
            changes = diff_rows(version_changes(new, old))
        context = {
            "original": document,
            "title": _("比较版本：%(title)s") % {"title": document.title},
            "versions": versions,
            "old": old,
            "new": new,
            "changes": changes,
        }
        return self.render(request, context)

    post = get  # a POST shows the same page, after the same checks


class RevisionPage(AdminPage):
    """A revision's changes against the document it was made on; approve or reject it."""

    template_name = "admin/disclosure/document/revision.html"

    def get(self, request, object_id, revision_id):
        admin = self.model_admin
        document = admin._scoped_or_404(request, object_id)
        try:
            revision = document.revisions.select_related("author", "decided_by").get(pk=revision_id)
        except DocumentRevision.DoesNotExist:
            raise Http404
        words = revision_word_review(document, revision) if revision.is_pending else {}
        form = RevisionDecisionForm(request.POST if request.method == "POST" else None)
        if not words.get("severe_count"):
            del form.fields["override"]
        if request.method == "POST":
            decision = services.TRANSITIONS.get(request.POST.get("decision"))
            if decision is None or decision.kind != services.DECISION:
                raise PermissionDenied
            if not decision.permits(request.user) or not form.is_valid():
                raise PermissionDenied
            try:
                decision.run(
                    revision,
                    request.user,
                    text=form.cleaned_data["comment"],
                    override=form.cleaned_data.get("override", ""),
                )
            except services.WorkflowError as exc:
                admin.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(request.path)
            done = DECISION_DONE[decision.key] % {"pk": revision.pk}
            admin.message_user(request, done, messages.SUCCESS)
            if decision.key == "approve":
                broken_after(admin, request, document)
            return HttpResponseRedirect(
                reverse("admin:disclosure_document_change", args=[document.pk])
            )
        changes = diff_rows(
            (
                field,
                display_value(field, revision.base.get(name)),
                display_value(field, revision.values.get(name)),
            )
            for name in revision.changed_fields
            for field in [Document._meta.get_field(name)]
        )
        context = {
            "original": document,
            "revision": revision,
            "title": _("修订 #%(pk)s：%(title)s") % {"pk": revision.pk, "title": document.title},
            "changes": changes,
            "attachment_changes": revision_attachment_rows(document, revision),
            "form": form,
            "may_decide": services.may_decide(revision, request.user),
            "may_approve": services.may_approve(revision, request.user),
            **words,
            "link_warnings": (
                link_warnings(document, revision.values.get("body"))
                if revision.is_pending and "body" in revision.changed_fields
                else []
            ),
        }
        return self.render(request, context)

    post = get


class ExportPage(AdminPage):
    """The catalogue listing for staff: their agencies only, any status they ask for, audited."""

    template_name = "admin/disclosure/document/export.html"

    def get(self, request):
        admin = self.model_admin
        if not admin.has_view_permission(request):
            raise PermissionDenied
        form = ExportForm(request.GET if "format" in request.GET else None, user=request.user)
        status = 200
        if form.is_bound and form.is_valid():
            try:
                return export_response(
                    request,
                    form.filters(),
                    form.cleaned_data["format"],
                    form.cleaned_data.get("encoding") or "utf-8",
                    user=request.user,
                )
            except downloads.TooLarge:
                form.add_error(
                    None, _("超过 Excel 单表行数上限（1,048,575 行），请改用 CSV 或缩小范围。")
                )
            except ExportLimited as limited:
                form.add_error(None, str(limited))
                status = 429
        context = {
            "title": _("导出公开目录"),
            "form": form,
        }
        return self.render(request, context, status=status)

    post = get  # a POST shows the same page, after the same checks
