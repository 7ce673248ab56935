"""The public application form, and the status look-up form.

Both applicant fieldsets are in the page (JavaScript hides the one that does not apply); the
fields of each are optional to Django, and ``clean`` requires and checks only those of the
applicant type chosen. The other fieldset's input is dropped.
"""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from catalog.credit_code import validate_credit_code
from disclosure.applications.identity import validate_resident_id
from disclosure.applications.models import CODE_LENGTH, Application, normalise_lookup_code
from disclosure.applications.uploads import check_identity_file, too_large_message
from portal.control_characters import refuse_control_characters

Type = Application.ApplicantType

APPLICANT_CHOICES = [
    (Type.PERSON, Type.PERSON.label),
    (_("法人或其他组织"), [(t.value, t.label) for t in Application.ORGANISATION_TYPES]),
]

# (field, message when missing), per applicant kind.
PERSON_REQUIRED = [
    ("person_name", _("请填写申请人姓名。")),
    ("id_type", _("请选择证件类型。")),
    ("id_number", _("请填写证件号码。")),
    ("person_phone", _("请填写联系电话。")),
]
ORGANISATION_REQUIRED = [
    ("org_name", _("请填写组织名称。")),
    ("credit_code", _("请填写统一社会信用代码。")),
    ("legal_representative", _("请填写法定代表人或负责人。")),
    ("contact_person", _("请填写联系人姓名。")),
    ("org_phone", _("请填写联系电话。")),
]
PERSON_FIELDS = ["person_name", "id_type", "id_number", "work_unit", "person_phone",
                 "person_email", "person_address", "postcode"]  # fmt: skip
ORGANISATION_FIELDS = ["org_name", "credit_code", "legal_representative", "contact_person",
                       "org_phone", "org_email", "org_address"]  # fmt: skip
REQUIRED_FIELDS = {name for name, _message in PERSON_REQUIRED + ORGANISATION_REQUIRED}


def validate_phone(value):
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"[0-9+\-()（） ]+", value) or not 7 <= len(digits) <= 20:
        raise ValidationError(
            _(
                "联系电话只能包含数字、空格和“-”“+”“()”，至少7位数字，如 13800001234 或 023-45632266。"
            )
        )


def validate_postcode(value):
    if not re.fullmatch(r"\d{6}", value):
        raise ValidationError(_("邮政编码应为6位数字。"))


def _text(label, max_length, **kwargs):
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class ApplicationForm(forms.Form):
    applicant_type = forms.ChoiceField(
        label=_("申请人类型"),
        choices=APPLICANT_CHOICES,
        initial=Type.PERSON,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择申请人类型。")},
    )

    # 自然人
    person_name = _text(_("姓名"), 100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=Application.IdType.choices,
        initial=Application.IdType.RESIDENT,
        required=False,
    )
    id_number = _text(_("证件号码"), 40, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    work_unit = _text(
        _("工作单位"), 100, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    person_phone = _text(
        _("联系电话"),
        30,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    person_email = forms.EmailField(
        label=_("电子邮箱"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    person_address = _text(
        _("通信地址"), 200, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )
    postcode = _text(
        _("邮政编码"),
        6,
        validators=[validate_postcode],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )

    # 法人或其他组织
    org_name = _text(_("名称"), 100, widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    credit_code = _text(_("统一社会信用代码"), 18)
    legal_representative = _text(_("法定代表人或负责人"), 50)
    contact_person = _text(_("联系人"), 50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    org_phone = _text(
        _("联系电话"),
        30,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    org_email = forms.EmailField(
        label=_("电子邮箱"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    org_address = _text(
        _("地址"), 200, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )

    # 所需信息
    info_title = forms.CharField(
        label=_("所需信息的名称"),
        max_length=300,
        error_messages={"required": _("请填写所需信息的名称。")},
    )
    info_number = _text(_("文号"), 100, help_text=_("知道的话请填写，如 渝府办发〔2021〕100号。"))
    description = forms.CharField(
        label=_("所需信息的内容描述"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请尽量写明信息的形成时间、制作机关、涉及的事项等特征，便于查找。"),
        error_messages={"required": _("请描述所需信息的内容。")},
    )
    medium = forms.ChoiceField(
        label=_("获取信息的载体形式"),
        choices=Application.Medium.choices,
        initial=Application.Medium.ELECTRONIC,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择载体形式。")},
    )
    delivery = forms.ChoiceField(
        label=_("获取信息的方式"),
        choices=Application.Delivery.choices,
        initial=Application.Delivery.ONLINE,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择获取信息的方式。")},
    )
    identity_file = forms.FileField(
        label=_("身份证明"),
        help_text=_(
            "自然人请上传身份证件的照片或扫描件，法人或其他组织请上传营业执照等证明文件。"
            "JPG、PNG 图片或 PDF 文件。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
        error_messages={"required": _("请上传身份证明文件。")},
    )
    # A field people never see: a program that fills every field fills it too.
    website = forms.CharField(label=_("网址（请勿填写）"), required=False)

    def __init__(self, *args, too_large=False, kept=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The upload handler left out an identity file over the size limit (views.apply).
        self.too_large = too_large
        # An identity file accepted with a form that came back (views.apply keeps it): the
        # applicant need not choose it again.
        self.kept = kept
        if kept:
            self.fields["identity_file"].required = False
        for name in REQUIRED_FIELDS:
            self.fields[name].required_for_kind = True
        # The models refuse control characters (Word pastes U+000B): say so here, field by field.
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(refuse_control_characters)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_bot(self):
        return bool(self.data.get("website"))

    @property
    def is_person(self):
        return self.data.get("applicant_type", Type.PERSON) == Type.PERSON

    def clean_identity_file(self):
        upload = self.cleaned_data["identity_file"]
        if upload:
            check_identity_file(upload)
        return upload

    def clean(self):
        data = super().clean()
        if self.too_large:
            self.errors.pop("identity_file", None)
            self.add_error("identity_file", too_large_message())
        kind = data.get("applicant_type")
        if not kind:
            return data
        person = kind == Type.PERSON
        for name, message in PERSON_REQUIRED if person else ORGANISATION_REQUIRED:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        # The other fieldset's errors and input do not count.
        for name in ORGANISATION_FIELDS if person else PERSON_FIELDS:
            self.errors.pop(name, None)
            data[name] = ""
        if person:
            self._check_id_number(data)
        else:
            self._check_credit_code(data)
        phone, email, address = self.contact(data)
        delivery = data.get("delivery")
        if delivery == Application.Delivery.EMAIL and not email:
            self.add_error(
                "person_email" if person else "org_email",
                _("选择以电子邮件获取信息时，请填写电子邮箱。"),
            )
        if delivery == Application.Delivery.POST and not address:
            self.add_error(
                "person_address" if person else "org_address",
                _("选择邮寄获取信息时，请填写通信地址。"),
            )
        return data

    def _check_id_number(self, data):
        number = (data.get("id_number") or "").strip().replace(" ", "").upper()
        if not number or "id_number" in self.errors:
            return
        if data.get("id_type") == Application.IdType.RESIDENT:
            try:
                number = validate_resident_id(number)
            except ValidationError as exc:
                self.add_error("id_number", exc)
                return
        elif not re.fullmatch(r"[0-9A-Z()（）\-]{5,40}", number):
            self.add_error("id_number", _("证件号码只能包含字母、数字和“-”“()”，至少5位。"))
            return
        data["id_number"] = number

    def _check_credit_code(self, data):
        code = (data.get("credit_code") or "").strip().replace(" ", "").upper()
        if not code or "credit_code" in self.errors:
            return
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            self.add_error("credit_code", exc)
            return
        data["credit_code"] = code

    @staticmethod
    def contact(data):
        if data.get("applicant_type") == Type.PERSON:
            return data.get("person_phone"), data.get("person_email"), data.get("person_address")
        return data.get("org_phone"), data.get("org_email"), data.get("org_address")

    def build(self, agency):
        """The unsaved Application the valid form describes (for ``services.submit``)."""
        data = self.cleaned_data
        person = data["applicant_type"] == Type.PERSON
        phone, email, address = self.contact(data)
        application = Application(
            agency=agency,
            channel=Application.Channel.ONLINE,
            applicant_type=data["applicant_type"],
            name=(data["person_name"] if person else data["org_name"]).strip(),
            phone=phone.strip(),
            email=email or "",
            address=(address or "").strip(),
            info_title=data["info_title"].strip(),
            info_number=data["info_number"].strip(),
            description=data["description"].strip(),
            medium=data["medium"],
            delivery=data["delivery"],
        )
        if person:
            application.id_type = data["id_type"]
            application.id_number = data["id_number"]
            application.work_unit = data["work_unit"].strip()
            application.postcode = data["postcode"]
        else:
            application.credit_code = data["credit_code"]
            application.legal_representative = data["legal_representative"].strip()
            application.contact_person = data["contact_person"].strip()
        return application


class StatusForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        help_text=_("提交申请后页面显示并发送到您邮箱的12位查询码，如 ABCD-EFGH-JKMN。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("请填写查询码。")},
    )
    phone_tail = forms.CharField(
        label=_("联系电话后四位"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("请填写申请时所留联系电话的后四位。"),
            "min_length": _("请填写4位数字。"),
            "max_length": _("请填写4位数字。"),
        },
    )

    def clean_code(self):
        code = normalise_lookup_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise ValidationError(_("查询码应为12位字母和数字（可以不写“-”）。"))
        return code

    def clean_phone_tail(self):
        tail = self.cleaned_data["phone_tail"]
        if not tail.isdigit():
            raise ValidationError(_("请填写4位数字。"))
        return tail


class SupplementReplyForm(forms.Form):
    """补正 sent by the applicant on the status page (after looking the application up)."""

    supplied = forms.CharField(
        label=_("补正的内容"),
        max_length=5000,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("按补正告知书的要求，写明补充或更正的内容，如所需信息的准确名称、文号、年份。"),
        error_messages={"required": _("请填写补正的内容。")},
    )
    supplement_file = forms.FileField(
        label=_("补正材料（可不上传）"),
        required=False,
        help_text=_("PDF、Word（.docx）文件或 JPG、PNG 图片，不超过 %(size)s。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["supplement_file"].help_text %= {
            "size": filesizeformat(settings.APPLICATION_MAX_IDENTITY_BYTES)
        }

    def clean_supplement_file(self):
        if self.too_large:
            raise ValidationError(
                _("补正材料超过 %(size)s，请压缩后上传，或按告知书所列方式提交。"),
                params={"size": filesizeformat(settings.APPLICATION_MAX_IDENTITY_BYTES)},
            )
        return self.cleaned_data.get("supplement_file")
