from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CatalogNode
from .text import split_list


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

    def clean(self):
        cleaned = super().clean()
        channels = list(cleaned.get("channel_choices") or [])
        for extra in split_list(cleaned.get("channel_other", "")):
            if extra not in channels:
                channels.append(extra)
        self.instance.channels = channels
        return cleaned
