import segno
from ckeditor_uploader import views as ckeditor_views
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django.views.generic import DetailView
from django.views.static import serve

from catalog.models import CatalogNode

from .models import Attachment, Document
from .uploads import check_editor_image

FONT_SIZES = {"large": "大", "medium": "中", "small": "小"}


def qr_code_svg(url):
    """An inline SVG QR code of ``url`` (segno); the SVG holds no user-controlled markup."""
    code = segno.make(url, error="m", micro=False)
    return mark_safe(code.svg_inline(scale=4, border=2, title="扫一扫在手机打开当前页"))  # noqa: S308


class DocumentDetailView(DetailView):
    template_name = "disclosure/document_detail.html"
    context_object_name = "document"

    def get_queryset(self):
        return Document.objects.public().select_related("agency", "node", "topic__parent", "genre")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        path = list(CatalogNode.objects.visible().path_to(document.node_id))
        size = self.request.GET.get("fs")
        context.update(
            path=path,
            also_listed=document.extra_nodes.visible(),
            attachments=document.attachments.all(),
            font_size=size if size in FONT_SIZES else "medium",
            font_sizes=FONT_SIZES,
            qr_svg=qr_code_svg(self.request.build_absolute_uri(document.get_absolute_url())),
        )
        return context


def attachment_download(request, document_pk, pk):
    """An attachment, only while its document is public; sent under its original name."""
    document = get_object_or_404(Document.objects.public(), pk=document_pk)
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
