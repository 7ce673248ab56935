"""The annual report (政府信息公开工作年度报告, 条例 Arts. 49-50) and the guide (指南, Art. 12).

A report's computed numbers (sections 二（一） and 三) are computed while it is a draft and stored
when it is made final, so a past year's report reads the same however the data change later.
What the tables hold, and how each number is computed, lives in ``reports.annual``.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from catalog.scoping import agency_scope
from disclosure.documents.models.documents import Document

# Section 四: 行政复议, and 行政诉讼 未经复议直接起诉 / 复议后起诉, each with the same five columns.
LITIGATION_GROUPS = [
    ("review", _("行政复议")),
    ("direct_suit", _("未经复议直接起诉")),
    ("after_review", _("复议后起诉")),
]
LITIGATION_OUTCOMES = [
    ("upheld", _("结果维持")),
    ("corrected", _("结果纠正")),
    ("other", _("其他结果")),
    ("pending", _("尚未审结")),
    ("total", _("总计")),
]
LITIGATION_FIELDS = [
    f"{group}_{outcome}"
    for group, _label in LITIGATION_GROUPS
    for outcome, _o in LITIGATION_OUTCOMES
]


def _count(label):
    return models.PositiveIntegerField(label, default=0)


# The national template (统一格式) a report's tables follow: 国办公开办函〔2019〕60号 for the
# reports of 2019 and 2020, 国办公开办函〔2021〕30号 from the report of 2021 (published in 2022).
class Template(models.TextChoices):
    T2019 = "2019", _("2019年格式（国办公开办函〔2019〕60号）")
    T2021 = "2021", _("2021年格式（国办公开办函〔2021〕30号）")


FIRST_2021_YEAR = 2021


def template_for_year(year):
    """The template of the report of ``year``: the 2021 one from 2021, the 2019 one before."""
    return Template.T2021 if year >= FIRST_2021_YEAR else Template.T2019


class AnnualReportQuerySet(models.QuerySet):
    def for_staff(self, user):
        """Reports of the agencies ``user`` (or SYSTEM) works for or does the disclosure work
        of (``catalog.scoping.reporting_scope``)."""
        return self.filter(agency_scope(user).q("agency", "agency__disclosure_office"))

    def published(self):
        """Reports whose document the public may read now."""
        return self.filter(document__in=Document.objects.public())


class FinalReport(models.Model):
    """What a report made final keeps (the annual report, the website's annual form): its
    status, when and by whom it was made final, when it was made and changed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        FINAL = "final", _("已定稿")

    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    final_at = models.DateTimeField(_("定稿时间"), null=True, blank=True, editable=False)
    final_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("定稿人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_final(self):
        return self.status == self.Status.FINAL


class AnnualReport(FinalReport):
    """One agency's 政府信息公开工作年度报告 for one year."""

    class Entry(models.TextChoices):
        COUNTED = "counted", _("按系统数据统计")
        PRINTED = "printed", _("据已印发的报告录入")

    agency = models.ForeignKey(
        Agency, verbose_name=_("报告机关"), on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))

    template = models.CharField(
        _("报告格式"),
        max_length=4,
        choices=Template.choices,
        default=Template.T2021,
        editable=False,
    )
    entry = models.CharField(
        _("数据来源"), max_length=8, choices=Entry.choices, default=Entry.COUNTED, editable=False
    )
    # A printed report's table cells as entered ({cell key: number}); its other numbers are the
    # fields below. One reason covers the whole entry.
    printed_numbers = models.JSONField(
        _("录入的表格数据"), default=dict, blank=True, editable=False
    )
    printed_reason = models.TextField(_("录入理由"), blank=True, editable=False)
    printed_on = models.DateField(
        _("原印发日期"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("已印发报告的成文日期，作为公开文件的成文日期。"),
    )

    overview = models.TextField(_("一、总体情况"), blank=True, help_text=_("分段填写；空行分段。"))
    problems = models.TextField(_("五、存在的主要问题及改进情况"), blank=True)
    other_matters = models.TextField(_("六、其他需要报告的事项"), blank=True)

    # Section 二, as entered: 第二十条第（五）、（六）、（八）项.
    licences = _count(_("行政许可 本年处理决定数量"))
    penalties = _count(_("行政处罚 本年处理决定数量"))
    enforcements = _count(_("行政强制 本年处理决定数量"))
    fees = models.DecimalField(
        _("行政事业性收费 本年收费金额（万元）"),
        max_digits=12,
        decimal_places=4,
        default=0,
    )
    # 2019 template, section 二 第二十条第（九）项 (the only amount besides 行政事业性收费).
    procurement_amount = models.DecimalField(
        _("政府集中采购 采购总金额（万元）"),
        max_digits=12,
        decimal_places=4,
        default=0,
    )

    # Section 四, as entered: 15 numbers; each 总计 is checked against its four parts.
    review_upheld = _count(_("行政复议 结果维持"))
    review_corrected = _count(_("行政复议 结果纠正"))
    review_other = _count(_("行政复议 其他结果"))
    review_pending = _count(_("行政复议 尚未审结"))
    review_total = _count(_("行政复议 总计"))
    direct_suit_upheld = _count(_("未经复议直接起诉 结果维持"))
    direct_suit_corrected = _count(_("未经复议直接起诉 结果纠正"))
    direct_suit_other = _count(_("未经复议直接起诉 其他结果"))
    direct_suit_pending = _count(_("未经复议直接起诉 尚未审结"))
    direct_suit_total = _count(_("未经复议直接起诉 总计"))
    after_review_upheld = _count(_("复议后起诉 结果维持"))
    after_review_corrected = _count(_("复议后起诉 结果纠正"))
    after_review_other = _count(_("复议后起诉 其他结果"))
    after_review_pending = _count(_("复议后起诉 尚未审结"))
    after_review_total = _count(_("复议后起诉 总计"))

    # The computed cells ({cell key: number}, overrides applied) as they were made final.
    final_numbers = models.JSONField(_("定稿数据"), default=dict, blank=True, editable=False)
    document = models.OneToOneField(
        Document,
        verbose_name=_("公开文件"),
        null=True,
        blank=True,
        editable=False,
        # A draft document deleted in the admin leaves a final report without one: reopening
        # and making it final again drafts a new document.
        on_delete=models.SET_NULL,
        related_name="annual_report",
        help_text=_("定稿时在“政府信息公开年报”栏目生成，经审核发布后对外公开。"),
    )

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        ordering = ["-year", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="annualreport_one_per_year"),
        ]

    def __str__(self):
        return f"{self.agency.name}{self.year}年政府信息公开工作年度报告"

    def get_absolute_url(self):
        return reverse("disclosure:annual-report", args=[self.pk])

    @property
    def title(self):
        return str(self)

    @property
    def is_printed(self):
        return self.entry == self.Entry.PRINTED

    def litigation_rows(self):
        """Section 四 as [(group key, label, [(outcome key, label, number)])]."""
        return [
            (
                group,
                label,
                [(key, name, getattr(self, f"{group}_{key}")) for key, name in LITIGATION_OUTCOMES],
            )
            for group, label in LITIGATION_GROUPS
        ]

    def litigation_errors(self):
        """What does not add up in section 四: a message per 总计 unequal to its four parts."""
        errors = []
        for _group, label, cells in self.litigation_rows():
            parts = sum(number for key, _name, number in cells if key != "total")
            total = cells[-1][2]
            if parts != total:
                errors.append(
                    _(
                        "四、%(group)s：总计 %(total)s 不等于结果维持、结果纠正、其他结果、尚未审结之和 %(parts)s。"
                    )
                    % {"group": label, "total": total, "parts": parts}
                )
        return errors


class ReportOverride(models.Model):
    """A computed number of a draft report replaced by staff, with the reason recorded."""

    report = models.ForeignKey(
        AnnualReport, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("年度报告")
    )
    cell = models.CharField(_("单元格"), max_length=60)
    value = models.PositiveIntegerField(_("改为"))
    reason = models.TextField(_("修改理由"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("人工修正的统计数")
        verbose_name_plural = _("人工修正的统计数")
        ordering = ["report", "cell"]
        constraints = [
            models.UniqueConstraint(fields=["report", "cell"], name="reportoverride_one_per_cell"),
        ]

    def __str__(self):
        return f"{self.cell} = {self.value}"


class DisclosureGuideQuerySet(models.QuerySet):
    def for_staff(self, user):
        return self.filter(agency_scope(user).q("agency", "agency__disclosure_office"))


class DisclosureGuide(models.Model):
    """政府信息公开指南 (条例 Art. 12): how to find and ask for an agency's information.

    The catalogue columns and the office's address and numbers are read from the catalogue and
    the agency when the page is shown; the free text below is what staff keep up to date.
    """

    agency = models.OneToOneField(
        Agency, verbose_name=_("机关"), on_delete=models.CASCADE, related_name="guide"
    )
    office_name = models.CharField(
        _("政府信息公开工作机构名称"),
        max_length=100,
        blank=True,
        help_text=_("如“区政府办公室政务公开科”；留空则显示机关名称。"),
    )
    classification = models.TextField(
        _("信息分类和编排"), blank=True, help_text=_("补充说明；栏目列表按公开目录自动生成。")
    )
    active_channels = models.TextField(_("主动公开的获取方式"))
    where_to_apply = models.TextField(_("依申请公开的提交方式和地点"))
    application_contents = models.TextField(_("申请应当包括的内容"))
    time_limits = models.TextField(_("答复期限"))
    fees = models.TextField(_("收费"))
    remedies = models.TextField(_("救济途径"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DisclosureGuideQuerySet.as_manager()

    class Meta:
        verbose_name = _("政府信息公开指南")
        verbose_name_plural = _("政府信息公开指南")
        ordering = ["agency__level", "agency__name"]

    def __str__(self):
        return f"{self.agency.name}政府信息公开指南"

    def get_absolute_url(self):
        return reverse("disclosure:guide", args=[self.agency_id])

    @property
    def office_display_name(self):
        return self.office_name or self.agency.name


class InspectionSnapshot(models.Model):
    """One rule's result of the self-inspection (网站自查) on one day, for the whole site
    (``agency`` empty) or one agency: the trend the self-inspection page shows. Written by
    ``self_inspect --save``, once per day, agency and rule (a second run that day replaces it)."""

    day = models.DateField(_("检查日期"))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("机构"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示全站。"),
    )
    rule = models.CharField(_("指标"), max_length=50)
    count = models.PositiveIntegerField(_("数量"))
    passed = models.BooleanField(_("合格"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        verbose_name = _("网站自查记录")
        verbose_name_plural = _("网站自查记录")
        ordering = ["-day", "rule"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agency", "rule"],
                condition=models.Q(agency__isnull=False),
                name="inspectionsnapshot_one_per_agency_day_rule",
            ),
            models.UniqueConstraint(
                fields=["day", "rule"],
                condition=models.Q(agency__isnull=True),
                name="inspectionsnapshot_one_per_site_day_rule",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.rule} {self.count}"


class WebsiteAnnualReportQuerySet(models.QuerySet):
    def published(self):
        """Reports whose document the public may read now."""
        return self.filter(document__in=Document.objects.public())


class WebsiteAnnualReport(FinalReport):
    """The site's 政府网站工作年度报表 for one year (国办函〔2018〕12号), published on the home
    page by 31 January of the next year. What each row holds: ``reports.website``."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    entered = models.JSONField(
        _("填报数据"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("系统无法统计、由工作人员填报的各项（按报表项目）。"),
    )
    final_values = models.JSONField(_("定稿数据"), default=dict, blank=True, editable=False)
    document = models.OneToOneField(
        Document,
        verbose_name=_("公开文件"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="website_report",
        help_text=_("定稿时生成，经审核发布后在首页展示。"),
    )

    objects = WebsiteAnnualReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("政府网站工作年度报表")
        verbose_name_plural = _("政府网站工作年度报表")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年度政府网站工作年度报表"

    def get_absolute_url(self):
        return reverse("disclosure:website-report", args=[self.year])

    @property
    def title(self):
        return str(self)
