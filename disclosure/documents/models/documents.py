import re
import uuid
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Agency, CatalogNode
from catalog.scoping import agency_scope
from catalog.text import join_path
from portal.fields import DerivedCharField, DerivedTextField, SanitizedHTMLField

# How far a publication date may lie before the server's clock and still count as "now": the
# clocks of a browser and of the server differ by seconds, and a reviewer takes a minute or two
# between pressing 现在 and sending the form. Earlier than this is a date in the past.
CLOCK_SKEW = timedelta(minutes=5)

# A subtree of at most this many columns is selected by the list of their ids (read first), a
# larger one by a subquery of its range; a column's documents listed from elsewhere likewise.
SUBTREE_LIST = 20


def subtree_range(node, prefix=""):
    """Lookups putting the column at ``prefix`` in ``node``'s subtree: its tree, and its lft
    between the node's lft and rght (a range of the (tree_id, lft) index)."""
    return {
        f"{prefix}tree_id": node.tree_id,
        f"{prefix}lft__gte": node.lft,
        f"{prefix}lft__lte": node.rght,
    }


def subtree_size(node):
    """The number of columns in ``node``'s subtree, from its own lft and rght."""
    return (node.rght - node.lft + 1) // 2


# A topic path as sites write it: 综合政务\其他, 综合政务/其他, 综合政务 > 其他, 综合政务 - 其他.
TOPIC_PATH_SEPARATOR = re.compile(r"\s*[\\/>＞／＼]\s*|\s+-\s+")


class WellKnownRowMissing(LookupError):
    """A row the portal's own code relies on (found by its slug) is not in the database."""


class WellKnownQuerySet(models.QuerySet):
    def well_known(self, slug):
        """The row the portal's code knows by ``slug`` (never by its name, which staff may
        change); WellKnownRowMissing, saying which, when it is gone."""
        row = self.filter(slug=slug).first()
        if row is None:
            raise WellKnownRowMissing(
                _("缺少%(model)s“%(slug)s”（系统使用的固定条目），请联系管理员恢复。")
                % {"model": self.model._meta.verbose_name, "slug": slug}
            )
        return row


class TopicQuerySet(WellKnownQuerySet):
    def find(self, text):
        """The topic ``text`` names, or None: a name, a two-level path (上级\\下级, 上级/下级,
        上级 > 下级), each level by its current name or a former one (``aliases``). A bare name
        held at both levels (其他) is the first-level one."""
        parts = [p for p in TOPIC_PATH_SEPARATOR.split((text or "").strip()) if p]
        if not parts or len(parts) > 2:
            return None
        topics = list(self.order_by("sort_order", "pk"))
        if len(parts) == 1:
            found = [t for t in topics if t.answers_to(parts[0])]
            return min(found, key=lambda t: t.parent_id is not None, default=None)
        parents = [t for t in topics if t.parent_id is None and t.answers_to(parts[0])]
        return next(
            (
                t
                for parent in parents
                for t in topics
                if t.parent_id == parent.pk and t.answers_to(parts[1])
            ),
            None,
        )


class Topic(models.Model):
    """主题分类: the State Council's two-level list, kept as data staff can extend.

    A topic renamed when the national list changed keeps its row (and its documents) and its
    former names in ``aliases``, by which an import still finds it."""

    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("留空为一级分类。"),
    )
    aliases = models.TextField(
        _("曾用名"),
        blank=True,
        help_text=_(
            "此分类以前的名称，每行一个（如“民政、扶贫、救灾”）；导入文件写旧名称时归入此分类。"
        ),
    )
    is_national = models.BooleanField(
        _("国务院公文主题分类"),
        default=False,
        help_text=_("属于国务院公文主题分类；不勾选的是本站自设的分类。"),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # The rows the portal's code relies on carry a slug (其他: "other"); names stay staff's.
    slug = models.SlugField(
        _("系统标识"), max_length=40, null=True, blank=True, unique=True, editable=False
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("主题分类")
        verbose_name_plural = _("主题分类")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="topic_unique_name_per_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def answers_to(self, name):
        """Whether ``name`` is this topic's name or one of its former names."""
        return name == self.name or name in self.alias_list

    @classmethod
    def tree_labels(cls):
        """{pk: (depth, "综合政务 / 其他")} for every topic, in tree order (each parent, then its
        children, by sort order), in one query: what staff choose a topic by (catalog.choices)."""
        rows = cls.objects.order_by("sort_order", "pk").values_list("pk", "name", "parent_id")
        children = {}
        for pk, name, parent_id in rows:
            children.setdefault(parent_id, []).append((pk, name))
        labels = {}

        def walk(parent_id, path):
            for pk, name in children.get(parent_id, []):
                if pk not in labels:  # a loop in bad data ends here
                    labels[pk] = (len(path), join_path([*path, name]))
                    walk(pk, [*path, name])

        walk(None, [])
        return labels

    def path_label(self):
        """This topic's path as tree_labels gives it."""
        names, topic = [], self
        while topic is not None and len(names) < 10:
            names.insert(0, topic.name)
            topic = topic.parent
        return join_path(names)


class Genre(models.Model):
    """体裁分类 / 文种."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    requires_doc_number = models.BooleanField(
        _("须有文号"), default=False, help_text=_("合规检查会列出缺少文号的此类文件。")
    )
    # The genre rules are flags, not names: renaming a genre in the admin keeps its rules.
    needs_interpretation = models.BooleanField(
        _("须有政策解读"),
        default=False,
        help_text=_(
            "规范性文件：每份此类文件都应有公开的政策解读，合规检查会列出没有解读的文件"
            "（如“行政规范性文件”）。"
        ),
    )
    is_interpretation = models.BooleanField(
        _("属于政策解读"),
        default=False,
        help_text=_("此类文件解读政策文件，可关联它所解读的文件（原文）（如“政策解读”）。"),
    )
    report_row = models.CharField(
        _("年度报告统计行"),
        max_length=16,
        choices=[("rules", _("规章")), ("normative", _("行政规范性文件"))],
        blank=True,
        help_text=_(
            "政府信息公开工作年度报告第二部分第二十条第（一）项按此行统计本体裁文件的"
            "制发、废止和现行有效件数。"
        ),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # The rows the portal's code relies on carry a slug (the replies', the report's genre).
    slug = models.SlugField(
        _("系统标识"), max_length=40, null=True, blank=True, unique=True, editable=False
    )

    objects = WellKnownQuerySet.as_manager()

    class Meta:
        verbose_name = _("体裁分类")
        verbose_name_plural = _("体裁分类")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class DocumentQuerySet(models.QuerySet):
    def for_staff(self, user):
        """Documents of the agencies ``user`` (or SYSTEM) works for, in any state."""
        return self.filter(agency_scope(user).q("agency"))

    def public(self, at=None):
        """The only definition of what the public may see: published, due, 主动公开.

        With ``at`` (an aware datetime), what the public could see at that moment, as the
        compliance report asks for a past day: published by then and not withdrawn before it.
        A withdrawn document keeps the fields it had when it was withdrawn.
        """
        shown = Q(status=Document.Status.PUBLISHED)
        if at is not None:
            shown |= Q(status=Document.Status.WITHDRAWN, withdrawn_at__gt=at)
        return self.filter(
            shown,
            published_at__lte=timezone.now() if at is None else at,
            disclosure_mode=Document.DisclosureMode.ACTIVE,
        )

    def next_scheduled_at(self):
        """When the next scheduled document becomes public (None if none is waiting): the one
        moment public() changes without a write. One read of the public index."""
        return (
            self.filter(
                status=Document.Status.PUBLISHED,
                disclosure_mode=Document.DisclosureMode.ACTIVE,
                published_at__gt=timezone.now(),
            )
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )

    def previewable_by(self, user):
        """Documents ``user`` may preview as the public would see them, in any state: those of
        their agencies, for active staff who may view documents; none for anyone else."""
        if not (user.is_active and user.is_staff and user.has_perm("disclosure.view_document")):
            return self.none()
        return self.for_staff(user)

    def interpretable_by(self, user):
        """Documents an interpretation by ``user`` may point at: public ones, and published ones
        of the user's agencies (a policy scheduled for later can be interpreted before it is out)."""
        own = Document.objects.filter(status=Document.Status.PUBLISHED).for_staff(user)
        return self.filter(
            Q(pk__in=Document.objects.public().values("pk")) | Q(pk__in=own.values("pk"))
        )

    def with_interpretation_flag(self):
        """Annotated with ``has_interpretation``: whether a published interpretation points at it."""
        interpreted = Document.interprets.through.objects.filter(
            to_document_id=OuterRef("pk"), from_document__status=Document.Status.PUBLISHED
        )
        return self.annotate(has_interpretation=Exists(interpreted))

    def in_subtree(self, node):
        """Documents whose primary node, or a node they are also listed under, is in ``node``'s subtree."""
        # A small subtree's node ids and the (rare) extra listings are read first and written
        # into the query as lists: the planner then knows how many documents they select, and
        # walks the (node, published_at) index for a small column instead of the whole date
        # index. A large subtree, or many listings, are selected by a subquery of the lft range:
        # no list grows with the catalogue.
        listings = Document.extra_nodes.through.objects.filter(
            **subtree_range(node, "catalognode__")
        ).values("document_id")
        rows = (
            Document.objects.filter(pk__in=listings.distinct().order_by()[: SUBTREE_LIST + 1])
            .order_by()
            .annotate(part=Value("d"))
            .values_list("part", "pk")
        )
        if 1 < subtree_size(node) <= SUBTREE_LIST:
            rows = (
                CatalogNode.objects.filter(**subtree_range(node))
                .order_by()
                .annotate(part=Value("n"))
                .values_list("part", "pk")
                .union(rows, all=True)
            )
        node_ids, listed = [], []
        for part, pk in rows:
            (node_ids if part == "n" else listed).append(pk)
        if subtree_size(node) == 1:
            node_ids = [node.pk]
        elif subtree_size(node) > SUBTREE_LIST:
            node_ids = None
        also = listed if len(listed) <= SUBTREE_LIST else listings
        return self.in_columns(node, node_ids, also=also)

    def in_columns(self, node, node_ids=None, also=()):
        """Documents filed in ``node``'s subtree, and those whose pk is in ``also`` (a list, or
        a queryset of ids). ``node_ids``: the subtree's node ids, when read (a short list);
        without them the subtree is selected by its lft range."""
        if node_ids is None:
            nodes = Q(node_id__in=CatalogNode.objects.filter(**subtree_range(node)).values("pk"))
        else:
            nodes = Q(node_id__in=node_ids)
        if isinstance(also, models.QuerySet) or also:
            return self.filter(nodes | Q(pk__in=also))
        return self.filter(nodes)

    def with_metadata(
        self, *, node=None, agency=None, topic=None, genre=None, year=None, validity=None
    ):
        """The documents with the given index metadata; a first-level topic includes its children.

        Each argument is optional; agency, topic and genre take an instance or a primary key.
        """
        documents = self
        if node is not None:
            documents = documents.in_subtree(node)
        if agency:
            documents = documents.filter(agency=agency)
        if topic:
            documents = documents.filter(Q(topic=topic) | Q(topic__parent=topic))
        if genre:
            documents = documents.filter(genre=genre)
        if year:
            documents = documents.filter(published_at__year=year)
        if validity:
            documents = documents.filter(validity=validity)
        return documents

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def backdated(self):
        """Documents whose 发布日期 lies before the moment the server recorded their
        publication (by more than CLOCK_SKEW): migrated ones with their reason, and any other,
        which the compliance report names."""
        return self.filter(
            published_recorded_at__isnull=False,
            published_at__lt=F("published_recorded_at") - CLOCK_SKEW,
        )


class Document(models.Model):
    """公开文件: one unit of disclosed government information with its index metadata."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Validity(models.TextChoices):
        VALID = "valid", _("有效")
        EXPIRED = "expired", _("失效")
        REPEALED = "repealed", _("废止")
        AMENDED = "amended", _("已修订")

    class DisclosureMode(models.TextChoices):
        ACTIVE = "active", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")
        EXEMPT = "exempt", _("不予公开")

    title = models.CharField(_("标题"), max_length=300)
    summary = models.TextField(
        _("内容概述"), blank=True, help_text=_("纯文本，一两句话，出现在公开目录和检索结果中。")
    )
    body = SanitizedHTMLField(_("正文"), blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("发布机构"), on_delete=models.PROTECT, related_name="documents"
    )
    node = models.ForeignKey(
        CatalogNode,
        verbose_name=_("所属栏目"),
        on_delete=models.PROTECT,
        related_name="documents",
        help_text=_("主栏目：页面上的“当前位置”即此栏目的路径。"),
    )
    extra_nodes = models.ManyToManyField(
        CatalogNode,
        verbose_name=_("同时发布到"),
        blank=True,
        related_name="listed_documents",
        help_text=_("文件还应出现在这些栏目中。"),
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("主题分类"), null=True, blank=True, on_delete=models.PROTECT
    )
    genre = models.ForeignKey(
        Genre, verbose_name=_("体裁分类"), null=True, blank=True, on_delete=models.PROTECT
    )
    doc_number = models.CharField(
        _("文号"),
        max_length=100,
        blank=True,
        help_text=_("如 渝府办发〔2021〕100号，用六角括号〔〕。"),
    )
    written_on = models.DateField(_("成文日期"), null=True, blank=True)
    published_at = models.DateTimeField(
        _("发布日期"),
        null=True,
        blank=True,
        help_text=_(
            "留空则在发布时取当前时间；填写将来的时间，文件到时自动对外公开（定时发布）。"
            "不能填写过去的时间，从旧网站迁移的文件除外（须有原索引号和补录原因）。"
        ),
    )
    # The moment the server made the document public: the publish action's time, or the
    # scheduled time when it comes (services.publication_dates). Never taken from a form; the
    # 发布日期 shown equals it for every document but those migrated with a reason.
    published_recorded_at = models.DateTimeField(
        _("系统记录的发布时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("发布操作时服务器记录的时间（定时发布为到期公开的时间），不能修改。"),
    )
    backdate_reason = models.TextField(
        _("补录原因"),
        blank=True,
        help_text=_(
            "仅用于从旧网站迁移、保留原发布日期的文件：写明原发布日期的来源"
            "（如“原网站2022年7月15日发布，迁移时保留原日期”），须同时有原索引号。"
            "本站新建的文件留空。"
        ),
    )
    validity = models.CharField(
        _("有效性"),
        max_length=16,
        choices=Validity.choices,
        default=Validity.VALID,
        blank=True,
        help_text=_(
            "留空表示未注明（如迁移来的文件原网站未标注）：页面不显示有效性，年度报告不计入现行有效。"
        ),
    )
    # What the validity was before its last change: whether a document changed after a year's
    # end was in force on 31 December (the annual report's 现行有效) without guessing.
    validity_before = models.CharField(
        _("变更前的有效性"), max_length=16, choices=Validity.choices, blank=True, editable=False
    )
    validity_changed_on = models.DateField(
        _("有效性变更日期"),
        null=True,
        blank=True,
        help_text=_(
            "文件失效、废止或修订的日期。有效性改变时未填写的，记为改变当日；"
            "年度报告据此统计本年废止件数和年末现行有效件数。"
        ),
    )
    keywords = models.CharField(
        _("关键词"), max_length=200, blank=True, help_text=_("多个关键词用空格或顿号分隔。")
    )
    disclosure_mode = models.CharField(
        _("公开方式"), max_length=16, choices=DisclosureMode.choices, default=DisclosureMode.ACTIVE
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    index_number_text = models.CharField(
        _("索引号"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("每个页面、导出和检索显示的索引号原文：本站编号，或迁移文件在原网站的索引号。"),
    )
    # The parts of a number in the portal's own numbering (its own or kept from the old site
    # in the same shape), so that the counter skips the serials they hold.
    index_code = models.CharField(_("索引号机构代码"), max_length=18, blank=True, editable=False)
    index_year = models.PositiveSmallIntegerField(_("索引号年份"), null=True, editable=False)
    index_serial = models.PositiveIntegerField(_("索引号序号"), null=True, editable=False)
    interprets = models.ManyToManyField(
        "self",
        verbose_name=_("解读的文件"),
        symmetrical=False,
        blank=True,
        related_name="interpretations",
        help_text=_("体裁为“政策解读”的文件在此选择它所解读的政策文件（原文）。"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核发布人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("审核意见"), blank=True, editable=False)
    withdrawn_reason = models.TextField(_("撤回原因"), blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    # Search terms (disclosure.documents.search.analysis), kept in step on every save; on PostgreSQL a
    # generated tsvector column with a GIN index is built from them (migration 0007).
    search_title = DerivedTextField(
        _("标题检索词"), derive="disclosure.documents.search.analysis.title_text"
    )
    search_body = DerivedTextField(
        _("正文检索词"), derive="disclosure.documents.search.analysis.body_text"
    )
    doc_number_key = DerivedCharField(
        _("文号检索键"),
        max_length=100,
        db_index=True,
        derive="disclosure.documents.search.analysis.doc_number_key",
    )
    is_demo = models.BooleanField(
        _("演示数据"), default=False, editable=False, help_text=_("由 generate_demo 生成。")
    )
    # A document brought over from an old site keeps its old index number and dates; these say
    # so, and the site import finds it again by the number (a second run never duplicates it).
    migrated_from = models.CharField(
        _("迁移来源"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("从旧网站迁移的文件：导入的文件包名称。本站新建的文件为空。"),
    )
    migrated_index_number = models.CharField(
        _("迁移时的原索引号"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("旧网站元数据中原样写下的索引号；再次导入时据此识别已迁移的文件。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("公开文件历史版本"),
        excluded_fields=["updated_at", "search_title", "search_body", "doc_number_key"],
        cascade_delete_history=False,
    )

    class Meta:
        verbose_name = _("公开文件")
        verbose_name_plural = _("公开文件")
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("submit_document", _("可以提交审核")),
            ("publish_document", _("可以审核发布")),
            ("withdraw_document", _("可以撤回已发布文件")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["index_code", "index_year", "index_serial"],
                condition=Q(index_serial__isnull=False),
                name="document_unique_index_number",
            ),
            models.UniqueConstraint(
                fields=["index_number_text"],
                condition=~Q(index_number_text=""),
                name="document_unique_index_number_text",
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | (Q(published_at__isnull=False) & ~Q(index_number_text="")),
                name="document_published_has_index_number",
            ),
            models.UniqueConstraint(
                fields=["migrated_index_number"],
                condition=~Q(migrated_index_number=""),
                name="document_unique_migrated_index_number",
            ),
        ]
        indexes = [
            # Matches public() and newest_first(): "the latest N" reads N index entries.
            models.Index(
                fields=["status", "disclosure_mode", "-published_at", "-id"],
                name="document_public_idx",
            ),
            models.Index(fields=["node", "-published_at"], name="document_node_idx"),
            # The sitemap index's lastmod: the newest change, read from the end of this index.
            models.Index(fields=["updated_at"], name="document_updated_idx"),
            # Staff lists (every state, newest first): a page reads a page of entries.
            models.Index(fields=["-published_at", "-id"], name="document_newest_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.note_validity_change()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "validity" in update_fields:
            kwargs["update_fields"] = {*update_fields, "validity_changed_on", "validity_before"}
        super().save(*args, **kwargs)
        self._stored_validity = (self.validity, self.validity_changed_on)
        self._stored_status, self._stored_node_id = self.status, self.node_id

    def get_absolute_url(self):
        return reverse("disclosure:document", args=[self.pk])

    def clean(self):
        super().clean()
        if self.written_after_publication():
            raise ValidationError({"written_on": _("成文日期不能晚于发布日期。")})

    def written_after_publication(self):
        """Whether the 成文日期 falls on a later day than the 发布日期 (in the portal's time zone)."""
        if self.written_on is None or self.published_at is None:
            return False
        return self.written_on > timezone.localtime(self.published_at).date()

    @property
    def may_backdate(self):
        """Whether this document may carry a 发布日期 before its publication on this portal: it
        came from an old site (its old index number) and a reason says where the date is from."""
        return bool(self.migrated_index_number and self.backdate_reason.strip())

    @property
    def is_backdated(self):
        """Whether the 发布日期 lies before the moment the server recorded (see backdated())."""
        recorded = self.published_recorded_at
        return (
            recorded is not None
            and self.published_at is not None
            and self.published_at < recorded - CLOCK_SKEW
        )

    # What the row held when it was read: save() then knows whether the validity changed.
    @classmethod
    def from_db(cls, db, field_names, values):
        document = super().from_db(db, field_names, values)
        document._stored_validity = (
            document.__dict__.get("validity"),
            document.__dict__.get("validity_changed_on"),
        )
        # The public page cache tells a first publication from a change of a public document,
        # and refreshes the column a document leaves (``documents.page_scopes``).
        document._stored_status = document.__dict__.get("status")
        document._stored_node_id = document.__dict__.get("node_id")
        return document

    def note_validity_change(self, day=None):
        """Record the day the validity changed (today, unless a date was given with the change)
        and what it was before.

        The annual report counts 本年废止 and 现行有效 from it, so it is kept whichever way the
        change is saved: a draft's form, an approved revision, a command."""
        stored = getattr(self, "_stored_validity", None)
        if stored is None:
            return
        validity, changed_on = stored
        if validity is None or self.validity == validity:
            return
        self.validity_before = validity
        if self.validity_changed_on == changed_on:
            self.validity_changed_on = day or timezone.localdate()

    @property
    def index_number(self):
        """The 索引号 as every surface shows it (the stored text, kept verbatim)."""
        return self.index_number_text

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    def was_once_public(self):
        """Whether the public could ever read this document (a withdrawn one answers 410 only then).

        Public at the moment it was withdrawn (a withdrawn document's fields no longer change),
        or in an earlier version: one published as 主动公开 whose publish date came before the
        next version replaced it.
        """
        if self.disclosure_mode == self.DisclosureMode.ACTIVE and self.published_at is not None:
            if self.withdrawn_at is not None and self.published_at <= self.withdrawn_at:
                return True
        versions = self.history.order_by("history_date", "history_id").values_list(
            "history_date", "status", "disclosure_mode", "published_at"
        )
        previous = None
        for history_date, status, mode, published_at in versions:
            if previous is not None and previous < history_date:
                return True
            public = status == self.Status.PUBLISHED and mode == self.DisclosureMode.ACTIVE
            previous = published_at if public and published_at is not None else None
        return False

    @property
    def is_interpretation(self):
        return self.genre is not None and self.genre.is_interpretation

    @property
    def keyword_list(self):
        return [k for k in self.keywords.replace("、", " ").replace("，", " ").split() if k]


class IndexCounter(models.Model):
    """The last 索引号 serial used per agency code (统一社会信用代码 or 组织机构代码, as the agency's
    scheme heads its numbers) and year; locked row by row while publishing."""

    credit_code = models.CharField(_("机构代码"), max_length=18)
    year = models.PositiveSmallIntegerField(_("年份"))
    last_serial = models.PositiveIntegerField(_("已用到的序号"), default=0)

    class Meta:
        verbose_name = _("索引号计数器")
        verbose_name_plural = _("索引号计数器")
        ordering = ["credit_code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code", "year"], name="indexcounter_unique"),
        ]

    def __str__(self):
        return f"{self.credit_code}/{self.year}: {self.last_serial}"


def attachment_path(instance, filename):
    # Random stored name: the original (Chinese) name is kept in the row and sent on download.
    suffix = PurePath(filename).suffix.lower()
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class AttachmentQuerySet(models.QuerySet):
    def live(self):
        """Attachments the public may see: not waiting for a revision of a published document."""
        return self.filter(pending_revision__isnull=True)


class Attachment(models.Model):
    """附件. Stored outside any public URL; served only through the document's download view.

    One uploaded in an edit of a published document waits (``pending_revision``) until a second
    reviewer approves that revision; until then only staff see it.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        OFD = "ofd", "OFD"
        DOC = "doc", "Word (DOC)"
        DOCX = "docx", "Word (DOCX)"
        XLS = "xls", "Excel (XLS)"
        XLSX = "xlsx", "Excel (XLSX)"
        WPS = "wps", "WPS 文字"
        ET = "et", "WPS 表格"
        ZIP = "zip", "ZIP"
        JPG = "jpg", "JPG"
        PNG = "png", "PNG"

    document = models.ForeignKey(
        Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("附件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    pending_revision = models.ForeignKey(
        "disclosure.DocumentRevision",
        verbose_name=_("待审核的修订"),
        help_text=_("上传于已发布文件的修订中，该修订批准前不对外公开。"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="new_attachments",
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("disclosure:attachment", args=[self.document_id, self.pk])

    @property
    def view_url(self):
        """Where a PDF opens in the browser's viewer (None for other kinds: downloads only)."""
        if self.kind != "pdf":
            return None
        return reverse("disclosure:attachment-view", args=[self.document_id, self.pk])
