from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.choices import TreeModelChoiceField
from catalog.models import Agency, CatalogNode
from disclosure.documents.models import Genre, Topic
from disclosure.site_import.mapping import KINDS
from disclosure.site_import.uploads import check_upload

PUBLISH, DRAFT = "published", "draft"


class SiteUploadForm(forms.Form):
    """The package and whether its documents land published (with their old dates) or as drafts."""

    file = forms.FileField(
        label=_("文件包"),
        help_text=_(
            "一个 .zip：顶层放元数据文件（metadata.xlsx、metadata.csv 或 metadata.json），"
            "正文 HTML 放在 bodies/，附件放在 attachments/。"
        ),
    )
    status = forms.ChoiceField(
        label=_("导入后"),
        choices=[(PUBLISH, _("直接发布（保留原发布日期）")), (DRAFT, _("存为草稿"))],
        widget=forms.RadioSelect,
        initial=DRAFT,
    )

    def __init__(self, *args, may_publish, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_publish:
            self.fields["status"].choices = [(DRAFT, _("存为草稿"))]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_upload(uploaded)
        return uploaded


def choice_field(kind, user, label):
    if kind == "agency":
        return forms.ModelChoiceField(
            Agency.objects.for_staff(user), label=label, required=False, empty_label="（请选择）"
        )
    if kind == "node":
        return TreeModelChoiceField(
            CatalogNode.objects.for_staff(user),
            label=label,
            required=False,
            empty_label="（请选择）",
        )
    if kind == "topic":
        return TreeModelChoiceField(
            Topic.objects.all(), label=label, required=False, empty_label="（请选择）"
        )
    return forms.ModelChoiceField(
        Genre.objects.all(), label=label, required=False, empty_label="（请选择）"
    )


class MappingForm(forms.Form):
    """One choice per value the import could not map: ``unmapped`` is {kind: [value, ...]}
    and {kind: {value: [row numbers]}} gives the rows shown beside each."""

    def __init__(self, *args, unmapped, rows, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.unmapped = unmapped
        for kind, values in unmapped.items():
            for index, value in enumerate(values):
                shown = rows.get(kind, {}).get(value, [])
                where = "、".join(str(row) for row in shown[:5]) + ("等" if len(shown) > 5 else "")
                label = f"{KINDS[kind]}“{value}”（第{where}行）"
                self.fields[f"{kind}-{index}"] = choice_field(kind, user, label)

    def mapping(self):
        """{kind: {value: pk}} of the values chosen."""
        chosen = {}
        for kind, values in self.unmapped.items():
            for index, value in enumerate(values):
                picked = self.cleaned_data.get(f"{kind}-{index}")
                if picked is not None:
                    chosen.setdefault(kind, {})[value] = picked.pk
        return chosen
