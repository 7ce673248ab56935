"""The admin's forms for applications: registering one received on paper, and one form per step.

Each step form collects what its service needs and ``run()`` calls it; the service checks the
rules (and raises ApplicationError), the form only the shape of the input.
"""

from ckeditor.widgets import CKEditorWidget
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from disclosure.applications import fees, services
from disclosure.applications.clock import today
from disclosure.applications.models import MAX_EXTENSION_DAYS, Application, Consultation, Letter
from disclosure.applications.uploads import check_identity_file
from disclosure.documents.index_numbers import tidy
from disclosure.documents.models import Document
from disclosure.documents.uploads import check_attachment
from portal.widgets import DateInput
from portal.workdays import add_working_days

Channel = Application.Channel
RECEIVED_ON_THE_DAY = (Channel.IN_PERSON, Channel.POST)


class ApplicationRegisterForm(forms.ModelForm):
    """An application handed in, posted, faxed or e-mailed, registered by staff."""

    identity_upload = forms.FileField(
        label=_("身份证明"),
        required=False,
        help_text=_("身份证件或营业执照的扫描件、照片：JPG、PNG 或 PDF。"),
    )

    class Meta:
        model = Application
        fields = [
            "agency", "channel", "received_on", "applicant_type", "name", "id_type", "id_number",
            "work_unit", "credit_code", "legal_representative", "contact_person", "phone",
            "email", "address", "postcode", "info_title", "info_number", "description",
            "medium", "delivery",
        ]  # fmt: skip
        widgets = {
            "received_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4, "cols": 60}),
        }
        help_texts = {
            "received_on": _(
                "当面提交填提交当日，邮寄填签收当日；平信、传真、电子邮件登记后在办理页“确认收到”。"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        channel.choices = [c for c in channel.choices if c[0] != Channel.ONLINE]
        channel.initial = Channel.IN_PERSON
        # Most applications are registered at the counter on the day, by a person with a
        # 居民身份证: the form starts that way, as the public form does.
        self.fields["received_on"].initial = today
        self.fields["id_type"].initial = Application.IdType.RESIDENT

    def clean(self):
        data = super().clean()
        channel = data.get("channel")
        if channel in RECEIVED_ON_THE_DAY:
            received = data.get("received_on")
            if received is None:
                self.add_error("received_on", _("当面提交或邮寄签收的申请，请填写收到申请的日期。"))
            elif received > today():
                self.add_error("received_on", _("收到申请的日期不能晚于今天。"))
        else:
            data["received_on"] = None
        # The ID number, credit code and contact person are checked by Application.clean,
        # which the model form runs: the same rules as the public form's.
        upload = data.get("identity_upload")
        if upload:
            try:
                check_identity_file(upload)
            except ValidationError as exc:
                self.add_error("identity_upload", exc)
        return data


# -- the steps -------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; an empty list when none was chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class StepForm(forms.Form):
    """The date a step happened on (today unless given) and the call of its service."""

    on = forms.DateField(label=_("日期"), required=False, widget=DateInput())
    on_label = _("日期")

    def __init__(self, *args, step, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.step, self.application = step, application
        self.fields["on"].label = self.on_label
        self.fields["on"].initial = today()
        self.fields["on"].help_text = _("留空为今天。")

    @property
    def day(self):
        return self.cleaned_data.get("on") or today()

    def run(self, user):
        return self.step.function(self.application, user, on=self.day)


class ConfirmForm(StepForm):
    on_label = _("确认收到的日期")


class SupplementedForm(StepForm):
    supplied = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))
    supplement_file = forms.FileField(
        label=_("补正材料"),
        required=False,
        help_text=_("申请人交来的补正材料（扫描件等），可不上传。"),
    )
    on_label = _("收到补正的日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplied"].label = self.step.text_label

    def run(self, user):
        data = self.cleaned_data
        return services.receive_supplement(
            self.application, user, data["supplied"], on=self.day, upload=data["supplement_file"]
        )


class PaidForm(StepForm):
    on_label = _("缴费日期")


class CloseOnDateForm(StepForm):
    on_label = _("办结日期")


# The deadline offered for a supplement: the office may give more.
SUPPLEMENT_DAYS = 15


class SupplementForm(StepForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))
    due_on = forms.DateField(
        label=_("补正期限"),
        widget=DateInput(),
        error_messages={"required": _("请填写补正期限（申请人应在此日期前补正）。")},
        help_text=_("默认为告知之日起%(days)s个工作日，可修改。") % {"days": SUPPLEMENT_DAYS},
    )
    on_label = _("告知补正的日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = self.step.text_label
        self.fields["due_on"].initial = add_working_days(today(), SUPPLEMENT_DAYS)

    def run(self, user):
        data = self.cleaned_data
        return services.request_supplement(
            self.application, user, data["text"], data["due_on"], on=self.day
        )


class ConsultForm(StepForm):
    party_kind = forms.ChoiceField(label=_("征求对象类型"), choices=Consultation.Party.choices)
    party = forms.CharField(max_length=200)
    on_label = _("发出征求意见的日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].label = self.step.text_label

    def run(self, user):
        data = self.cleaned_data
        return services.start_consultation(
            self.application, user, data["party_kind"], data["party"], on=self.day
        )


class ConsultedForm(StepForm):
    opinion = forms.CharField(
        label=_("意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("逾期未提出意见的，写明“逾期未提出意见”。"),
    )
    on_label = _("收到意见的日期")

    def run(self, user):
        return services.end_consultation(
            self.application, user, self.cleaned_data["opinion"], on=self.day
        )


class ExtendForm(StepForm):
    days = forms.IntegerField(
        label=_("延长的工作日"), min_value=1, max_value=MAX_EXTENSION_DAYS, initial=20
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
    approved_by = forms.CharField(label=_("批准人"), max_length=50)
    on_label = _("延期日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = self.step.text_label

    def run(self, user):
        data = self.cleaned_data
        return services.extend(
            self.application, user, data["days"], data["reason"], data["approved_by"], on=self.day
        )


class FeeForm(StepForm):
    """Shown twice: first the method and pages, then the amount they make, to confirm."""

    method = forms.ChoiceField(label=_("收费方式"), choices=fees.Method.CHOICES)
    pages = forms.IntegerField(
        label=_("页数"), min_value=0, required=False, help_text=_("按量计收时填写。")
    )
    amount = forms.DecimalField(required=False, widget=forms.HiddenInput)
    on_label = _("收费通知日期")

    def clean(self):
        data = super().clean()
        if data.get("method") == fees.Method.BY_PAGE and not data.get("pages"):
            self.add_error("pages", _("按量计收请填写页数。"))
        return data

    def fee(self):
        data = self.cleaned_data
        return fees.compute(self.application, data["method"], data.get("pages") or 0)

    def run(self, user):
        data = self.cleaned_data
        return services.notify_fee(
            self.application, user, data["method"], data.get("pages") or 0, on=self.day
        )


class ReasonSelect(forms.Select):
    """The reasons grouped by the result they belong to; the page's script offers only the
    chosen result's group."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        for result, reasons in Application.REASONS.items():
            if value in reasons:
                option["attrs"]["data-result"] = result
        return option


def reason_choices():
    groups = [("", _("（无需理由）"))]
    for result, reasons in Application.REASONS.items():
        if reasons:
            label = Application.Result(result).label
            groups.append((label, [(r, Application.Reason(r).label) for r in reasons]))
    return groups


class AnswerForm(StepForm):
    """The result first; then the answer letter composed from it, to edit and make final."""

    result = forms.ChoiceField(label=_("办理结果"), choices=Application.Result.choices)
    reason = forms.ChoiceField(
        label=_("理由"), choices=reason_choices, required=False, widget=ReasonSelect
    )
    related_document = forms.CharField(
        label=_("已公开信息的索引号"),
        required=False,
        help_text=_("所需信息已经主动公开的，填写该文件的索引号，答复书中告知获取方式。"),
    )
    responsible_agency = forms.CharField(
        label=_("负责公开的机关"),
        max_length=100,
        required=False,
        help_text=Application._meta.get_field("responsible_agency").help_text,
    )
    withheld_note = forms.CharField(
        label=_("不予公开的部分及理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("部分公开时必填：写明哪些内容不予公开、依据和理由。"),
    )
    files = MultipleFileField(
        label=_("提供的信息"),
        required=False,
        help_text=_(
            "申请人选择网上获取的，上传提供给申请人的文件（PDF、OFD、Word、Excel、图片或压缩包，"
            "可多选）；申请人凭查询码下载。上传后即附在申请上，无需重复上传。"
        ),
    )
    letter_title = forms.CharField(label=_("答复书标题"), max_length=200, required=False)
    letter_body = forms.CharField(
        label=_("答复书正文"),
        required=False,
        widget=CKEditorWidget(),
        help_text=_("可直接修改；确认答复后定稿，不能再修改。"),
    )
    basis = forms.CharField(required=False, widget=forms.HiddenInput)
    on_label = _("答复日期")

    def composed_for(self):
        """What the letter was composed from: a changed result composes it again."""
        data = self.cleaned_data
        document = data.get("related_document")
        return "|".join(
            [
                data["result"],
                data.get("reason") or "",
                str(document.pk if document else ""),
                (data.get("responsible_agency") or "").strip(),
                (data.get("withheld_note") or "").strip(),
                ",".join(
                    str(pk) for pk in self.application.released_files.values_list("pk", flat=True)
                ),
                self.day.isoformat(),
            ]
        )

    def clean_related_document(self):
        text = self.cleaned_data["related_document"].strip()
        if not text:
            return None
        document = Document.objects.public().filter(index_number_text=tidy(text)).first()
        if document is None:
            raise ValidationError(_("没有找到已公开的索引号为 %(n)s 的文件。"), params={"n": text})
        return document

    def clean_files(self):
        uploads = self.cleaned_data.get("files") or []
        for upload in uploads:
            try:
                check_attachment(upload)
            except ValidationError as exc:
                raise ValidationError(exc.messages[0]) from None
        return uploads

    def clean(self):
        data = super().clean()
        if "result" in data and "related_document" in data:
            try:
                services.check_result(
                    data["result"],
                    data.get("reason") or "",
                    data.get("related_document"),
                    data.get("responsible_agency") or "",
                )
                # Files chosen now are attached before the answer is given (keep_files).
                services.check_delivery(
                    self.application,
                    data["result"],
                    data.get("related_document"),
                    data.get("withheld_note") or "",
                    adding=len(data.get("files") or []),
                )
            except services.ApplicationError as exc:
                raise ValidationError(str(exc)) from None
        return data

    def keep_files(self, user):
        """Attach the files chosen in this request (checked by clean_files), so the preview and
        the confirmation need them once; returns an error message, or None."""
        uploads = self.cleaned_data.get("files") or []
        if not uploads:
            return None
        try:
            services.add_released_files(self.application, user, uploads)
        except services.ApplicationError as exc:
            return str(exc)
        return None

    def compose(self):
        """(title, body) of the answer letter for the chosen result; nothing is saved."""
        from disclosure.applications import letters

        draft = Application.objects.get(pk=self.application.pk)
        data = self.cleaned_data
        draft.result, draft.reason = data["result"], data.get("reason") or ""
        draft.related_document = data.get("related_document")
        draft.responsible_agency = (data.get("responsible_agency") or "").strip()
        draft.withheld_note = (data.get("withheld_note") or "").strip()
        return letters.compose(draft, Letter.Kind.ANSWER, on=self.day)

    def run(self, user):
        data = self.cleaned_data
        return services.answer(
            self.application,
            user,
            data["result"],
            data.get("reason") or "",
            related_document=data.get("related_document"),
            responsible_agency=data.get("responsible_agency") or "",
            withheld_note=data.get("withheld_note") or "",
            title=data.get("letter_title") or None,
            body=data.get("letter_body") or None,
            on=self.day,
        )


class CloseForm(StepForm):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
    on_label = _("办结日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = self.step.text_label

    def run(self, user):
        return services.close_other(self.application, user, self.cleaned_data["note"], on=self.day)


STEP_FORMS = {
    "confirm": ConfirmForm,
    "supplement": SupplementForm,
    "supplemented": SupplementedForm,
    "no_supplement": CloseOnDateForm,
    "consult": ConsultForm,
    "consulted": ConsultedForm,
    "extend": ExtendForm,
    "fee": FeeForm,
    "paid": PaidForm,
    "unpaid": CloseOnDateForm,
    "answer": AnswerForm,
    "close": CloseForm,
}


class LetterForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(
        label=_("正文"),
        widget=CKEditorWidget(),
    )
