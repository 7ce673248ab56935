import segno
from ckeditor_uploader import views as ckeditor_views
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django.views.generic import DetailView
from django.views.static import serve

from catalog.models import CatalogNode
from catalog.scoping import scoped_documents

from .exports import ExportForm, ExportTooLarge, export_response
from .models import Attachment, Document
from .uploads import check_editor_image

FONT_SIZES = {"large": "大", "medium": "中", "small": "小"}
DOCUMENT_RELATIONS = [
    "agency", "node", "topic__parent", "genre", "proposal_reply__proposal__session",
    "proposal_reply__proposal__lead_unit", "proposal_reply__proposal__classification",
]  # fmt: skip


def qr_code_svg(url):
    """An inline SVG QR code of ``url`` (segno); the SVG holds no user-controlled markup."""
    code = segno.make(url, error="m", micro=False)
    return mark_safe(code.svg_inline(scale=4, border=2, title="扫一扫在手机打开当前页"))  # noqa: S308


class DocumentDetailView(DetailView):
    """The public page of a document; a withdrawn one that was once public answers 410."""

    template_name = "disclosure/document_detail.html"
    context_object_name = "document"
    preview = False

    def get_queryset(self):
        return Document.objects.public().select_related(*DOCUMENT_RELATIONS)

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Gone (410) only for what the public once read: anything else was never here.
            withdrawn = (
                Document.objects.filter(pk=kwargs["pk"], status=Document.Status.WITHDRAWN)
                .only("pk", "status", "disclosure_mode", "published_at", "withdrawn_at")
                .first()
            )
            if withdrawn is None or not withdrawn.was_once_public():
                raise
            return render(
                request,
                "disclosure/withdrawn.html",
                {"withdrawn_at": withdrawn.withdrawn_at},
                status=410,
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        path = list(CatalogNode.objects.visible().path_to(document.node_id))
        size = self.request.GET.get("fs")
        context.update(
            preview=self.preview,
            path=path,
            also_listed=document.extra_nodes.visible(),
            attachments=document.attachments.all(),
            interpretations=document.interpretations.public(),
            reply=getattr(document, "proposal_reply", None),
            originals=document.interprets.public(),
            font_size=size if size in FONT_SIZES else "medium",
            font_sizes=FONT_SIZES,
            qr_svg=qr_code_svg(self.request.build_absolute_uri(document.get_absolute_url())),
        )
        return context


class DocumentPreviewView(DocumentDetailView):
    """A draft or scheduled document as the public will see it, for staff who may see it."""

    preview = True

    def get(self, request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not request.user.has_perm("disclosure.view_document"):
            raise PermissionDenied
        return DetailView.get(self, request, *args, **kwargs)

    def get_queryset(self):
        documents = Document.objects.select_related(*DOCUMENT_RELATIONS)
        return scoped_documents(documents, self.request.user)


def attachment_download(request, document_pk, pk):
    """An attachment, only while its document is public (or to staff who may preview it)."""
    documents = Document.objects.public()
    user = request.user
    if user.is_active and user.is_staff and user.has_perm("disclosure.view_document"):
        documents = documents | scoped_documents(Document.objects.all(), user)
    document = get_object_or_404(documents, pk=document_pk)
    attachment = get_object_or_404(Attachment, document=document, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在")
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_member_required
@require_POST
def editor_upload(request):
    """The rich-text editor's image upload: staff with document rights, images checked by content."""
    if not (
        request.user.has_perm("disclosure.add_document")
        or request.user.has_perm("disclosure.change_document")
    ):
        raise PermissionDenied
    upload = request.FILES.get("upload")
    if upload is None:
        return JsonResponse({"uploaded": 0, "error": {"message": "没有收到文件。"}}, status=400)
    try:
        check_editor_image(upload)
    except ValidationError as exc:
        return JsonResponse({"uploaded": 0, "error": {"message": exc.messages[0]}}, status=400)
    return ckeditor_views.upload(request)


def editor_image(request, path):
    """Images inserted through the editor (public: they appear in published bodies)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT / "editor")


def catalog_listing_download(request):
    """The public catalogue listing (公开目录): public documents only, anyone may download it."""
    form = ExportForm(request.GET or None)
    if not form.is_bound:
        form = ExportForm({"format": "csv"})
    if not form.is_valid():
        return render(request, "disclosure/export_error.html", {"form": form}, status=400)
    try:
        return export_response(
            request,
            form.filters(),
            form.cleaned_data["format"],
            form.cleaned_data.get("encoding") or "utf-8",
        )
    except ExportTooLarge:
        return render(request, "disclosure/export_error.html", {"too_large": True}, status=400)
