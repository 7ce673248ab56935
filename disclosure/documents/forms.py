from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.documents.index_numbers import read_index_number
from disclosure.documents.models import CONTENT_FIELDS, Attachment, Document
from disclosure.documents.services import (
    IndexNumberTaken,
    check_legacy_index_number,
    publication_dates,
)
from disclosure.documents.uploads import check_attachment
from portal.editor import EditorWidget
from portal.widgets import name_unlabelled_inputs


class DocumentAdminForm(forms.ModelForm):
    legacy_index_number = forms.CharField(
        label=_("原索引号（迁移文件）"),
        required=False,
        help_text=_(
            "从旧网站迁移的文件照原网站显示的填写原索引号（如 115002240093343308/2022-00225、"
            "01527918X-2020-00003、6107280000/2024-001005），发布时原样保留；"
            "新文件留空，发布时按发布机构的索引号格式自动编号。"
        ),
    )

    class Meta:
        model = Document
        fields = CONTENT_FIELDS
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField title-input"}),
            "body": EditorWidget(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "backdate_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        published_at = self.fields.get("published_at")
        if published_at is not None and hasattr(published_at.widget, "widgets"):
            # The Chinese time format shows hours and minutes only: re-saving a form would cut
            # the seconds off the publication time (and make it a change of a published one).
            published_at.widget.widgets[1].format = "%H:%M:%S"
        validity = self.fields.get("validity")
        if validity is not None:  # blank: the validity is not stated (never shown as 有效)
            validity.choices = [("", _("（未注明）")), *Document.Validity.choices]
        name_unlabelled_inputs(self)
        if self.instance.index_number_text:
            self.fields["legacy_index_number"].disabled = True
            self.fields["legacy_index_number"].initial = self.instance.index_number
            self.fields["legacy_index_number"].help_text = _("索引号一经分配不再改变。")

    def _clean_dates(self, cleaned, legacy):
        """成文日期 not after 发布日期; a changed 发布日期 as services.publication_dates allows:
        not in the past, unless the document is from an old site (its old index number, typed
        here or kept) with a reason."""
        # Also Document.clean's rule; checked here first, as the date below may be refused.
        written, published = cleaned.get("written_on"), cleaned.get("published_at")
        if written and published and written > timezone.localtime(published).date():
            self.add_error("written_on", _("成文日期不能晚于发布日期。"))
        if self.instance.status in ("published", "withdrawn") and not published:
            self.add_error("published_at", _("已发布的文件必须有发布日期。"))
            return
        if published and {"published_at", "backdate_reason"} & set(self.changed_data):
            try:
                publication_dates(
                    self.instance,
                    published,
                    migrated_number=self.instance.migrated_index_number
                    or ("" if self.instance.index_number_text else legacy),
                    reason=cleaned.get("backdate_reason", ""),
                )
            except ValidationError as exc:
                self.add_error("published_at", exc)

    def clean_legacy_index_number(self):
        value = self.cleaned_data["legacy_index_number"].strip()
        if value and not self.instance.index_number_text:
            value = read_index_number(value).text
            taken = Document.objects.filter(migrated_index_number=value)
            if taken.exclude(pk=self.instance.pk).exists():
                raise IndexNumberTaken(value)
        return value

    def clean(self):
        cleaned = super().clean()
        legacy, agency = cleaned.get("legacy_index_number"), cleaned.get("agency")
        if legacy and agency and not self.instance.index_number_text:
            try:
                check_legacy_index_number(legacy, agency, self.instance)
            except ValidationError as exc:
                self.add_error("legacy_index_number", exc)
        # An index number never changes, so neither may the agency whose code it carries.
        code = self.instance.index_code
        if (
            code
            and agency
            and "agency" in self.changed_data
            and code not in (agency.credit_code, agency.org_code)
        ):
            self.add_error(
                "agency",
                _("本文件的索引号 %(number)s 属于机构代码为 %(code)s 的机构，不能改为其他机构。")
                % {"number": self.instance.index_number, "code": code},
            )
        self._clean_dates(cleaned, legacy)
        genre, interprets = cleaned.get("genre"), cleaned.get("interprets")
        if interprets and (genre is None or not genre.is_interpretation):
            self.add_error("interprets", _("只有体裁为“政策解读”的文件才能关联所解读的文件。"))
        if interprets and self.instance.pk and any(d.pk == self.instance.pk for d in interprets):
            self.add_error("interprets", _("文件不能解读它自己。"))
        return cleaned


class AttachmentInlineForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file", "sort_order"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            self._checked = check_attachment(upload)
        return upload

    def save(self, commit=True):
        checked = getattr(self, "_checked", None)
        if checked:
            self.instance.original_name = checked.original_name
            self.instance.kind = checked.kind
            self.instance.size = checked.size
            self.instance.sha256 = checked.sha256
        return super().save(commit)
