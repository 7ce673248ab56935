import re
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal import filetypes, registry

SITE_SETTINGS_CACHE_KEY = "portal:site-settings"

# 我为政府网站找错: the national platform's address; a site registered there may enter the page
# the platform gives it.
ERROR_REPORT_URL = "https://zfwzzc.www.gov.cn/"
# Where the public checks a 公安机关备案号, by its number.
POLICE_QUERY_URL = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"
# The 党政机关网站标识 image staff upload: what it may be, by its content, and its size.
BADGE_FAMILIES = frozenset({"png", "jpeg", "gif"})
BADGE_MAX_BYTES = 200 * 1024
BADGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif"}


def validate_badge_image(value):
    """A newly uploaded 党政机关网站标识 image: PNG, JPEG or GIF by its content, 200 KB at most."""
    if getattr(value, "_committed", True):
        return  # the stored file, checked when it was uploaded
    if value.size > BADGE_MAX_BYTES:
        raise ValidationError(_("标识图片不能超过 200 KB。"))
    handle = value.file
    handle.seek(0)
    family = filetypes.sniff(handle.read(filetypes.HEAD_BYTES))
    handle.seek(0)
    if family not in BADGE_FAMILIES:
        raise ValidationError(_("标识图片须是 PNG、JPEG 或 GIF 图片（按文件内容判断）。"))


def badge_upload_to(instance, filename):
    """A name of the portal's own for the uploaded badge: never the one the browser sent."""
    suffix = PurePath(filename).suffix.lower()
    return f"site/dzjg-{uuid.uuid4().hex}{suffix if suffix in BADGE_SUFFIXES else ''}"


class SiteSettings(models.Model):
    """The site's name, registration numbers and contact, editable by staff without a deploy."""

    site_name = models.CharField(_("网站名称"), max_length=100, default="铜梁区人民政府 政务公开")
    owner = models.CharField(_("主办单位"), max_length=100, default="重庆市铜梁区人民政府办公室")
    site_code = models.CharField(
        _("网站标识码"),
        max_length=20,
        blank=True,
        help_text=_(
            "全国政府网站基本信息数据库分配的网站标识码，显示在页脚并写入网页元数据 SiteIDCode。"
        ),
    )
    site_domain = models.CharField(
        _("网站域名"),
        max_length=100,
        blank=True,
        help_text=_("写入网页元数据 SiteDomain，如 gk.example.gov.cn；留空则用访问的域名。"),
    )
    icp_number = models.CharField(_("ICP备案号"), max_length=50, blank=True)
    police_number = models.CharField(
        _("公安机关备案号"),
        max_length=50,
        blank=True,
        help_text=_("按备案原文填写，如“渝公网安备 50022402000001号”。"),
    )
    police_code = models.CharField(
        _("公安机关备案编号"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d{10,20}$", _("备案编号只含数字（10至20位）。"))],
        help_text=_("备案号中的数字，用于链接到备案查询；留空则取备案号中的数字。"),
    )
    error_report_url = models.URLField(
        _("“我为政府网站找错”地址"),
        default=ERROR_REPORT_URL,
        blank=True,
        help_text=_("页脚“我为政府网站找错”的链接；可填写平台为本网站分配的地址。留空则不显示。"),
    )
    badge_link = models.URLField(
        _("党政机关网站标识链接"),
        blank=True,
        help_text=_("党政机关网站标识证书页面的地址（开办单位取得标识后获得）。"),
    )
    badge_image = models.FileField(
        _("党政机关网站标识图片"),
        upload_to=badge_upload_to,
        blank=True,
        validators=[validate_badge_image],
        help_text=_(
            "上传开办单位取得的标识图片（PNG、JPEG 或 GIF，不超过 200 KB）；有图片时页脚显示标识。"
        ),
    )
    address = models.CharField(_("联系地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    show_most_read = models.BooleanField(
        _("公开“阅读排行”"),
        default=False,
        help_text=_("在首页列出近30天浏览最多的公开文件（访问统计的汇总数，不含任何访客信息）"),
    )

    class Meta:
        verbose_name = _("网站设置")
        verbose_name_plural = _("网站设置")

    def __str__(self):
        return self.site_name

    @property
    def police_query_url(self):
        """The public record's query page, by the 备案编号 or the digits of the 备案号."""
        code = self.police_code or "".join(re.findall(r"\d", self.police_number))
        return POLICE_QUERY_URL.format(code=code) if code else ""

    @classmethod
    def load(cls):
        """The single settings row (unsaved defaults when none exists), cached under the public
        version, which each save of the row changes (``portal.page_cache.versioned``)."""
        from portal.page_cache import versioned  # the page cache reads this module

        key = versioned(SITE_SETTINGS_CACHE_KEY)
        settings = cache.get(key)
        if settings is None:
            settings = cls.objects.order_by("pk").first() or cls()
            cache.set(key, settings, 300)
        return settings


class PublicState(models.Model):
    """One row per change of public content; the newest is the public version that keys the
    public page cache (``portal.page_cache``). Kept in the database, where no page entry can
    evict it and no cache restart can bring back an older one."""

    token = models.CharField(_("版本"), max_length=16)
    changed_at = models.DateTimeField(_("变更时间"))
    next_due_at = models.DateTimeField(_("下一次定时发布"), null=True, blank=True)
    # The primary's WAL insert position once the change had committed (PostgreSQL only): a
    # replica that has replayed it shows the change.
    wal_position = models.CharField(_("WAL 位置"), max_length=32, blank=True)
    # Written after the change committed (false: inside the changing transaction).
    committed = models.BooleanField(_("已提交"), default=False)

    class Meta:
        verbose_name = _("公开内容版本")
        verbose_name_plural = _("公开内容版本")
        default_permissions = ()

    def __str__(self):
        return f"{self.token} {self.changed_at:%Y-%m-%d %H:%M:%S.%f}"


class ScopeChange(models.Model):
    """One change of a part of public content (a *scope*: a document, a column's listing, the
    home page …), whose newest row is that scope's generation in the public page cache
    (``portal.page_cache.bump_scopes``). Inserted, never updated: writers of public content do
    not wait for each other's row locks."""

    scope = models.CharField(_("范围"), max_length=64)
    token = models.CharField(_("版本"), max_length=16)
    # What changed may no longer be shown (a withdrawal): no page from before it is served.
    hard = models.BooleanField(_("撤下内容"), default=False)
    changed_at = models.DateTimeField(_("变更时间"), db_index=True)
    # The primary's WAL insert position once the change had committed (PostgreSQL only).
    wal_position = models.CharField(_("WAL 位置"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("公开内容局部变更")
        verbose_name_plural = _("公开内容局部变更")
        default_permissions = ()
        indexes = [models.Index(fields=["scope", "id"], name="scope_change_scope_idx")]

    def __str__(self):
        return f"{self.scope} {self.token}"


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit log (see portal.audit)."""

    class Scheme(models.IntegerChoices):
        # Events written before the chain was keyed keep verifying under the rule they were
        # written with; see portal.audit.event_content.
        SHA256 = 1, _("SHA-256（旧）")
        HMAC_SHA256 = 2, _("HMAC-SHA256")

    class Action(models.TextChoices):
        """The kernel's own actions; every part registers its own (``portal.registry``)."""

        DELETE = "delete", _("删除")
        ROLE_CHANGE = "role_change", _("角色或机构变更")
        EXPORT = "export", _("导出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        CHAIN_KEYED = "chain_keyed", _("审计日志启用密钥")

    occurred_at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    # What the hash covers of the actor: taken when the event is written, so deleting the
    # account (which empties ``actor``) changes nothing that is hashed.
    actor_id_snapshot = models.CharField(
        _("操作人编号"),
        max_length=64,
        blank=True,
        help_text=_("写入时操作人的编号；账号删除后仍保留。"),
    )
    actor_name = models.CharField(
        _("操作人账号"),
        max_length=150,
        blank=True,
        help_text=_("写入时操作人的用户名（登录失败时为尝试的用户名）。"),
    )
    # Not choices: each part registers its actions, so a new one needs no migration here.
    action = models.CharField(_("操作"), max_length=32)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(_("上一条哈希"), max_length=64)
    hash = models.CharField(_("本条哈希"), max_length=64, unique=True)
    hash_scheme = models.PositiveSmallIntegerField(
        _("哈希算法"), choices=Scheme.choices, default=Scheme.HMAC_SHA256
    )

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-pk"]

    def __str__(self):
        return f"#{self.pk} {self.action_label} {self.object_repr}"

    @property
    def action_label(self):
        from portal.registry import audit_action_label

        return audit_action_label(self.action)

    @property
    def object_type_display(self):
        return model_type_name(self.object_type)


def model_type_name(label):
    """A stored model label ("disclosure.Document") as staff read it: the model's Chinese name
    (公开文件); the label itself for a model that no longer exists."""
    if not label:
        return ""
    model = registry.model_for_label(label)
    return str(model._meta.verbose_name) if model is not None else label


class HolidayNotice(models.Model):
    """A year's holiday arrangement as the State Council published it (国务院办公厅通知).

    Entering it makes the year known: its days follow the weekend rule except for the
    CalendarDay entries, and deadlines in that year are no longer provisional.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    title = models.CharField(
        _("通知名称"), max_length=200, help_text=_("如 国务院办公厅关于2027年部分节假日安排的通知")
    )
    published_on = models.DateField(_("发布日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}：{self.title}"


class CalendarDay(models.Model):
    """A day that is off although a weekday (holiday) or worked although a weekend (调休)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("是否工作日"), help_text=_("勾选：上班（如调休补班）；不勾选：放假。")
    )
    note = models.CharField(
        _("说明"), max_length=100, blank=True, help_text=_("如 春节、国庆节调休")
    )
    notice = models.ForeignKey(
        HolidayNotice,
        verbose_name=_("所属节假日安排"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="days",
    )

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working_day else '放假'} {self.note}"


class LoginFailureCounter(models.Model):
    """Failed logins of one address, or of one existing account, in one period.

    Not part of the hash chain, so its count can grow in place: the chain gets one event when
    a counter opens and one with the final count when it is closed (portal.audit), so failed
    logins cannot grow the audit log faster than the number of addresses and accounts.
    """

    class Scope(models.TextChoices):
        ADDRESS = "address", _("来源地址")
        ACCOUNT = "account", _("账号")

    scope = models.CharField(_("统计对象"), max_length=16, choices=Scope.choices)
    key = models.CharField(_("地址或账号"), max_length=150)
    period_start = models.DateTimeField(_("时段开始"))
    count = models.PositiveIntegerField(_("失败次数"), default=0)
    last_username = models.CharField(_("最近尝试的用户名"), max_length=150, blank=True)
    last_ip = models.GenericIPAddressField(_("最近来源地址"), null=True, blank=True)
    last_at = models.DateTimeField(_("最近失败时间"))
    closed = models.BooleanField(_("已汇总入审计日志"), default=False)

    class Meta:
        verbose_name = _("登录失败统计")
        verbose_name_plural = _("登录失败统计")
        ordering = ["-period_start", "scope", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "period_start"], name="login_failure_counter_unique"
            )
        ]
        indexes = [models.Index(fields=["closed", "period_start"], name="login_failure_open")]

    def __str__(self):
        return f"{self.get_scope_display()} {self.key} {self.period_start:%Y-%m-%d %H:%M}：{self.count}"


class RateLimit(models.Model):
    """How many actions one client (or person) took under one limit in its current period.

    Kept by ``portal.ratelimit`` in a table of its own, so that nothing else filling a cache
    can evict a count; a row whose period is over is reused by the key's next action, and
    purged now and then.
    """

    scope = models.CharField(_("限制"), max_length=64)
    key = models.CharField(
        _("对象"), max_length=100, help_text=_("客户端地址（IPv6 为 /64）或账号")
    )
    count = models.PositiveIntegerField(_("次数"), default=0)
    # Unix time in milliseconds: compared and computed in one SQL statement on every database.
    expires_ms = models.BigIntegerField(_("时段结束（Unix 毫秒）"))

    class Meta:
        verbose_name = _("频率限制计数")
        verbose_name_plural = _("频率限制计数")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="rate_limit_unique"),
        ]
        indexes = [models.Index(fields=["expires_ms"], name="rate_limit_expires")]

    def __str__(self):
        return f"{self.scope} {self.key}：{self.count}"


class VisitDay(models.Model):
    """One day's visits of the whole site, a kind of page, a column or a document (see
    ``portal.visits``): counts only, no address or identifier of any visitor. Column and
    document ids are plain numbers: the kernel knows no app's models."""

    class Kind(models.TextChoices):
        SITE = "site", _("全站")
        HOME = "home", _("首页")
        COLUMN = "column", _("栏目")
        DOCUMENT = "document", _("文件")
        SEARCH = "search", _("搜索")
        OTHER = "other", _("其他")

    date = models.DateField(_("日期"))
    key = models.CharField(
        _("统计项"), max_length=40, help_text=_("全站、一类页面、一个栏目或一个文件")
    )
    kind = models.CharField(_("页面类型"), max_length=16, choices=Kind.choices)
    node_id = models.PositiveBigIntegerField(_("栏目编号"), null=True, blank=True)
    document_id = models.PositiveBigIntegerField(_("文件编号"), null=True, blank=True)
    views = models.PositiveBigIntegerField(_("浏览量"), default=0)
    visitors = models.PositiveBigIntegerField(
        _("访客数"), default=0, help_text=_("当日不同访客（按当日随机盐散列估计，不存任何标识）")
    )
    bot_views = models.PositiveBigIntegerField(_("程序访问量"), default=0)

    class Meta:
        verbose_name = _("访问统计")
        verbose_name_plural = _("访问统计")
        ordering = ["-date", "key"]
        constraints = [
            models.UniqueConstraint(fields=["date", "key"], name="visit_day_unique"),
        ]
        indexes = [
            models.Index(fields=["kind", "date"], name="visit_day_kind"),
        ]

    def __str__(self):
        return f"{self.date} {self.key}：{self.views}"

    @classmethod
    def for_key(cls, day, key):
        """The row of ``key`` on ``day``, made (empty) when there is none."""
        from portal.visits import parse_row_key

        kind, node_id, document_id = parse_row_key(key)
        row, _created = cls.objects.get_or_create(
            date=day,
            key=key,
            defaults={"kind": kind, "node_id": node_id, "document_id": document_id},
        )
        return row
