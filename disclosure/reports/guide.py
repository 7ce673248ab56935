"""政府信息公开指南 (条例 Art. 12): the default text of a new guide, and the catalogue columns
an agency's information is arranged in (read from the catalogue when the page is shown)."""

from datetime import timedelta

from django.urls import reverse

from catalog.models import CatalogNode
from disclosure.documents.models import Document

# A guide not updated for a year is stale (the compliance report flags it).
GUIDE_STALE_DAYS = 365
# The column whose page leads to every agency's guide (a page of its own, not a list).
GUIDE_COLUMN_SLUG = "gkzn"

DEFAULTS = {
    "active_channels": (
        "主动公开的政府信息通过本门户“政务公开”专栏发布，可按栏目浏览、按索引号或关键词检索，"
        "并可订阅 RSS/Atom。也可在政府公报、政务新媒体、政务服务中心和公开查阅点查阅。"
        "属于主动公开范围的政府信息，自形成或者变更之日起20个工作日内予以公开。"
    ),
    "where_to_apply": (
        "网上申请：在本门户“依申请公开”栏目在线填写申请表。\n"
        "当面提交或邮寄：将填写完整的申请表或申请信函提交或寄送至下方所列政府信息公开工作机构"
        "（邮寄的请在信封左下角注明“政府信息公开申请”字样）。\n"
        "传真、电子邮件提交的，本机关确认收到之日为收到申请之日。"
    ),
    "application_contents": (
        "申请人应当提交身份证明或法人、其他组织的统一社会信用代码，并写明：（一）申请人的姓名或者名称、"
        "身份证明、联系方式；（二）申请公开的政府信息的名称、文号或者便于行政机关查询的其他特征性描述；"
        "（三）申请公开的政府信息的形式要求，包括获取信息的方式、途径。"
        "申请内容不明确的，本机关自收到申请之日起7个工作日内一次性告知补正。"
    ),
    "time_limits": (
        "能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个工作日内予以答复；"
        "需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不超过20个工作日。"
        "征求第三方和其他机关意见所需时间不计算在内。"
    ),
    "fees": (
        "依申请提供政府信息，不收取费用。申请人申请公开政府信息的数量、频次明显超过合理范围的，"
        "按照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费，"
        "本机关将书面通知申请人收费的依据、标准、数额和缴纳方式。"
    ),
    "remedies": (
        "公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关"
        "或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。"
    ),
}


def new_guide_values():
    return dict(DEFAULTS)


def guide_columns(agency):
    """The public catalogue columns ``agency``'s information is arranged in: those it owns and
    those holding its public documents, each as its root-first path of names."""
    used = set(
        Document.objects.public()
        .filter(agency=agency)
        .order_by()
        .values_list("node_id", flat=True)
        .distinct()
    )
    used |= set(CatalogNode.objects.filter(agency=agency).values_list("pk", flat=True))
    paths = CatalogNode.paths(public=True)
    visible = set(CatalogNode.objects.visible().filter(pk__in=used).values_list("pk", flat=True))
    rows = []
    for node in (
        CatalogNode.objects.filter(pk__in=visible).order_by("tree_id", "lft").only("pk", "name")
    ):
        rows.append((node, " › ".join(paths.get(node.pk, [node.name]))))
    return rows


def application_form_url(agency):
    """Where a citizen applies to ``agency``: its own form when it receives applications, else
    the 依申请公开 page that lists the agencies that do."""
    if agency.accepts_applications:
        return reverse("applications:apply", args=[agency.pk])
    return reverse("applications:guide")


def is_stale(guide, day):
    return guide.updated_at.date() < day - timedelta(days=GUIDE_STALE_DAYS)
