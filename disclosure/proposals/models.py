"""人大代表建议 and 政协委员提案: sessions, proposals, and the reply letters to them."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from catalog.scoping import agency_scope
from disclosure.documents.models.documents import Document
from disclosure.private_files import private_storage
from portal.cnnum import to_chinese
from portal.fields import SanitizedHTMLField
from portal.workdays import statutory_deadline

# 代表法 Art. 51: reply within three months of assignment, six for complex proposals.
REPLY_MONTHS = 3
REPLY_MONTHS_COMPLEX = 6
CO_UNIT_OPINION_MONTHS = 1


class CongressSession(models.Model):
    """A session of the district people's congress (人大) or political consultative conference (政协)."""

    class Body(models.TextChoices):
        CONGRESS = "congress", _("人大")
        CPPCC = "cppcc", _("政协")

    body = models.CharField(_("机关"), max_length=16, choices=Body.choices, default=Body.CONGRESS)
    level = models.CharField(_("行政级别"), max_length=8, default="区", help_text=_("区、县或市"))
    term = models.PositiveSmallIntegerField(_("届"), help_text=_("如 18（第十八届）"))
    session = models.PositiveSmallIntegerField(_("次"), help_text=_("如 1（第一次会议）"))
    year = models.PositiveSmallIntegerField(_("年份"))
    opened_on = models.DateField(_("开幕日期"), null=True, blank=True)
    closed_on = models.DateField(_("闭幕日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议（人大、政协）")
        ordering = ["-year", "body", "-term", "-session"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "level", "term", "session"], name="congresssession_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("disclosure:proposal-statistics", args=[self.pk])

    @property
    def name(self):
        if self.body == self.Body.CPPCC:
            return f"{self.level}政协第{to_chinese(self.term)}届{to_chinese(self.session)}次会议"
        return (
            f"{self.level}第{to_chinese(self.term)}届人民代表大会第{to_chinese(self.session)}次会议"
        )

    @property
    def item_word(self):
        """建议 from 代表 (人大), 提案 from 委员 (政协)."""
        return "提案" if self.body == self.Body.CPPCC else "建议"

    @property
    def member_word(self):
        return "委员" if self.body == self.Body.CPPCC else "代表"


class ReplyClassification(models.Model):
    """How far an answer goes (A 已解决或基本解决 …); the labels differ between localities."""

    code = models.CharField(_("代码"), max_length=4, unique=True)
    label = models.CharField(_("名称"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("答复分类")
        verbose_name_plural = _("答复分类")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} {self.label}"


class ProposalQuerySet(models.QuerySet):
    def for_staff(self, user):
        """Proposals ``user`` (or SYSTEM) handles: led or co-handled by a unit they work for."""
        scope = agency_scope(user)
        if scope.is_all:
            return self
        return self.filter(
            pk__in=Proposal.objects.filter(scope.q("lead_unit", "co_units")).values("pk")
        )

    def led_by(self, user):
        """Proposals whose lead unit (主办单位) ``user`` works for: the ones whose reply they write."""
        return self.filter(agency_scope(user).q("lead_unit"))

    def co_handled_by(self, user):
        """Proposals on which a unit ``user`` works for is a co-handling unit (协办单位)."""
        scope = agency_scope(user)
        with_co_units = Proposal.objects.filter(co_units__isnull=False)
        return self.filter(pk__in=with_co_units.filter(scope.q("co_units")).values("pk"))

    def open(self):
        """未办结: proposals whose status says a reply is still owed (see Proposal.OPEN_STATUSES)."""
        return self.filter(status__in=Proposal.OPEN_STATUSES)

    def with_public_reply(self):
        """Proposals that have a reply the public may read: the public side of the list."""
        public = Document.objects.public().filter(proposal_reply__proposal=OuterRef("pk"))
        return self.filter(Exists(public))


class Proposal(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("已交办")
        IN_PROGRESS = "in_progress", _("办理中")
        REPLIED = "replied", _("已答复")
        FEEDBACK = "feedback", _("已反馈")
        REOPENED = "reopened", _("重新办理")

    class Feedback(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    session = models.ForeignKey(
        CongressSession, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="proposals"
    )
    number = models.PositiveIntegerField(_("编号"), help_text=_("本次会议内的建议（提案）号"))
    title = models.CharField(_("标题"), max_length=300)
    lead_delegate = models.CharField(_("领衔代表（委员）"), max_length=50)
    co_signers = models.CharField(
        _("附议代表（委员）"), max_length=500, blank=True, help_text=_("多人用顿号分隔")
    )
    category = models.CharField(
        _("内容分类"), max_length=50, blank=True, help_text=_("如 政务公开、城乡建设")
    )
    text = models.TextField(_("建议（提案）内容"), blank=True, help_text=_("原文通常不公开。"))
    assigned_on = models.DateField(_("交办日期"))
    is_complex = models.BooleanField(
        _("情况复杂"), default=False, help_text=_("复杂的建议（提案）答复期限为六个月。")
    )
    lead_unit = models.ForeignKey(
        Agency, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="lead_proposals"
    )
    co_units = models.ManyToManyField(
        Agency, verbose_name=_("协办单位"), blank=True, related_name="co_proposals",
        help_text=_("协办单位在一个月内向主办单位提出意见。"),
    )  # fmt: skip
    status = models.CharField(
        _("办理状态"), max_length=16, choices=Status.choices, default=Status.ASSIGNED
    )
    classification = models.ForeignKey(
        ReplyClassification,
        verbose_name=_("答复分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    feedback = models.CharField(
        _("代表（委员）反馈"), max_length=16, choices=Feedback.choices, blank=True
    )
    feedback_comment = models.TextField(_("反馈意见"), blank=True)
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True)

    # 未办结: a reply is owed; saving a reply moves these to 已答复.
    OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("建议提案")
        verbose_name_plural = _("建议提案")
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], name="proposal_unique_number_per_session"
            ),
        ]

    def __str__(self):
        return f"第{self.number}号 {self.title}"

    @property
    def delegates(self):
        names = [self.lead_delegate] + [
            n.strip() for n in self.co_signers.replace("，", "、").split("、")
        ]
        return [n for n in dict.fromkeys(names) if n]

    @property
    def reply_months(self):
        return REPLY_MONTHS_COMPLEX if self.is_complex else REPLY_MONTHS

    @property
    def co_unit_deadline(self):
        """When the co-handling units (协办) owe the lead unit their opinion: one month from 交办."""
        return statutory_deadline(self.assigned_on, CO_UNIT_OPINION_MONTHS)

    @property
    def deadline(self):
        """The reply deadline (a CalendarDate; ``.provisional`` when computed past the known calendar)."""
        return statutory_deadline(self.assigned_on, self.reply_months)

    @property
    def is_open(self):
        """未办结: the status says a reply is still owed (the rule of ``Proposal.objects.open()``)."""
        return self.status in self.OPEN_STATUSES

    @property
    def first_reply(self):
        """The reply of the first round, or None; reads prefetched ``replies`` when there are any."""
        return min(self.replies.all(), key=lambda reply: reply.round, default=None)

    def is_led_by(self, user):
        """Whether ``user`` works for the lead unit (主办单位) and so may write the reply."""
        return agency_scope(user).covers(self.lead_unit_id)

    def overdue_on(self, day):
        """逾期未答复 on ``day``: the deadline passed before ``day`` and no reply is dated by then.
        A reply whose letter bears no date counts as given (it is never overdue, nor in time).
        Reads prefetched ``replies`` when there are any."""
        deadline = self.deadline
        return deadline < day and not any(
            r.letter_date is None or r.letter_date <= day for r in self.replies.all()
        )


class ProposalReplyQuerySet(models.QuerySet):
    def for_staff(self, user):
        """Replies to the proposals ``user`` (or SYSTEM) handles."""
        return self.filter(proposal__in=Proposal.objects.for_staff(user))


class ProposalReply(models.Model):
    """复函 / 答复: the reply letter, kept in its parts and published as a Document."""

    class Disclosure(models.TextChoices):
        FULL = "full", _("全文公开")
        SUMMARY = "summary", _("摘要公开")
        NONE = "none", _("不公开")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), on_delete=models.CASCADE, related_name="replies"
    )
    round = models.PositiveSmallIntegerField(
        _("办理轮次"), default=1, help_text=_("重新办理的答复为第2轮。")
    )
    document = models.OneToOneField(
        Document,
        verbose_name=_("公开文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal_reply",
    )
    issuing_office = models.CharField(
        _("发文机关"), max_length=100, blank=True, help_text=_("复函没有写明的可以留空。")
    )
    doc_number = models.CharField(
        _("文号"),
        max_length=100,
        blank=True,
        help_text=_("复函自己的文号，如 宁交函〔2025〕202号。"),
    )
    title_override = models.CharField(
        _("标题"),
        max_length=300,
        blank=True,
        help_text=_("留空则自动生成：关于{会议}第{号}号建议的复函"),
    )
    body = SanitizedHTMLField(_("正文"))
    signer_title = models.CharField(
        _("审签人职务"), max_length=50, blank=True, help_text=_("如 区政府办公室主任")
    )
    signer = models.CharField(_("审签人"), max_length=20, blank=True)
    feedback_to = models.CharField(
        _("回执寄送"), max_length=100, blank=True, help_text=_("如 区人大常委会人代工委")
    )
    signing_office = models.CharField(_("落款单位"), max_length=100, blank=True)
    letter_date = models.DateField(
        _("复函日期"),
        null=True,
        blank=True,
        help_text=_("复函没有写日期的留空，不以发布日期代替。"),
    )
    contact_person = models.CharField(_("联系人"), max_length=20, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    disclosure = models.CharField(
        _("公开方式"), max_length=8, choices=Disclosure.choices, default=Disclosure.FULL
    )
    summary = models.TextField(_("答复摘要"), blank=True, help_text=_("摘要公开时对外发布的内容。"))
    non_disclosure_reason = models.CharField(_("不公开理由"), max_length=200, blank=True)

    objects = ProposalReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("答复（复函）")
        verbose_name_plural = _("答复（复函）")
        ordering = ["proposal", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round"], name="proposalreply_unique_round"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        if self.title_override:
            return self.title_override
        session = self.proposal.session
        ending = "提案的答复" if session.body == CongressSession.Body.CPPCC else "建议的复函"
        return f"关于{session.name}第{self.proposal.number}号{ending}"

    @property
    def salutation(self):
        """To each delegate: 范川代表： / 范川、张三代表： / 李四委员："""
        return f"{'、'.join(self.proposal.delegates)}{self.proposal.session.member_word}："

    @property
    def sign_off(self):
        if not (self.signer_title or self.signer):
            return ""
        word = "提案答复" if self.proposal.session.body == CongressSession.Body.CPPCC else "复函"
        return f"此{word}已经{self.signer_title}{self.signer}审签。"

    @property
    def feedback_instruction(self):
        if not self.feedback_to:
            return ""
        return f"对此答复您有什么意见，请填写回执寄给{self.feedback_to}，以便我们进一步改进工作。"

    @property
    def contact_line(self):
        parts = []
        if self.contact_person:
            parts.append(f"联系人：{self.contact_person}")
        if self.contact_phone:
            parts.append(f"联系电话：{self.contact_phone}")
        if self.postcode:
            parts.append(f"邮政编码：{self.postcode}")
        return f"（{'，'.join(parts)}）" if parts else ""

    @property
    def replied_in_time(self):
        """Whether the letter is dated on or before the proposal's reply deadline (an undated
        letter is not known to be)."""
        return self.letter_date is not None and self.letter_date <= self.proposal.deadline


def opinion_attachment_path(instance, filename):
    # Random stored name: the original name is kept in the row and sent on download.
    suffix = PurePath(filename).suffix.lower()
    return f"opinions/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class CoHandlingOpinionQuerySet(models.QuerySet):
    def for_staff(self, user):
        """Opinions of the units ``user`` (or SYSTEM) works for, and those given to proposals
        their units lead."""
        return self.filter(agency_scope(user).q("unit", "proposal__lead_unit"))


class CoHandlingOpinion(models.Model):
    """协办意见: a co-handling unit's opinion to the lead unit, which writes the reply."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), on_delete=models.CASCADE, related_name="co_opinions"
    )
    unit = models.ForeignKey(
        Agency,
        verbose_name=_("协办单位"),
        on_delete=models.PROTECT,
        related_name="co_opinions",
        help_text=_("提出意见的协办单位；须是这件建议（提案）的协办单位。"),
    )
    text = models.TextField(_("协办意见"), help_text=_("供主办单位答复时参考。"))
    given_on = models.DateField(_("提出日期"))
    attachment = models.FileField(
        _("附件"),
        upload_to=opinion_attachment_path,
        storage=private_storage,
        max_length=200,
        blank=True,
        help_text=_("可选。不对外公开，只有协办单位和主办单位的工作人员可以下载。"),
    )
    attachment_name = models.CharField(_("附件原文件名"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)

    objects = CoHandlingOpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("协办意见")
        verbose_name_plural = _("协办意见")
        ordering = ["proposal", "given_on", "pk"]

    def __str__(self):
        return f"{self.unit}：{self.proposal}"
