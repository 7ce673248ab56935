"""Forms for proposals: the public list's filter, the reply and its letter import, opinions."""

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from portal.editor import EditorWidget
from portal.widgets import DateInput

from ..models import Document
from ..uploads import check_attachment
from . import services
from .letters import FIELDS
from .models import CoHandlingOpinion, CongressSession, Proposal, ProposalReply, ReplyClassification


class ProposalFilterForm(forms.Form):
    q = forms.CharField(label=_("编号或标题"), required=False, max_length=100)
    body = forms.ChoiceField(label=_("类别"), required=False)
    session = forms.TypedChoiceField(label=_("会议"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label=_("年份"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("主办单位"), required=False, coerce=int, empty_value=None)
    classification = forms.TypedChoiceField(
        label=_("答复分类"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("办理状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("全部"))]
        sessions = list(CongressSession.objects.all())
        self.fields["body"].choices = every + [
            ("congress", "人大代表建议"),
            ("cppcc", "政协委员提案"),
        ]
        self.fields["session"].choices = every + [(s.pk, s.name) for s in sessions]
        self.fields["year"].choices = every + [
            (y, y) for y in sorted({s.year for s in sessions}, reverse=True)
        ]
        units = (
            Agency.objects.filter(lead_proposals__isnull=False).distinct().values_list("pk", "name")
        )
        self.fields["unit"].choices = every + list(units)
        self.fields["classification"].choices = every + [
            (c.pk, str(c)) for c in ReplyClassification.objects.all()
        ]
        self.fields["status"].choices = every + list(Proposal.Status.choices)

    def filter(self, proposals):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("body"):
            proposals = proposals.filter(session__body=data["body"])
        if data.get("session"):
            proposals = proposals.filter(session_id=data["session"])
        if data.get("year"):
            proposals = proposals.filter(session__year=data["year"])
        if data.get("unit"):
            proposals = proposals.filter(lead_unit_id=data["unit"])
        if data.get("classification"):
            proposals = proposals.filter(classification_id=data["classification"])
        if data.get("status"):
            proposals = proposals.filter(status=data["status"])
        query = (data.get("q") or "").strip()
        if query:
            number = query.lstrip("第").rstrip("号")
            if re.fullmatch(r"[0-9]{1,9}", number):  # not str.isdigit(): "²" is a digit to it
                proposals = proposals.filter(number=int(number))
            else:
                for word in query.split():
                    proposals = proposals.filter(
                        Q(title__icontains=word) | Q(lead_delegate__icontains=word)
                    )
        return proposals


class ProposalReplyForm(forms.ModelForm):
    """save_reply's rules checked on the form, so staff see them as form errors."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.document_id and self.instance.document.status != Document.Status.DRAFT:
            raise forms.ValidationError(services.not_editable_message(self.instance.document))
        disclosure = cleaned.get("disclosure")
        if (
            disclosure == ProposalReply.Disclosure.SUMMARY
            and not (cleaned.get("summary") or "").strip()
        ):
            self.add_error("summary", _("摘要公开的答复请填写答复摘要。"))
        reason = (cleaned.get("non_disclosure_reason") or "").strip()
        if disclosure == ProposalReply.Disclosure.NONE and not reason:
            self.add_error("non_disclosure_reason", _("不公开的答复请填写不公开理由。"))
        return cleaned

    class Meta:
        model = ProposalReply
        fields = [
            "proposal", "round", "issuing_office", "title_override", "body", "signer_title", "signer",
            "feedback_to", "signing_office", "letter_date", "contact_person", "contact_phone", "postcode",
            "disclosure", "summary", "non_disclosure_reason",
        ]  # fmt: skip
        widgets = {"body": EditorWidget()}


class LetterTextForm(forms.Form):
    text = forms.CharField(
        label=_("复函全文"),
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        help_text=_(
            "把旧网站页面或 Word 文件中的复函全文粘贴到这里，系统会识别各部分，确认后才保存。"
        ),
    )


class LetterConfirmForm(forms.Form):
    body_kind = forms.ChoiceField(label=FIELDS["body_kind"], choices=CongressSession.Body.choices)
    level = forms.CharField(label=FIELDS["level"], max_length=8)
    term = forms.IntegerField(label=FIELDS["term"], min_value=1)
    session = forms.IntegerField(label=FIELDS["session"], min_value=1)
    number = forms.IntegerField(label=FIELDS["number"], min_value=1)
    delegates = forms.CharField(
        label=FIELDS["delegates"], help_text=_("多人用顿号分隔，第一位为领衔")
    )
    proposal_title = forms.CharField(label=FIELDS["proposal_title"], max_length=300)
    issuing_office = forms.CharField(label=FIELDS["issuing_office"], max_length=100)
    body = forms.CharField(label=FIELDS["body"], widget=EditorWidget())
    signer_title = forms.CharField(label=FIELDS["signer_title"], max_length=50, required=False)
    signer = forms.CharField(label=FIELDS["signer"], max_length=20, required=False)
    feedback_to = forms.CharField(label=FIELDS["feedback_to"], max_length=100, required=False)
    signing_office = forms.CharField(label=FIELDS["signing_office"], max_length=100)
    letter_date = forms.DateField(label=FIELDS["letter_date"], widget=DateInput())
    contact_person = forms.CharField(label=FIELDS["contact_person"], max_length=20, required=False)
    contact_phone = forms.CharField(label=FIELDS["contact_phone"], max_length=30, required=False)
    postcode = forms.RegexField(label=FIELDS["postcode"], regex=r"^\d{6}$", required=False)
    lead_unit = forms.ModelChoiceField(label=_("主办单位"), queryset=Agency.objects.none())
    assigned_on = forms.DateField(
        label=_("交办日期"), required=False, widget=DateInput(),
        help_text=_("复函中通常没有；新建的建议须填写，用于计算答复期限。"),
    )  # fmt: skip
    # Shown (as a checkbox) only once clean() finds a reply of the same date already recorded.
    confirm_duplicate = forms.BooleanField(
        label=_("仍然导入"), required=False, widget=forms.HiddenInput,
        help_text=_("这件建议（提案）已有同一日期的答复；确认这是另一份复函后勾选。"),
    )  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["lead_unit"].queryset = Agency.objects.for_staff(user)

    def clean(self):
        cleaned = super().clean()
        existing = Proposal.objects.filter(
            session__body=cleaned.get("body_kind"), session__level=cleaned.get("level"),
            session__term=cleaned.get("term"), session__session=cleaned.get("session"),
            number=cleaned.get("number"),
        )  # fmt: skip
        exists = existing.exists()
        if exists and not existing.for_staff(self.user).exists():
            raise forms.ValidationError(_("这件建议（提案）由其他单位办理，您不能为它登记答复。"))
        if exists and not existing.led_by(self.user).exists():
            raise forms.ValidationError(services.not_lead_message(existing.get()))
        if not exists and not cleaned.get("assigned_on"):
            self.add_error("assigned_on", _("这是新的建议（提案），请填写交办日期。"))
        self.check_duplicate(existing if exists else None, cleaned.get("letter_date"))
        delegates = [
            n.strip()
            for n in (cleaned.get("delegates") or "").replace("，", "、").split("、")
            if n.strip()
        ]
        cleaned["delegates"] = delegates
        return cleaned

    def check_duplicate(self, proposals, letter_date):
        """Refuse, until confirmed, a letter dated like a reply the proposal already has: the
        same letter imported twice would make a second reply and a second document."""
        if proposals is None or letter_date is None:
            return
        same_day = ProposalReply.objects.filter(proposal__in=proposals, letter_date=letter_date)
        reply = same_day.order_by("round").first()
        if reply is None or self.cleaned_data.get("confirm_duplicate"):
            return
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput()
        self.add_error(
            "confirm_duplicate",
            _(
                "这件建议（提案）已有一份%(date)s的答复（第%(round)s次答复）。再次导入会新建"
                "第二份答复和第二个公开文件；如确是另一份复函，请勾选“仍然导入”后再保存。"
            )
            % {"date": letter_date.isoformat(), "round": reply.round},
        )


class CoHandlingOpinionForm(forms.ModelForm):
    """A co-handling unit's opinion; the attachment is checked by content (disclosure.uploads)."""

    class Meta:
        model = CoHandlingOpinion
        fields = ["proposal", "unit", "given_on", "text", "attachment"]
        # No link to the stored file: it has no URL (see disclosure.private_files).
        widgets = {
            "attachment": forms.FileInput,
            "given_on": DateInput(),
        }

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            check_attachment(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        proposal, unit = cleaned.get("proposal"), cleaned.get("unit")
        if proposal and unit and not proposal.co_units.filter(pk=unit.pk).exists():
            self.add_error("unit", _("%(unit)s不是这件建议（提案）的协办单位。") % {"unit": unit})
        return cleaned
