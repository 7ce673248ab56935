"""The admin pages of the site import: upload a package, see what would happen, map every value
the import could not find, then import. Nothing is written before the last step."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from disclosure.site_import import uploads
from disclosure.site_import.forms import PUBLISH, MappingForm, SiteUploadForm
from disclosure.site_import.mapping import KINDS
from disclosure.site_import.package import UPLOAD_LIMITS, PackageRefused, ZipPackage
from disclosure.site_import.services import (
    BatchFailed,
    ImportPlan,
    ImportRefused,
    PlanChanged,
    import_documents,
    plan_digest,
    plan_import,
)

TEMPLATES = "admin/disclosure/site_import"
EXPIRED = "预览已过期或无效，请重新上传文件包。"
MAX_ASKED = 100


def may_import(user):
    return user.has_perm("disclosure.add_document")


def may_publish(user):
    return user.has_perms(["disclosure.add_document", "disclosure.publish_document"])


class SiteImportViews:
    """Views bound to the document admin (``urls()`` goes into its ``get_urls``)."""

    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.admin_site = model_admin.admin_site

    def urls(self):
        view = self.admin_site.admin_view
        return [
            path("site-import/", view(self.upload_view), name="disclosure_document_site_import"),
            path(
                "site-import/map/", view(self.map_view), name="disclosure_document_site_import_map"
            ),
            path(
                "site-import/apply/",
                view(self.apply_view),
                name="disclosure_document_site_import_apply",
            ),
        ]

    def render(self, request, template, **context):
        return TemplateResponse(
            request,
            f"{TEMPLATES}/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model_admin.model._meta,
                "title": "迁移旧网站的文件",
                "kinds": KINDS,
                **context,
            },
        )

    def upload_view(self, request):
        if not may_import(request.user):
            raise PermissionDenied
        form = SiteUploadForm(
            request.POST or None, request.FILES or None, may_publish=may_publish(request.user)
        )
        if request.method == "POST" and form.is_valid():
            uploaded = form.cleaned_data["file"]
            stored, sha256 = uploads.store_upload(uploaded)
            ticket = {
                "upload": stored,
                "source": {"file": uploaded.name[:200], "sha256": sha256},
                "status": form.cleaned_data["status"],
                "user": request.user.pk,
                "mapping": {},
            }
            return self.preview(request, ticket)
        return self.render(request, "upload.html", form=form)

    def preview(self, request, ticket, message=None, plan=None):
        """The preview of the stored package with the ticket's mapping, and the form that asks
        for every value still unmapped."""
        if plan is None:
            plan = self.plan(request, ticket)
        # At most MAX_ASKED values of each kind a page: the rest are asked once these are chosen.
        unmapped = {kind: sorted(values)[:MAX_ASKED] for kind, values in plan.unmapped.items()}
        form = MappingForm(unmapped=unmapped, rows=plan.unmapped, user=request.user)
        signed = uploads.make_ticket(**ticket, unmapped=unmapped, digest=plan_digest(plan))
        return self.render(
            request,
            "preview.html",
            plan=plan,
            form=form,
            ticket=signed,
            source=ticket["source"],
            publish=ticket["status"] == PUBLISH,
            message=message,
        )

    def plan(self, request, ticket):
        stored = uploads.stored_path(ticket["upload"])
        try:
            package = ZipPackage(stored, UPLOAD_LIMITS)
        except PackageRefused as refused:
            return ImportPlan(errors=[(0, str(refused))])
        try:
            return plan_import(package, request.user, _mapping(ticket))
        except PackageRefused as refused:
            return ImportPlan(errors=[(0, str(refused))])
        finally:
            package.close()

    def _ticket(self, request):
        """The posted ticket of this user whose upload is still stored, or None."""
        if not may_import(request.user):
            raise PermissionDenied
        try:
            ticket = uploads.read_ticket(request.POST.get("ticket"))
        except signing.BadSignature:
            return None
        if ticket.get("user") != request.user.pk or not uploads.stored_path(ticket.get("upload")):
            return None
        if ticket.get("status") == PUBLISH and not may_publish(request.user):
            raise PermissionDenied
        return ticket

    def start_again(self, request):
        self.model_admin.message_user(request, EXPIRED, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:disclosure_document_site_import"))

    def map_view(self, request):
        """The staff's choices for unmapped values, added to the ticket; then a new preview."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ticket = self._ticket(request)
        if ticket is None:
            return self.start_again(request)
        form = MappingForm(request.POST, unmapped=ticket["unmapped"], rows={}, user=request.user)
        form.is_valid()  # a choice outside the offered ones is left out; the others count
        chosen = form.mapping()
        mapping = ticket["mapping"]
        for kind, values in chosen.items():
            mapping.setdefault(kind, {}).update(values)
        return self.preview(request, _bare(ticket))

    def apply_view(self, request):
        """Import the package the preview showed, read again from where it was stored."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ticket = self._ticket(request)
        if ticket is None:
            return self.start_again(request)
        stored = uploads.stored_path(ticket["upload"])
        try:
            package = ZipPackage(stored, UPLOAD_LIMITS)
        except PackageRefused:
            return self.start_again(request)
        try:
            result = import_documents(
                package,
                request.user,
                mapping=_mapping(ticket),
                publish=ticket["status"] == PUBLISH,
                source=ticket["source"],
                expected=ticket["digest"],
                # One transaction for the whole upload: all of it, or nothing.
                batch_size=UPLOAD_LIMITS.max_members,
            )
        except (PlanChanged, ImportRefused) as changed:
            return self.preview(request, _bare(ticket), str(changed), changed.plan)
        except BatchFailed as failed:
            # One batch for an upload: nothing was saved.
            return self.preview(request, _bare(ticket), f"未导入任何文件：{failed.error}")
        finally:
            package.close()
        uploads.discard(ticket["upload"])
        self.model_admin.message_user(
            request,
            f"已导入“{ticket['source']['file']}”：新导入 {result.created} 份文件，"
            f"已导入过而跳过 {result.skipped} 份。"
            + (
                f"其中 {result.held} 份含有严重错敏词，已作为草稿导入，须审核后发布。"
                if result.held
                else ""
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:disclosure_document_changelist"))


def _bare(ticket):
    return {key: ticket[key] for key in ("upload", "source", "status", "user", "mapping")}


def _mapping(ticket):
    # JSON keeps the pks as numbers; the kinds and values as written.
    return {kind: dict(values) for kind, values in ticket.get("mapping", {}).items()}


def register():
    """The site import's pages under the documents' admin, and the change list's link to them."""
    from django.utils.translation import gettext_lazy as _

    from portal import registry

    registry.admin_pages(
        "disclosure.document", lambda model_admin: SiteImportViews(model_admin).urls()
    )
    registry.admin_link(
        "disclosure.document",
        _("迁移旧网站文件"),
        "admin:disclosure_document_site_import",
        may_import,
    )
