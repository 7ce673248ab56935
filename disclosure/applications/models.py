"""依申请公开: applications for government information, their clock, letters and e-mails.

An application is personal data from end to end. ``__str__`` is its number only, so audit
events, admin messages and logs name it without the applicant; staff lists show the ID
number masked (``masked_id_number``); nothing here is read by a public view except
the public statistics (counts only) and the applicant's own status page.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.credit_code import validate_credit_code
from catalog.models import Agency
from catalog.scoping import membership_scope
from disclosure.applications.identity import validate_resident_id
from disclosure.documents.models.documents import Document
from disclosure.private_files import private_storage
from portal.actors import SYSTEM
from portal.fields import SanitizedHTMLField

# 条例 Arts. 30, 32, 33: working days.
ANSWER_DAYS = 20
SUPPLEMENT_NOTICE_DAYS = 7
CONSULTATION_DAYS = 15
MAX_EXTENSION_DAYS = 20
CONFIRM_RECEIPT_DAYS = 1
# 国办函〔2020〕109号: the applicant pays within 20 working days of the fee notice.
FEE_PAYMENT_DAYS = 20
NEARLY_DUE_DAYS = 5

# 查询码: 12 characters without 0/O, 1/I/L, 2/Z, 5/S, 8/B, U, V: easy to read aloud, ~57 bits.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
CODE_LENGTH = 12


def new_lookup_code():
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_lookup_code(text):
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def lookup_code_digest(code):
    """What is stored of a 查询码: a keyed digest, so the table alone does not open status pages."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalise_lookup_code(code).encode(), hashlib.sha256).hexdigest()


def identity_file_path(instance, filename):
    # Random stored name; the original name is kept in the row.
    return f"applications/identity/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


def supplement_file_path(instance, filename):
    # Random stored name; the original name is kept in the row.
    return f"applications/supplement/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


def released_file_path(instance, filename):
    # Random stored name; the original name is kept in the row.
    return f"applications/released/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


def mask_id(value):
    """5002**********1234: the first four and the last four characters kept."""
    value = value or ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


class ApplicationQuerySet(models.QuerySet):
    def for_staff(self, user):
        """Applications ``user`` handles: 依申请办理 staff of the receiving agency (sub-agencies
        included), and superusers. Nobody else, auditors of all agencies included."""
        if user is SYSTEM:
            return self
        if user is None:
            raise TypeError("for_staff() needs a user, or SYSTEM for the portal itself")
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self
        if not user.has_perm("applications.view_application"):
            return self.none()
        return self.filter(membership_scope(user).q("agency"))

    def open(self):
        return self.exclude(status=Application.Status.CLOSED)

    # What counts as received and closed in a period: one rule for the public statistics and
    # the annual report. An application withdrawn before it was received was never received,
    # so it is not counted as closed either.
    def received(self):
        return self.filter(received_on__isnull=False)

    def received_between(self, first, last):
        return self.received().filter(received_on__range=(first, last))

    def closed_between(self, first, last):
        return self.received().filter(closed_on__range=(first, last))


class Application(models.Model):
    """政府信息公开申请: one request to one receiving agency (受理机关)."""

    class ApplicantType(models.TextChoices):
        # The columns of the annual report's section 三.
        PERSON = "person", _("自然人")
        BUSINESS = "business", _("商业企业")
        RESEARCH = "research", _("科研机构")
        NONPROFIT = "nonprofit", _("社会公益组织")
        LEGAL = "legal", _("法律服务机构")
        OTHER = "other", _("其他")

    ORGANISATION_TYPES = (
        ApplicantType.BUSINESS,
        ApplicantType.RESEARCH,
        ApplicantType.NONPROFIT,
        ApplicantType.LEGAL,
        ApplicantType.OTHER,
    )

    class IdType(models.TextChoices):
        RESIDENT = "resident", _("居民身份证")
        PASSPORT = "passport", _("护照")
        HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
        TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
        FOREIGN = "foreign", _("外国人永久居留身份证")
        OTHER = "other", _("其他有效证件")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申请")
        IN_PERSON = "in_person", _("当面提交")
        POST = "post", _("邮政寄送（需签收）")
        LETTER = "letter", _("平常信函")
        FAX = "fax", _("传真")
        EMAIL = "email", _("电子邮件")

    # Art. 31: receipt is the day handed in (in person) or signed for (post); for the others
    # the day the office confirms receipt.
    CONFIRMED_CHANNELS = (Channel.ONLINE, Channel.LETTER, Channel.FAX, Channel.EMAIL)

    class Medium(models.TextChoices):
        PAPER = "paper", _("纸质")
        ELECTRONIC = "electronic", _("电子")

    class Delivery(models.TextChoices):
        POST = "post", _("邮寄")
        EMAIL = "email", _("电子邮件")
        ONLINE = "online", _("网上获取")
        PICKUP = "pickup", _("自行领取")
        READ = "read", _("当场阅读、抄录")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待确认收到")
        IN_PROGRESS = "in_progress", _("办理中")
        SUPPLEMENT = "supplement", _("待补正")
        CONSULTING = "consulting", _("征求意见中")
        FEE = "fee", _("待缴费")
        CLOSED = "closed", _("已办结")

    class Result(models.TextChoices):
        # The rows of the annual report's section 三（一）-（六）.
        DISCLOSED = "disclosed", _("予以公开")
        PARTIAL = "partial", _("部分公开")
        WITHHELD = "withheld", _("不予公开")
        UNAVAILABLE = "unavailable", _("无法提供")
        NOT_PROCESSED = "not_processed", _("不予处理")
        OTHER = "other", _("其他处理")

    class Reason(models.TextChoices):
        # 不予公开
        STATE_SECRET = "state_secret", _("属于国家秘密")
        LAW_FORBIDS = "law_forbids", _("其他法律行政法规禁止公开")
        THREE_SAFETIES = "three_safeties", _("危及“三安全一稳定”")
        THIRD_PARTY = "third_party", _("保护第三方合法权益")
        INTERNAL = "internal", _("属于三类内部事务信息")
        PROCESS = "process", _("属于四类过程性信息")
        ENFORCEMENT = "enforcement", _("属于行政执法案卷")
        QUERY = "query", _("属于行政查询事项")
        # 无法提供
        NOT_HELD = "not_held", _("本机关不掌握相关政府信息")
        NEEDS_MAKING = "needs_making", _("没有现成信息需要另行制作")
        STILL_UNCLEAR = "still_unclear", _("补正后申请内容仍不明确")
        # 不予处理
        PETITION = "petition", _("信访举报投诉类申请")
        REPEATED = "repeated", _("重复申请")
        PUBLICATION = "publication", _("要求提供公开出版物")
        MASS = "mass", _("无正当理由大量反复申请")
        CONFIRM = "confirm", _("要求行政机关确认或重新出具已获取信息")
        # 其他处理
        NO_SUPPLEMENT = (
            "no_supplement",
            _("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        )
        UNPAID = (
            "unpaid",
            _("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        )
        OTHER = "other", _("其他")

    # Which reasons belong to which result, in the order of the report's rows.
    REASONS = {
        Result.DISCLOSED: (),
        Result.PARTIAL: (),
        Result.WITHHELD: (
            Reason.STATE_SECRET,
            Reason.LAW_FORBIDS,
            Reason.THREE_SAFETIES,
            Reason.THIRD_PARTY,
            Reason.INTERNAL,
            Reason.PROCESS,
            Reason.ENFORCEMENT,
            Reason.QUERY,
        ),
        Result.UNAVAILABLE: (Reason.NOT_HELD, Reason.NEEDS_MAKING, Reason.STILL_UNCLEAR),
        Result.NOT_PROCESSED: (
            Reason.PETITION,
            Reason.REPEATED,
            Reason.PUBLICATION,
            Reason.MASS,
            Reason.CONFIRM,
        ),
        Result.OTHER: (Reason.NO_SUPPLEMENT, Reason.UNPAID, Reason.OTHER),
    }

    number = models.CharField(_("申请编号"), max_length=20, unique=True, editable=False)
    agency = models.ForeignKey(
        Agency, verbose_name=_("受理机关"), on_delete=models.PROTECT, related_name="applications"
    )
    channel = models.CharField(
        _("申请方式"), max_length=16, choices=Channel.choices, default=Channel.ONLINE
    )
    status = models.CharField(
        _("办理状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    lookup_digest = models.CharField(max_length=64, unique=True, editable=False)

    # The applicant.
    applicant_type = models.CharField(
        _("申请人类型"), max_length=16, choices=ApplicantType.choices, default=ApplicantType.PERSON
    )
    name = models.CharField(_("姓名或名称"), max_length=100)
    id_type = models.CharField(_("证件类型"), max_length=16, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=40, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    identity_file = models.FileField(
        _("身份证明"),
        storage=private_storage,
        upload_to=identity_file_path,
        max_length=200,
        blank=True,
    )
    identity_file_name = models.CharField(_("身份证明文件名"), max_length=200, blank=True)
    identity_file_type = models.CharField(max_length=100, blank=True, editable=False)
    identity_removed_on = models.DateField(_("个人信息清除日期"), null=True, blank=True)

    # What is asked for.
    info_title = models.CharField(_("所需信息名称"), max_length=300)
    info_number = models.CharField(_("所需信息文号"), max_length=100, blank=True)
    description = models.TextField(_("所需信息内容描述"))
    medium = models.CharField(
        _("获取信息的载体形式"), max_length=16, choices=Medium.choices, default=Medium.ELECTRONIC
    )
    delivery = models.CharField(
        _("获取信息的方式"), max_length=16, choices=Delivery.choices, default=Delivery.ONLINE
    )

    # The clock (条例 Arts. 30-33).
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    received_on = models.DateField(
        _("收到申请日期"),
        null=True,
        blank=True,
        help_text=_(
            "当面提交为提交当日；邮寄为签收当日；平信、网上、传真、电子邮件为确认收到之日。"
        ),
    )
    supplement_requested_on = models.DateField(_("补正告知日期"), null=True, blank=True)
    supplement_request = models.TextField(_("需补正的内容"), blank=True)
    supplement_due_on = models.DateField(_("补正期限"), null=True, blank=True)
    supplement_received_on = models.DateField(_("收到补正日期"), null=True, blank=True)
    supplement_reply = models.TextField(_("补正的内容"), blank=True)
    supplement_file = models.FileField(
        _("补正材料"),
        storage=private_storage,
        upload_to=supplement_file_path,
        max_length=200,
        blank=True,
    )
    supplement_file_name = models.CharField(_("补正材料文件名"), max_length=200, blank=True)
    supplement_file_type = models.CharField(max_length=100, blank=True, editable=False)
    extension_days = models.PositiveSmallIntegerField(_("延长答复的工作日"), default=0)
    extended_on = models.DateField(_("延期日期"), null=True, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_approved_by = models.CharField(_("延期批准人"), max_length=50, blank=True)
    fee_amount = models.DecimalField(
        _("信息处理费（元）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    fee_basis = models.CharField(_("收费依据"), max_length=200, blank=True)
    fee_notice_on = models.DateField(_("收费通知日期"), null=True, blank=True)
    fee_due_on = models.DateField(_("缴费期限"), null=True, blank=True)
    fee_paid_on = models.DateField(_("缴费日期"), null=True, blank=True)

    # The outcome.
    result = models.CharField(_("办理结果"), max_length=16, choices=Result.choices, blank=True)
    reason = models.CharField(_("理由"), max_length=16, choices=Reason.choices, blank=True)
    related_document = models.ForeignKey(
        Document,
        verbose_name=_("已公开的信息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("所需信息已经主动公开时，答复中告知其获取方式。"),
    )
    responsible_agency = models.CharField(
        _("负责公开的机关"),
        max_length=100,
        blank=True,
        help_text=_("本机关不掌握、由其他机关负责公开时，写明该机关的名称和联系方式。"),
    )
    withheld_note = models.TextField(
        _("不予公开的部分及理由"),
        blank=True,
        help_text=_(
            "部分公开时，写明哪些内容不予公开、依据和理由（答复书与查询页面中告知申请人）。"
        ),
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        db_table = "disclosure_application"  # its name from when it was part of the disclosure app
        verbose_name = _("依申请公开申请")
        verbose_name_plural = _("依申请公开申请")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["agency", "status"], name="application_agency_status"),
            models.Index(fields=["received_on"], name="application_received"),
            models.Index(fields=["closed_on"], name="application_closed"),
        ]

    def __str__(self):
        # The number only: this text goes into audit events and messages.
        return self.number or str(_("新申请"))

    def get_absolute_url(self):
        return reverse("admin:applications_application_change", args=[self.pk])

    @property
    def is_person(self):
        return self.applicant_type == self.ApplicantType.PERSON

    @property
    def masked_id_number(self):
        return mask_id(self.credit_code if not self.is_person else self.id_number)

    @property
    def phone_tail(self):
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return digits[-4:]

    def matches_phone_tail(self, tail):
        tail = "".join(ch for ch in (tail or "") if ch.isdigit())
        return len(tail) == 4 and hmac.compare_digest(tail, self.phone_tail)

    @property
    def applicant_key(self):
        """Who the applicant is for the monthly fee count: the ID number or credit code."""
        return (self.id_number if self.is_person else self.credit_code).upper()

    def clean(self):
        errors = {}
        if self.is_person:
            self.credit_code = self.legal_representative = ""
            if not self.id_type:
                errors["id_type"] = _("请选择证件类型。")
            if not self.id_number.strip():
                errors["id_number"] = _("请填写证件号码。")
            elif self.id_type == self.IdType.RESIDENT:
                try:
                    self.id_number = validate_resident_id(self.id_number)
                except ValidationError as exc:
                    errors["id_number"] = exc.messages
        else:
            self.id_type = self.id_number = ""
            self.credit_code = self.credit_code.strip().upper()
            try:
                validate_credit_code(self.credit_code)
            except ValidationError as exc:
                errors["credit_code"] = exc.messages
            if not self.contact_person.strip():
                errors["contact_person"] = _("请填写联系人。")
        if self.delivery == self.Delivery.EMAIL and not self.email:
            errors["email"] = _("选择以电子邮件获取信息时，请填写电子邮箱。")
        if self.delivery == self.Delivery.POST and not self.address.strip():
            errors["address"] = _("选择邮寄时，请填写通信地址。")
        if self.reason and self.result and self.reason not in self.REASONS[self.result]:
            errors["reason"] = _("所选理由不属于“%(result)s”。") % {
                "result": self.get_result_display()
            }
        if errors:
            raise ValidationError(errors)


class Consultation(models.Model):
    """征求意见 (Arts. 32, 34): a third party's or another agency's opinion, 15 working days."""

    class Party(models.TextChoices):
        THIRD_PARTY = "third_party", _("第三方")
        AGENCY = "agency", _("其他机关")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="consultations"
    )
    party_kind = models.CharField(_("征求对象类型"), max_length=16, choices=Party.choices)
    party = models.CharField(_("征求对象"), max_length=200)
    sent_on = models.DateField(_("发出日期"))
    replied_on = models.DateField(_("收到意见日期"), null=True, blank=True)
    opinion = models.TextField(_("意见"), blank=True)

    class Meta:
        db_table = "disclosure_consultation"  # its name from when it was part of the disclosure app
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["sent_on", "pk"]

    def __str__(self):
        return f"{self.application} {self.get_party_kind_display()}"


class Letter(models.Model):
    """A letter to the applicant (or to a consulted party), editable until made final."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("补正申请告知书")
        EXTENSION = "extension", _("延期答复告知书")
        CONSULTATION = "consultation", _("征求意见函")
        FEE = "fee", _("收费通知书")
        ANSWER = "answer", _("政府信息公开申请答复书")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="letters")
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="letters"
    )
    kind = models.CharField(_("文书类型"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("文书编号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = SanitizedHTMLField(_("正文"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    final_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    final_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("定稿人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    final_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        db_table = "disclosure_letter"  # its name from when it was part of the disclosure app
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = Letter.objects.filter(pk=self.pk).values("final_at", "title", "body").first()
            if (
                stored
                and stored["final_at"] is not None
                and (stored["title"] != self.title or stored["body"] != self.body)
            ):
                raise ValidationError(_("文书已定稿，不能再修改。"))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:applications_application_letter", args=[self.application_id, self.pk])

    @property
    def is_final(self):
        return self.final_at is not None

    def content_digest(self):
        return hashlib.sha256(f"{self.title}\n{self.body}".encode()).hexdigest()


class ReleasedFile(models.Model):
    """Information given to an applicant who asked to get it online (网上获取): kept privately,
    served only to the holder of the application's 查询码 and phone digits once it is answered,
    each download audited."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="released_files"
    )
    file = models.FileField(
        _("文件"), storage=private_storage, upload_to=released_file_path, max_length=200
    )
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("大小"), editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提供的信息")
        verbose_name_plural = _("提供的信息")
        ordering = ["added_at", "pk"]

    def __str__(self):
        return self.name


class Email(models.Model):
    """An e-mail to the applicant: recorded whether or not sending worked."""

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="emails")
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        db_table = "disclosure_email"  # its name from when it was part of the disclosure app
        verbose_name = _("邮件")
        verbose_name_plural = _("邮件")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application} {self.subject}"
