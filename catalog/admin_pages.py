"""The catalogue admin's pages of its own, as view classes receiving the model admin
(``portal.admin_pages.AdminPage``): a directory's upload and preview, and its import."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog import import_uploads
from catalog.forms import DirectoryUploadForm
from catalog.importer import (
    DirectoryImportError,
    DirectoryReading,
    PlanChanged,
    clipped,
    import_directory,
    plan_digest,
    plan_directory,
    read_directory,
    read_table,
)
from catalog.models import Agency, CatalogNode
from portal.admin_pages import AdminPage


class DirectoryImportPage(AdminPage):
    """Upload a directory file; the answer is a preview of what importing it would do."""

    def get(self, request):
        if not self.model_admin.has_import_permission(request):
            raise PermissionDenied
        form = DirectoryUploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            uploaded = form.cleaned_data["file"]
            stored, sha256 = import_uploads.store_upload(uploaded, form.suffix)
            source = {"file": uploaded.name[:200], "sha256": sha256}
            return self._preview(
                request, stored, source, form.cleaned_data["target"], form.cleaned_data["agency"]
            )
        return self._import_page(request, "admin/catalog/catalognode/import.html", form=form)

    post = get

    def _preview(self, request, stored, source, target, agency, message=None):
        stored_file = import_uploads.stored_path(stored)
        try:
            reading = read_directory(read_table(stored_file))
        except DirectoryImportError as exc:
            reading = DirectoryReading([], exc.errors)
        plan = plan_directory(reading.items, target, agency)
        ticket = import_uploads.make_ticket(
            upload=stored,
            source=source,
            target=target.pk,
            agency=agency.pk if agency else None,
            user=request.user.pk,
            digest=plan_digest(plan),
        )
        return self._import_page(
            request,
            "admin/catalog/catalognode/import_preview.html",
            plan=plan,
            reading=reading,
            errors=reading.errors,
            ticket=ticket if not reading.errors and (plan.created or plan.updated) else None,
            source=source,
            target=target,
            agency=agency,
            message=message,
        )

    def _import_page(self, request, template, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("导入基层政务公开标准目录"),
                **context,
            },
        )

    def _report_errors(self, request, errors):
        """The first errors of a refused import as messages, and how many more there are."""
        shown, more = clipped(errors)
        for row, problem in shown:
            text = f"第{row}行：{problem}" if row else problem
            self.message_user(request, text, messages.ERROR)
        if more:
            self.message_user(
                request, _("另有 %(count)d 处错误。") % {"count": more}, messages.ERROR
            )


class DirectoryApplyPage(DirectoryImportPage):
    http_method_names = ["post"]
    """Import the file a preview showed, read again from where it was stored."""

    def post(self, request):
        if not self.model_admin.has_import_permission(request):
            raise PermissionDenied
        start_again = HttpResponseRedirect(reverse("admin:catalog_catalognode_import"))
        try:
            ticket = import_uploads.read_ticket(request.POST.get("ticket"))
        except signing.BadSignature:
            self.message_user(request, _("预览已过期或无效，请重新上传文件。"), messages.ERROR)
            return start_again
        stored_file = import_uploads.stored_path(ticket.get("upload"))
        if (
            ticket.get("user") != request.user.pk
            or stored_file is None
            or import_uploads.digest_of(stored_file) != ticket["source"].get("sha256")
        ):
            self.message_user(request, _("预览已过期或无效，请重新上传文件。"), messages.ERROR)
            return start_again
        target = CatalogNode.objects.for_staff(request.user).filter(pk=ticket["target"]).first()
        agency = None
        if ticket.get("agency"):
            agency = Agency.objects.for_staff(request.user).filter(pk=ticket["agency"]).first()
        if target is None or (ticket.get("agency") and agency is None):
            raise PermissionDenied
        try:
            reading = read_directory(read_table(stored_file))
            if reading.errors:
                raise DirectoryImportError(reading.errors)
            result = import_directory(
                reading.items,
                target,
                agency,
                actor=request.user,
                source=ticket["source"],
                expected=ticket["digest"],
            )
        except PlanChanged as changed:
            return self._preview(
                request, ticket["upload"], ticket["source"], target, agency, str(changed)
            )
        except DirectoryImportError as exc:
            self._report_errors(request, exc.errors)
            return start_again
        import_uploads.discard(ticket["upload"])
        self.message_user(
            request,
            _(
                "已导入“%(file)s”：新建 %(created)d 个栏目，更新 %(updated)d 个，未变 %(unchanged)d 个。"
            )
            % {
                "file": ticket["source"]["file"],
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:catalog_catalognode_changelist"))
