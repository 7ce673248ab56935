from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import services
from catalog.import_uploads import check_upload
from catalog.models import Agency, CatalogNode, ColumnKind
from catalog.text import split_list
from catalog.tree import TreeChangeRefused


class CatalogNodeAdminForm(forms.ModelForm):
    """The node form: 公开渠道和载体 as checkboxes of the usual channels plus free text."""

    channel_choices = forms.MultipleChoiceField(
        label=_("公开渠道和载体"),
        choices=[(c, c) for c in CatalogNode.CHANNEL_OPTIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    channel_other = forms.CharField(
        label=_("其他渠道"),
        required=False,
        help_text=_("不在上面列表中的渠道，多个用顿号“、”分隔。"),
    )

    class Meta:
        model = CatalogNode
        fields = [
            "name",
            "slug",
            "parent",
            "agency",
            "description",
            "is_visible",
            "kind",
            "shown_when_empty",
            "shown_when_empty_reason",
            "content",
            "basis",
            "time_limit_text",
            "time_limit_days",
            "subject",
            "audience",
            "mode",
            "level_county",
            "level_township",
            "update_interval_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.channels or [])
        known = set(CatalogNode.CHANNEL_OPTIONS)
        self.fields["channel_choices"].initial = [c for c in current if c in known]
        self.fields["channel_other"].initial = "、".join(c for c in current if c not in known)
        if "kind" in self.fields:  # not on a read-only page
            self.fields["kind"].required = False

    # The admin sets the acting user; a change of parent is then checked as a move.
    user = None

    def clean_kind(self):
        # A form sent without a kind (an older page, a script) leaves the column 其他.
        return self.cleaned_data.get("kind") or self.instance.kind or ColumnKind.OTHER

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        stored = self.instance.pk and CatalogNode.objects.filter(pk=self.instance.pk).first()
        if self.user is not None and stored and stored.parent_id != getattr(parent, "pk", None):
            try:
                services.check_may_change_subtree(stored, self.user, _("移动"))
                services.check_may_file_under(parent, self.user)
            except TreeChangeRefused as refusal:
                raise forms.ValidationError(str(refusal)) from None
        return parent

    def clean(self):
        cleaned = super().clean()
        stored = self.instance.pk and CatalogNode.objects.filter(pk=self.instance.pk).first()
        if self.user is not None and stored:
            changed = [
                name
                for name in services.SUBTREE_FIELDS
                if name.removesuffix("_id") in self.changed_data
            ]
            if changed:
                try:
                    services.check_may_change_subtree(stored, self.user, _("修改"))
                except TreeChangeRefused as refusal:
                    raise forms.ValidationError(str(refusal)) from None
        channels = list(cleaned.get("channel_choices") or [])
        for extra in split_list(cleaned.get("channel_other", "")):
            if extra not in channels:
                channels.append(extra)
        self.instance.channels = channels
        return cleaned


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * obj.level}{obj.name}"


class DirectoryUploadForm(forms.Form):
    """The admin's directory upload: the file, the column it goes under and its agency."""

    file = forms.FileField(
        label=_("标准目录文件"),
        help_text=_("Excel 工作簿（.xlsx）或 CSV，不超过 5 MB。"),
    )
    target = NodeChoiceField(
        label=_("导入到栏目"),
        queryset=CatalogNode.objects.none(),
        help_text=_("文件中的事项成为此栏目下的栏目。"),
    )
    agency = forms.ModelChoiceField(
        label=_("所属机构"),
        queryset=None,
        required=False,
        help_text=_("留空表示全区通用栏目。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = CatalogNode.objects.for_staff(user).order_by(
            "tree_id", "lft"
        )
        self.fields["agency"].queryset = Agency.objects.for_staff(user)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.suffix = check_upload(uploaded)
        return uploaded
