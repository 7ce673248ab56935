from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models, router
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from catalog.credit_code import validate_credit_code
from catalog.org_code import is_valid_org_code, validate_org_code
from catalog.scoping import agency_scope
from catalog.text import join_path
from catalog.tree import TreeChangeRefused, tree_write_lock
from portal import page_cache, registry, replicas

# Working days allowed for active disclosure when a node states none (条例 Art. 26).
DEFAULT_TIME_LIMIT_DAYS = 20


def effective_time_limit_days(stated_days):
    """The working days allowed to publish: a column's stated limit, or Art. 26's default."""
    return stated_days or DEFAULT_TIME_LIMIT_DAYS


class ColumnKind(models.TextChoices):
    """栏目类型: what a column holds, and so how often the site inspection
    (《政府网站与政务新媒体检查指标》) expects it to be updated."""

    NEWS = "news", _("动态要闻")
    NOTICE = "notice", _("通知公告/政策文件")
    PLAN = "plan", _("人事/规划计划")
    OTHER = "other", _("其他")
    PAGE = "page", _("页面（非列表）")


# Days without a new document after which the inspection counts a column of a kind as not
# updated: 动态要闻 two weeks, 通知公告和政策文件 six months, 人事和规划计划 a year.
KIND_UPDATE_DAYS = {ColumnKind.NEWS: 14, ColumnKind.NOTICE: 183, ColumnKind.PLAN: 365}

# Words of a column's name that tell its kind, in the order tried (the first found wins).
KIND_WORDS = [
    (ColumnKind.NEWS, ("动态", "要闻", "新闻")),
    (ColumnKind.NOTICE, ("通知", "公告", "政策文件", "规范性文件")),
    (ColumnKind.PLAN, ("人事", "规划", "计划")),
]


def kind_from_name(name):
    """The kind a column's name tells (动态/要闻/新闻, 通知/公告/政策文件/规范性文件, 人事/规划/计划),
    else 其他."""
    for kind, words in KIND_WORDS:
        if any(word in name for word in words):
            return kind
    return ColumnKind.OTHER


def effective_update_days(kind, interval_days):
    """The days a column may go without a new document: its own 更新周期 when set, else its
    kind's default (none for 其他 and pages: not checked)."""
    if kind == ColumnKind.PAGE:
        return None
    return interval_days or KIND_UPDATE_DAYS.get(kind)


class AgencyQuerySet(models.QuerySet):
    def for_staff(self, user):
        """The agencies ``user`` (or SYSTEM) works for, sub-agencies included."""
        return self.filter(agency_scope(user).q("pk"))


class Agency(models.Model):
    """发布机构 / 公开主体: an office that publishes government information."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("区级")
        TOWNSHIP = "township", _("镇街级")

    class IndexScheme(models.TextChoices):
        """How the agency's new 索引号 are written (disclosure.documents.index_numbers formats them)."""

        CREDIT_CODE = "credit", _("统一社会信用代码/年份-序号")
        ORG_CODE_SLASH = "org_slash", _("组织机构代码/年份-序号")
        ORG_CODE_DASH = "org_dash", _("组织机构代码-年份-序号")

    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    short_name = models.CharField(
        _("简称"), max_length=50, blank=True, help_text=_("页面空间不足时显示，如“区政府办公室”。")
    )
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18位，按 GB 32100-2015 校验；默认也是索引号的前缀。"),
    )
    org_code = models.CharField(
        _("组织机构代码"),
        max_length=9,
        blank=True,
        validators=[validate_org_code],
        help_text=_(
            "9位，不含连字符，按 GB 11714 校验（第9位可为 X）；索引号按组织机构代码编制时必填。"
        ),
    )
    index_scheme = models.CharField(
        _("新索引号格式"),
        max_length=16,
        choices=IndexScheme.choices,
        default=IndexScheme.CREDIT_CODE,
        help_text=_("本机构新发布文件的索引号格式；已有的索引号（包括迁移文件的原索引号）不变。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(
        _("层级"), max_length=16, choices=Level.choices, default=Level.DISTRICT
    )
    disclosure_office = models.ForeignKey(
        "self",
        verbose_name=_("政府信息公开工作承办机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disclosure_work_of",
        help_text=_(
            "承办本机关政府信息公开工作（编制年度报告和公开指南）的机构，"
            "如区政府的由区政府办公室承办；其工作人员可以编制本机关的年度报告和指南。"
            "留空则由本机关自己承办。"
        ),
    )
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    fax = models.CharField(_("传真"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    accepts_applications = models.BooleanField(
        _("受理政府信息公开申请"),
        default=True,
        help_text=_("勾选后，本机构列入“依申请公开”页面的受理机关，公众可以在网上向其提出申请。"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        blank=True,
        related_name="agencies",
        help_text=_("这些工作人员可以管理本机构及其下级机构的信息。"),
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("发布机构")
        verbose_name_plural = _("发布机构")
        ordering = ["level", "name"]
        permissions = [("view_all_agencies", _("可以查看所有机构的信息（审计）"))]
        constraints = [
            models.UniqueConstraint(
                fields=["org_code"], condition=~Q(org_code=""), name="agency_unique_org_code"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.index_scheme != self.IndexScheme.CREDIT_CODE and not self.org_code:
            message = _("索引号按组织机构代码编制时，须填写本机构的组织机构代码。")
            embedded = (self.credit_code or "")[8:17]
            if is_valid_org_code(embedded):
                # GB 32100 carries an office's former organisation code in places 9 to 17.
                message = _(
                    "索引号按组织机构代码编制时，须填写本机构的组织机构代码"
                    "（统一社会信用代码第9至17位为 %(code)s，请核对）。"
                ) % {"code": embedded}
            raise ValidationError({"org_code": message})

    @property
    def numbering_code(self):
        """The code at the head of this agency's new 索引号, as its scheme says."""
        if self.index_scheme == self.IndexScheme.CREDIT_CODE:
            return self.credit_code
        return self.org_code

    @property
    def display_name(self):
        return self.short_name or self.name


# The ids of a column and of the columns above it, up the parent links.
_PATH_SQL = """
    WITH RECURSIVE path (id, parent_id) AS (
        SELECT id, parent_id FROM catalog_catalognode WHERE id = %s
        UNION ALL
        SELECT n.id, n.parent_id FROM catalog_catalognode n JOIN path ON n.id = path.parent_id
    )
    SELECT id FROM path
"""


class CatalogNodeQuerySet(TreeQuerySet):
    def for_staff(self, user):
        """Columns ``user`` (or SYSTEM) may work in: shared ones and their agencies' ones."""
        return self.filter(agency_scope(user).q("agency", shared="agency"))

    def visible(self):
        """Nodes the public may see: shown, and no ancestor hidden."""
        hidden_ancestor = CatalogNode.objects.filter(
            is_visible=False,
            tree_id=OuterRef("tree_id"),
            lft__lte=OuterRef("lft"),
            rght__gte=OuterRef("rght"),
        )
        return self.exclude(Exists(hidden_ancestor))

    def path_to(self, pk):
        """The node ``pk`` and its ancestors, root first, in one query: its parents read one by
        one by key, whatever the size of the tree (a range of lft and rght would read every
        column to the left of the node)."""
        return self.filter(pk__in=RawSQL(_PATH_SQL, [pk])).order_by("lft")  # noqa: S611


class CatalogNodeManager(TreeManager.from_queryset(CatalogNodeQuerySet)):
    def move_node(self, node, target, position="last-child"):
        # Every move (admin drag-and-drop included) takes the tree lock. django-mptt reloads
        # both nodes' lft/rght, but not the target's parent, which a "left"/"right" move
        # makes the node's new parent: reload it too, with the lock held.
        with tree_write_lock():
            if target is not None and target.pk is not None:
                target.refresh_from_db(fields=["parent"])
            return super().move_node(node, target, position)

    def rebuild(self, *args, **kwargs):
        with tree_write_lock():
            return super().rebuild(*args, **kwargs)


# The catalogue's outline per public version, for the public and for staff (``outline``).
_outlines = {}
# The last public outline's shown columns by parent (``shown_beneath``), with that outline.
_shown_beneath = {}


class NodeOutline(NamedTuple):
    """A column's name and tree fields, read as values: enough for paths, subtree filters and
    counts without a model instance."""

    pk: int
    parent_id: int | None
    name: str
    tree_id: int
    lft: int
    rght: int
    level: int
    shown: bool
    slug: str = ""


class CatalogNode(MPTTModel):
    """A column (栏目) of the disclosure catalogue, with the 标准目录 attributes of its 事项."""

    class Audience(models.TextChoices):
        PUBLIC = "public", _("全社会")
        SPECIFIC = "specific", _("特定群众")

    class Mode(models.TextChoices):
        ACTIVE = "active", _("主动")
        ON_REQUEST = "on_request", _("依申请")

    CHANNEL_OPTIONS = [
        "政府网站",
        "政府公报",
        "两微一端",
        "发布会/听证会",
        "广播电视",
        "纸质媒体",
        "公开查阅点",
        "政务服务中心",
        "便民服务站",
        "入户/现场",
        "社区/企事业单位/村公示栏（电子屏）",
        "精准推送",
    ]

    name = models.CharField(_("名称"), max_length=200)
    slug = models.SlugField(
        _("英文标识"),
        max_length=100,
        blank=True,
        help_text=_("可选。用于固定链接和程序引用，如 rddbjy；同一上级下不得重复。"),
    )
    parent = TreeForeignKey(
        "self",
        verbose_name=_("上级栏目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catalog_nodes",
        help_text=_("留空表示全区通用栏目。"),
    )
    description = models.TextField(_("栏目说明"), blank=True)
    is_visible = models.BooleanField(
        _("对公众显示"), default=True, help_text=_("不显示时，本栏目及其下级栏目都不对公众显示。")
    )
    content = models.TextField(_("公开内容（要素）"), blank=True)
    basis = models.TextField(_("公开依据"), blank=True)
    time_limit_text = models.CharField(
        _("公开时限"),
        max_length=300,
        blank=True,
        help_text=_("按原文填写，如“自信息形成或者变更之日起20个工作日内”。"),
    )
    time_limit_days = models.PositiveSmallIntegerField(
        _("公开时限（工作日）"),
        null=True,
        blank=True,
        help_text=_("原文写明工作日数时填写；留空则合规检查按20个工作日计。"),
    )
    subject = models.CharField(_("公开主体"), max_length=300, blank=True)
    channels = models.JSONField(_("公开渠道和载体"), default=list, blank=True)
    audience = models.CharField(_("公开对象"), max_length=16, choices=Audience.choices, blank=True)
    mode = models.CharField(_("公开方式"), max_length=16, choices=Mode.choices, blank=True)
    level_county = models.BooleanField(_("县级公开"), default=False)
    level_township = models.BooleanField(_("乡级公开"), default=False)
    kind = models.CharField(
        _("栏目类型"),
        max_length=16,
        choices=ColumnKind.choices,
        default=ColumnKind.OTHER,
        help_text=_(
            "按网站检查指标定更新周期：动态要闻 14 天，通知公告/政策文件 6 个月，人事/规划计划 1 年；"
            "“页面（非列表）”是一段固定内容（如机构信息），不检查更新，也不因没有文件而隐藏。"
        ),
    )
    update_interval_days = models.PositiveIntegerField(
        _("更新周期（天）"),
        null=True,
        blank=True,
        help_text=_(
            "超过该天数没有新信息即视为栏目不更新；留空则按栏目类型的周期（“其他”不检查）。"
        ),
    )
    shown_when_empty = models.BooleanField(
        _("无信息时仍对公众显示"),
        default=False,
        help_text=_("没有公开信息的栏目（空白栏目）默认不对公众显示；确需显示时勾选，并写明原因。"),
    )
    shown_when_empty_reason = models.CharField(_("无信息仍显示的原因"), max_length=300, blank=True)

    # django-mptt's tree number, declared here so that it has no index of its own: the indexes
    # of Meta begin with it.
    tree_id = models.PositiveIntegerField(editable=False)

    objects = CatalogNodeManager()

    class Meta:
        verbose_name = _("目录栏目")
        verbose_name_plural = _("目录栏目")
        ordering = ["tree_id", "lft"]
        indexes = [
            # A subtree is a range of lft within its tree: listings, counts and the tree page
            # read the columns (and their counts) of one subtree, not the whole tree, from this
            # index alone (it holds the level and the key besides). django-mptt's own queries
            # (tree_id, and lft or rght) use it too.
            models.Index(fields=["tree_id", "lft", "level", "id"], name="catalognode_subtree_idx"),
            # The few hidden columns, which visible() looks for above each column. Its fields
            # are those of the index django-mptt would otherwise add.
            models.Index(
                fields=["tree_id", "lft"],
                condition=Q(is_visible=False),
                name="catalognode_hidden_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "slug"],
                condition=~models.Q(slug=""),
                name="catalognode_unique_slug_per_parent",
            ),
            models.CheckConstraint(
                condition=Q(shown_when_empty=False) | ~Q(shown_when_empty_reason=""),
                name="catalognode_shown_when_empty_has_reason",
                violation_error_message=_("勾选“无信息时仍对公众显示”时，须写明原因。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:node", args=[self.pk])

    @property
    def effective_time_limit_days(self):
        return effective_time_limit_days(self.time_limit_days)

    @property
    def effective_update_days(self):
        """The days this column may go without a new document (``effective_update_days``)."""
        return effective_update_days(self.kind, self.update_interval_days)

    @staticmethod
    def always_shown():
        """The columns shown to the public even with no document beneath them: pages, the
        homes of a part's own page (``portal.registry.column_page``) and those staff keep
        shown, with a reason."""
        return (
            Q(kind=ColumnKind.PAGE)
            | Q(shown_when_empty=True)
            | Q(slug__in=sorted(registry.column_page_slugs()))
        )

    def clean(self):
        super().clean()
        if self.shown_when_empty and not self.shown_when_empty_reason.strip():
            raise ValidationError(
                {"shown_when_empty_reason": _("勾选“无信息时仍对公众显示”时，须写明原因。")}
            )

    @property
    def levels_display(self):
        parts = []
        if self.level_county:
            parts.append(str(_("县级")))
        if self.level_township:
            parts.append(str(_("乡级")))
        return "、".join(parts)

    @property
    def has_requirements(self):
        return any(
            [
                self.content,
                self.basis,
                self.time_limit_text,
                self.subject,
                self.channels,
                self.audience,
                self.mode,
                self.level_county,
                self.level_township,
            ]
        )

    @classmethod
    def visible_path(cls, pk):
        """Root-first list of the visible node ``pk`` and its ancestors; None when it is hidden
        (it, or a column above it, is not shown)."""
        path = list(cls.objects.path_to(pk).select_related("agency"))
        if not path or path[-1].pk != pk or len(path) != path[-1].level + 1:
            return None
        if not all(column.is_visible for column in path):
            return None
        return path

    @classmethod
    def paths(cls, public=True):
        """{node pk: root-first names of the columns on its path}, for every node, in one query.

        ``public``: only the columns the public may see. A hidden column and everything beneath
        it keep only the visible columns above them: a public document filed there shows no
        hidden name.
        """
        return cls.outline(public)[0]

    @classmethod
    def outline(cls, public=True):
        """(paths as ``paths()`` gives them, {pk: NodeOutline} of every node), read in one query
        once per public version in each process (every change of a column writes a new one:
        ``catalog.apps``); callers must not change what they are given.

        A ``NodeOutline`` holds a node's tree fields and name without loading it as a tree
        object; ``shown`` says whether the public may see it (with ``public``; always true
        without).
        """
        state = page_cache.public_state()
        kept = _outlines.get(public)
        if kept is not None and kept[0] == state.key:
            return kept[1]
        outline = cls.read_outline(public)
        # Kept under the version only when read where it is: a replica chosen for this request
        # before this process read the version may not have replayed it yet.
        alias = router.db_for_read(cls)
        if alias == DEFAULT_DB_ALIAS or (
            state.wal_position and replicas.has_replayed(alias, state.wal_position)
        ):
            _outlines[public] = (state.key, outline)
        return outline

    @classmethod
    def read_outline(cls, public):
        """``outline(public)`` as the database holds it now."""
        paths, open_nodes, nodes = {}, {None}, {}
        rows = cls.objects.order_by("tree_id", "lft").values_list(
            "pk", "parent_id", "name", "is_visible", "tree_id", "lft", "rght", "level", "slug"
        )
        for pk, parent_id, name, shown, tree_id, lft, rght, level, slug in rows:
            parent_path = paths.get(parent_id, [])
            opened = (shown or not public) and parent_id in open_nodes
            if opened:
                open_nodes.add(pk)
                paths[pk] = [*parent_path, name]
            else:
                paths[pk] = parent_path
            nodes[pk] = NodeOutline(pk, parent_id, name, tree_id, lft, rght, level, opened, slug)
        return paths, nodes

    @classmethod
    def shown_beneath(cls):
        """(the first-level columns, {pk: its children}) the public may see, as NodeOutlines in
        tree order, from the public ``outline()``, made once per outline; callers must not
        change what they are given."""
        _paths, nodes = cls.outline(public=True)
        kept = _shown_beneath.get("nodes")
        if kept is not None and kept[0] is nodes:
            return kept[1]
        first, children = [], {}
        for node in nodes.values():  # in tree order
            if node.shown:
                children.setdefault(node.parent_id, []).append(node)
                if node.level == 1:
                    first.append(node)
        _shown_beneath["nodes"] = (nodes, (first, children))
        return first, children

    def refresh_tree_fields(self):
        """Reload lft/rght/tree_id/level from the database (call with the tree lock held)."""
        if self.pk is None:
            return
        opts = self._mptt_meta
        fields = [opts.left_attr, opts.right_attr, opts.tree_id_attr, opts.level_attr]
        current = type(self)._base_manager.filter(pk=self.pk).values(*fields).first()
        if current:
            for field, value in current.items():
                setattr(self, field, value)

    def subtree(self):
        """This column and every column beneath it, as stored now (call with the tree lock held)."""
        return CatalogNode.objects.filter(
            tree_id=self.tree_id, lft__gte=self.lft, rght__lte=self.rght
        )

    @classmethod
    def tree_labels(cls):
        """{pk: (level, "政务公开 / … / 本栏目")} for every column, in tree order, in one query:
        what staff choose a column by (catalog.choices)."""
        paths, nodes = cls.outline(public=False)
        return {pk: (node.level, join_path(paths[pk])) for pk, node in nodes.items()}

    def path_label(self):
        """This column's path as tree_labels gives it."""
        return join_path(CatalogNode.objects.path_to(self.pk).values_list("name", flat=True))

    def path_names(self):
        """The column's path from the root, as staff read it: 政务公开 > … > 本栏目."""
        return " > ".join(CatalogNode.objects.path_to(self.pk).values_list("name", flat=True))

    def holds_documents(self):
        """Whether a document is filed in, or also listed under, this column or one beneath it."""
        return (
            self.subtree()
            .filter(Q(documents__isnull=False) | Q(listed_documents__isnull=False))
            .exists()
        )

    def save(self, *args, **kwargs):
        with tree_write_lock():
            self.refresh_tree_fields()
            return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # Documents are never deleted, nor silently unlisted, by a change of the tree.
        with tree_write_lock():
            self.refresh_tree_fields()
            self.check_holds_no_documents()
            return super().delete(*args, **kwargs)

    def check_holds_no_documents(self):
        """Raise TreeChangeRefused when a document is filed or listed in this subtree."""
        if self.holds_documents():
            raise TreeChangeRefused(
                gettext("栏目“%(name)s”或其下级栏目中还有文件，不能删除。请先把文件移到其他栏目。")
                % {"name": self.name}
            )
