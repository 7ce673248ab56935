"""Forms for proposals: the public list's filter, the reply and its letter import, opinions."""

import re

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from disclosure.documents.models import Document
from disclosure.documents.uploads import check_attachment
from disclosure.proposals import services
from disclosure.proposals.letter_files import MAX_TEXT_CHARS, read_letter_file
from disclosure.proposals.letters import FIELDS
from disclosure.proposals.models import (
    CoHandlingOpinion,
    CongressSession,
    Proposal,
    ProposalReply,
    ReplyClassification,
)
from portal.editor import EditorWidget
from portal.widgets import DateInput

BLANK = [("", "---------")]


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

    def filter(self, documents):
        """The reply documents (``views.public_reply_documents``) the filters keep: a filter on
        the proposal keeps the replies of such proposals; 类别 is the reply's column, 年份 the
        session's year or, for a reply not recorded as a proposal's, its publication year."""
        data = self.cleaned_data if self.is_valid() else {}
        proposal = "proposal_reply__proposal__"
        lookups = {"session": "session_id", "unit": "lead_unit_id"}
        lookups.update(classification="classification_id", status="status")
        for field, lookup in lookups.items():
            if data.get(field):
                documents = documents.filter(**{proposal + lookup: data[field]})
        if data.get("year"):
            documents = documents.filter(
                Q(**{proposal + "session__year": data["year"]})
                | Q(proposal_reply__isnull=True, published_at__year=data["year"])
            )
        query = (data.get("q") or "").strip()
        if query:
            number = query.lstrip("第").rstrip("号")
            if re.fullmatch(r"[0-9]{1,9}", number):  # not str.isdigit(): "²" is a digit to it
                documents = documents.filter(
                    Q(**{proposal + "number": int(number)}) | Q(title__contains=f"第{number}号")
                )
            else:
                for word in query.split():
                    documents = documents.filter(
                        Q(title__icontains=word)
                        | Q(**{proposal + "title__icontains": word})
                        | Q(**{proposal + "lead_delegate__icontains": word})
                    )
        return documents


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
            "proposal", "round", "issuing_office", "doc_number", "title_override", "body", "signer_title", "signer",
            "feedback_to", "signing_office", "letter_date", "contact_person", "contact_phone", "postcode",
            "disclosure", "summary", "non_disclosure_reason",
        ]  # fmt: skip
        widgets = {"body": EditorWidget()}


class LetterTextForm(forms.Form):
    """A letter's text, pasted or in a file (.docx, or .txt in UTF-8 or GB18030)."""

    file = forms.FileField(
        label=_("复函文件"),
        required=False,
        help_text=_("Word（.docx；.wps、.doc 请先另存为 .docx）或文本（.txt），不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.doc,.wps,.txt"}),
    )
    text = forms.CharField(
        label=_("或粘贴复函全文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        help_text=_(
            "把旧网站页面或 Word 文件中的复函全文粘贴到这里，系统会识别各部分，确认后才保存。"
        ),
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload and text:
            raise forms.ValidationError(_("请只上传文件或只粘贴文字，不要同时提交两者。"))
        if upload:
            try:
                cleaned["text"] = read_letter_file(upload)
            except forms.ValidationError as exc:
                self.add_error("file", exc)
        elif not text and not self.has_error("file"):
            raise forms.ValidationError(_("请上传复函文件，或粘贴复函全文。"))
        elif len(text) > MAX_TEXT_CHARS:  # the parser reads no more pasted than from a file
            self.add_error(
                "text",
                _("粘贴的文字超过 %(limit)s 字，不像一封复函；请只粘贴复函本身。")
                % {"limit": MAX_TEXT_CHARS},
            )
        return cleaned


NEW_PROPOSAL_PARTS = [
    "body_kind", "level", "term", "session", "number", "proposal_title", "delegates", "lead_unit",
    "assigned_on",
]  # fmt: skip


class LetterConfirmForm(forms.Form):
    """The parts of a letter, as recognised and then checked by staff. Only what every real
    letter carries is required (the body); the rest is the letter's when it states it. The
    proposal the letter answers is chosen, or found by its session and number, or created
    from them (which then needs the parts a proposal must have)."""

    proposal = forms.ModelChoiceField(
        label=_("所答复的建议（提案）"), queryset=Proposal.objects.none(), required=False,
        help_text=_("复函没写会议或编号时，在这里选择它答复的建议（提案）；留空则按会议和编号查找，没有就新建。"),
    )  # fmt: skip
    body_kind = forms.ChoiceField(
        label=FIELDS["body_kind"], choices=BLANK + CongressSession.Body.choices, required=False
    )
    level = forms.CharField(label=FIELDS["level"], max_length=8, required=False)
    term = forms.IntegerField(label=FIELDS["term"], min_value=1, required=False)
    session = forms.IntegerField(label=FIELDS["session"], min_value=1, required=False)
    number = forms.IntegerField(label=FIELDS["number"], min_value=1, required=False)
    delegates = forms.CharField(
        label=FIELDS["delegates"], help_text=_("多人用顿号分隔，第一位为领衔"), required=False,
        max_length=500,
    )  # fmt: skip
    proposal_title = forms.CharField(label=FIELDS["proposal_title"], max_length=300, required=False)
    category = forms.ModelChoiceField(
        label=FIELDS["category"], queryset=ReplyClassification.objects.all(), required=False,
        help_text=_("复函上的办理类别（A、B、C 类）；保存后记为这件建议（提案）的答复分类。"),
    )  # fmt: skip
    doc_number = forms.CharField(label=FIELDS["doc_number"], max_length=100, required=False)
    issuing_office = forms.CharField(label=FIELDS["issuing_office"], max_length=100, required=False)
    body = forms.CharField(label=FIELDS["body"], widget=EditorWidget())
    signer_title = forms.CharField(label=FIELDS["signer_title"], max_length=50, required=False)
    signer = forms.CharField(label=FIELDS["signer"], max_length=20, required=False)
    feedback_to = forms.CharField(label=FIELDS["feedback_to"], max_length=100, required=False)
    signing_office = forms.CharField(label=FIELDS["signing_office"], max_length=100, required=False)
    letter_date = forms.DateField(label=FIELDS["letter_date"], widget=DateInput(), required=False)
    contact_person = forms.CharField(label=FIELDS["contact_person"], max_length=20, required=False)
    contact_phone = forms.CharField(label=FIELDS["contact_phone"], max_length=30, required=False)
    postcode = forms.RegexField(label=FIELDS["postcode"], regex=r"^\d{6}$", required=False)
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"), queryset=Agency.objects.none(), required=False,
        help_text=_("新建的建议（提案）须填写。"),
    )  # fmt: skip
    assigned_on = forms.DateField(
        label=_("交办日期"), required=False, widget=DateInput(),
        help_text=_("复函中通常没有；新建的建议（提案）须填写，用于计算答复期限。"),
    )  # fmt: skip
    # Which parts the parser found, carried through a failed save so the marks stay.
    found_parts = forms.CharField(required=False, widget=forms.HiddenInput)
    # Shown (as a checkbox) only once clean() finds a reply of the same date already recorded.
    confirm_duplicate = forms.BooleanField(
        label=_("仍然导入"), required=False, widget=forms.HiddenInput,
        help_text=_("这件建议（提案）已有同一日期的答复；确认这是另一份复函后勾选。"),
    )  # fmt: skip

    def __init__(self, *args, user=None, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["lead_unit"].queryset = Agency.objects.for_staff(user)
        if admin_site is not None:  # the picker searches as the reply form's does
            field = ProposalReply._meta.get_field("proposal")
            self.fields["proposal"].widget = AutocompleteSelect(field, admin_site)
        # Set after the widget: the queryset gives the widget its choices.
        self.fields["proposal"].queryset = Proposal.objects.led_by(user).select_related("session")

    def clean(self):
        cleaned = super().clean()
        cleaned["delegates"] = [
            n.strip()
            for n in (cleaned.get("delegates") or "").replace("，", "、").split("、")
            if n.strip()
        ]
        proposal = cleaned.get("proposal")
        if proposal is None and not self.errors:
            proposal = self.named_proposal(cleaned)
        elif proposal is not None:
            self.check_same_number(proposal, cleaned.get("number"))
        cleaned["proposal"] = proposal
        if proposal is not None:
            self.check_duplicate(proposal, cleaned.get("letter_date"))
        return cleaned

    def named_proposal(self, cleaned):
        """The proposal the letter's session and number name, if there is one the user's unit
        leads; None for a new one, whose parts are then required."""
        named = services.proposals_named(*(cleaned.get(name) for name in NEW_PROPOSAL_PARTS[:5]))
        if named.exists():
            if not named.for_staff(self.user).exists():
                raise forms.ValidationError(
                    _("这件建议（提案）由其他单位办理，您不能为它登记答复。")
                )
            led = named.led_by(self.user)
            if not led.exists():
                raise forms.ValidationError(services.not_lead_message(named.first()))
            if led.count() > 1:
                raise forms.ValidationError(
                    _(
                        "复函未写明级别，有多次同届同次会议的这一编号；请在“所答复的建议（提案）”中选择。"
                    )
                )
            return led.get()
        self.check_new_proposal(cleaned)
        return None

    def check_new_proposal(self, cleaned):
        absent = [name for name in NEW_PROPOSAL_PARTS if cleaned.get(name) in (None, "", [])]
        for name in absent:
            self.add_error(name, _("新建的建议（提案）须填写此项。"))
        if absent:
            raise forms.ValidationError(
                _(
                    "没有找到复函所答复的建议（提案）。如它已经登记，请在“所答复的建议（提案）”中"
                    "选择；否则请填写标红的各项，新建这件建议（提案）。"
                )
            )

    def check_same_number(self, proposal, number):
        if number and number != proposal.number:
            self.add_error(
                "number",
                _("复函写的是第%(letter)s号，所选的建议（提案）是第%(chosen)s号，请核对。")
                % {"letter": number, "chosen": proposal.number},
            )

    def check_duplicate(self, proposal, letter_date):
        """Refuse, until confirmed, a letter dated like a reply the proposal already has (or
        undated, like an undated one): the same letter imported twice would make a second
        reply and a second document."""
        same_day = ProposalReply.objects.filter(proposal=proposal)
        if letter_date is None:
            same_day = same_day.filter(letter_date__isnull=True)
        else:
            same_day = same_day.filter(letter_date=letter_date)
        reply = same_day.order_by("round").first()
        if reply is None or self.cleaned_data.get("confirm_duplicate"):
            return
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput()
        day = letter_date.isoformat() if letter_date else _("未注明日期")
        self.add_error(
            "confirm_duplicate",
            _(
                "这件建议（提案）已有一份%(date)s的答复（第%(round)s次答复）。再次导入会新建"
                "第二份答复和第二个公开文件；如确是另一份复函，请勾选“仍然导入”后再保存。"
            )
            % {"date": day, "round": reply.round},
        )


class CoHandlingOpinionForm(forms.ModelForm):
    """A co-handling unit's opinion; the attachment is checked by content (disclosure.documents.uploads)."""

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
