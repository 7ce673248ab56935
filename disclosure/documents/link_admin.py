"""What staff see of the link checks: the list of broken links of public documents (their
agencies' only) and the 链接检查 section of a document's change page."""

from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from disclosure.documents.links import broken_links
from disclosure.documents.models import LinkCheck
from portal.admin import ReadOnlyAdmin


class LinkAgencyFilter(admin.SimpleListFilter):
    """发布机构, offering the agencies the user works for only."""

    title = _("发布机构")
    parameter_name = "agency"

    def lookups(self, request, model_admin):
        agencies = Agency.objects.for_staff(request.user).order_by("name")
        return [(str(a.pk), a.name) for a in agencies.only("pk", "name")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(document__agency_id=int(self.value()))
        return queryset


def _moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _url_cell(row):
    # External addresses are shown as text to copy: staff open them on purpose, not by a click
    # from the admin, and an address is never made a link of the admin's own pages.
    return format_html('<span class="link-url">{}</span>', row.url)


@admin.register(LinkCheck)
class LinkCheckAdmin(ReadOnlyAdmin):
    """无法访问的链接: the broken links of public documents, the longest broken first."""

    list_display = [
        "document_display", "url_display", "kind", "place", "text", "error", "broken_since",
        "checked_display",
    ]  # fmt: skip
    list_filter = ["kind", "place", LinkAgencyFilter]
    list_select_related = ["document", "document__agency"]
    search_fields = ["url", "text", "document__title"]
    list_per_page = 100
    show_full_result_count = False
    ordering = ["first_broken_at", "pk"]  # the longest broken first, as broken_links gives them
    list_display_links = None  # each row links to its document

    def get_queryset(self, request):
        return broken_links(request.user)

    def has_view_permission(self, request, obj=None):
        return may_see_links(request.user)

    @admin.display(description=_("文件"), ordering="document__title")
    def document_display(self, obj):
        url = reverse("admin:disclosure_document_change", args=[obj.document_id])
        return format_html(
            '<a href="{}">{}</a><br><span class="help">{}</span>',
            url,
            obj.document.title,
            obj.document.agency.display_name,
        )

    @admin.display(description=_("链接地址"))
    def url_display(self, obj):
        return _url_cell(obj)

    @admin.display(description=_("首次发现无法访问"), ordering="first_broken_at")
    def broken_since(self, obj):
        return _moment(obj.first_broken_at)

    @admin.display(description=_("检查时间"), ordering="checked_at")
    def checked_display(self, obj):
        return _moment(obj.checked_at)


def link_check_table(document):
    """The 链接检查 section of ``document``'s change page: its links, the broken ones first."""
    if document.pk is None:
        return "—"
    rows = list(
        document.link_checks.order_by(F("ok").asc(nulls_last=True), "kind", "pk").only(
            "url", "kind", "place", "text", "ok", "error", "first_broken_at", "checked_at"
        )[:200]
    )
    if not rows:
        return _("尚无检查结果：发布或批准修订后检查本站链接和附件，外部链接由定时任务检查。")
    states = {True: _("正常"), False: _("无法访问"), None: _("待检查")}
    body = format_html_join(
        "",
        '<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                "link-broken" if row.ok is False else "",
                states[row.ok],
                row.get_kind_display(),
                row.text or row.get_place_display(),
                _url_cell(row),
                row.error or "—",
                _moment(row.first_broken_at) if row.ok is False else _moment(row.checked_at),
            )
            for row in rows
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
        "</tr></thead><tbody>{}</tbody></table>",
        _("状态"),
        _("类型"),
        _("链接文字"),
        _("链接地址"),
        _("问题"),
        _("首次发现无法访问 / 检查时间"),
        body,
    )


def may_see_links(user):
    return user.has_perm("disclosure.view_linkcheck")


def register():
    """The document list's link to the broken links."""
    from portal import registry

    registry.admin_link(
        "disclosure.document",
        _("无法访问的链接"),
        "admin:disclosure_linkcheck_changelist",
        may_see_links,
    )
