import json
import re
import uuid
from pathlib import Path

import segno
from ckeditor_uploader.forms import SearchForm
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from catalog.models import CatalogNode
from catalog.scoping import agency_scope
from disclosure.documents.models import Attachment, Document
from disclosure.documents.public_listing import (
    ListingBusy,
    ListingLimited,
    PublicListingForm,
    public_listing_response,
)
from disclosure.documents.uploads import (
    IMAGE_EXTENSIONS,
    attachment_content_type,
    reencode_editor_image,
)
from portal import downloads
from portal.files import PDF, file_response
from portal.media import serve_media
from portal.ratelimit import Limited, RateLimit, take_each

FONT_SIZES = {"large": "大", "medium": "中", "small": "小"}
DOCUMENT_RELATIONS = [
    "agency", "node", "topic__parent", "genre", "proposal_reply__proposal__session",
    "proposal_reply__proposal__lead_unit", "proposal_reply__proposal__classification",
]  # fmt: skip


def qr_code_svg(url):
    """An inline SVG QR code of ``url`` (segno); the SVG holds no user-controlled markup. One
    mask pattern, as any reader decodes: scoring all eight to pick the best took three
    quarters of the code's time, a tenth of an uncached document page."""
    code = segno.make(url, error="m", micro=False, mask=0)
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
                .only("pk", "status", "disclosure_mode", "published_at", "withdrawn_at", "node")
                .first()
            )
            if withdrawn is None or not withdrawn.was_once_public():
                raise
            # The column it was in stays in the breadcrumb: where to look for what replaced it.
            path = list(CatalogNode.objects.visible().path_to(withdrawn.node_id))
            return render(
                request,
                "disclosure/withdrawn.html",
                {"withdrawn_at": withdrawn.withdrawn_at, "path": path},
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
            # Staff previewing see the files a pending revision would add, marked as such.
            attachments=document.attachments.all() if self.preview else document.attachments.live(),
            interpretations=document.interpretations.public(),
            reply=getattr(document, "proposal_reply", None),
            originals=document.interprets.public(),
            font_size=size if size in FONT_SIZES else "medium",
            font_sizes=FONT_SIZES,
            qr_svg=qr_code_svg(self.request.build_absolute_uri(document.get_absolute_url())),
            page_url=self.request.build_absolute_uri(document.get_absolute_url()),
        )
        if not self.preview:
            context.update(neighbours(document))
        return context


def neighbours(document):
    """The public documents beside ``document`` in its column's list (newest first, as the
    column page shows it): 上一篇 the next newer one, 下一篇 the next older one, by publication
    date: {"previous", "next"}, each one or None. Two queries on the (node, published_at)
    index."""
    column = Document.objects.public().filter(node_id=document.node_id).only("pk", "title")
    at, pk = document.published_at, document.pk
    older = Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk)
    newer = Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk)
    return {
        "previous": column.filter(newer).order_by("published_at", "pk").first(),
        "next": column.filter(older).order_by("-published_at", "-pk").first(),
    }


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
        return Document.objects.previewable_by(self.request.user).select_related(
            *DOCUMENT_RELATIONS
        )


def _attachment(request, document_pk, pk):
    """An attachment and whether staff asked for it: only while its document is public and it
    is not waiting for a revision; staff who may preview the document get any of its
    attachments."""
    documents, attachments = Document.objects.public(), Attachment.objects.live()
    previewable = Document.objects.previewable_by(request.user)
    staff = previewable.filter(pk=document_pk).exists()
    if staff:
        documents, attachments = previewable, Attachment.objects.all()
    document = get_object_or_404(documents, pk=document_pk)
    return get_object_or_404(attachments, document=document, pk=pk), staff


def _open(attachment):
    try:
        return attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在")


def attachment_download(request, document_pk, pk):
    """An attachment as a download."""
    attachment, staff = _attachment(request, document_pk, pk)
    content_type = attachment_content_type(attachment.kind)
    return file_response(_open(attachment), attachment.original_name, content_type, private=staff)


def attachment_view(request, document_pk, pk):
    """A PDF attachment shown in the browser's PDF viewer (browsers inside chat apps open no
    downloads); any other kind is only downloaded."""
    attachment, staff = _attachment(request, document_pk, pk)
    if attachment.kind != "pdf":
        raise Http404("只有 PDF 附件可以在线查看")
    return file_response(
        _open(attachment), attachment.original_name, "application/pdf", inline=PDF, private=staff
    )


EDITOR_DIR = "editor"
CKEDITOR_FUNC_NUM = re.compile(r"[0-9]{1,9}")


def _editor_agencies(user):
    """None (every agency), or the ids of the agencies ``user`` belongs to: where their editor
    images go.

    Needs the right to add or change documents and membership of an agency (superusers and
    auditors see all); anyone else is refused."""
    if not (
        user.has_perm("disclosure.add_document") or user.has_perm("disclosure.change_document")
    ):
        raise PermissionDenied
    if agency_scope(user).is_all:
        return None
    own = sorted(user.agencies.values_list("pk", flat=True))
    if not own:
        raise PermissionDenied
    return own


def _editor_reply(func_num, *, url="", error="", status=200):
    """The answer CKEditor expects: JSON, or for its older form upload a callback script."""
    if not func_num:
        if error:
            return JsonResponse({"uploaded": 0, "error": {"message": error}}, status=status)
        return JsonResponse({"uploaded": 1, "url": url, "fileName": url.rsplit("/", 1)[-1]})
    arguments = ", ".join(
        [
            func_num,
            json.dumps(url).replace("<", "\\u003c"),
            json.dumps(error).replace("<", "\\u003c"),
        ]
    )
    script = f"<script>window.parent.CKEDITOR.tools.callFunction({arguments});</script>"
    return HttpResponse(script, status=status)


# Re-encoding an editor image holds a few copies of its pixels (up to about 350 MB at the pixel
# cap): at most this many run at once on the whole site (a slot left by a crash frees itself).
REENCODES = RateLimit("editor-image:reencode", 2, 120)
# ... and one of them for one person at a time.
REENCODES_PER_USER = RateLimit("editor-image:reencode-user", 1, 120)


@staff_member_required
@require_POST
def editor_upload(request):
    """The rich-text editor's image upload.

    Staff with document rights and an agency only; CSRF-checked like every admin form. The image
    is checked by name and content, re-encoded by Pillow and stored under a random name in the
    uploader's agency folder."""
    func_num = request.GET.get("CKEditorFuncNum", "")
    if func_num and not CKEDITOR_FUNC_NUM.fullmatch(func_num):
        return HttpResponseBadRequest("CKEditorFuncNum 必须是数字。")
    agencies = _editor_agencies(request.user)
    upload = request.FILES.get("upload")
    if upload is None:
        return _editor_reply(func_num, error="没有收到文件。", status=400)
    try:
        slot = take_each((REENCODES_PER_USER, f"user:{request.user.pk}"), (REENCODES, "site"))
    except Limited:
        return _editor_reply(func_num, error="服务器正在处理其他图片，请稍后再试。", status=429)
    try:
        content, extension = reencode_editor_image(upload)
    except ValidationError as exc:
        return _editor_reply(func_num, error=exc.messages[0], status=400)
    finally:
        slot.give_back()
    folder = "all" if agencies is None else str(agencies[0])
    now = timezone.localtime()
    name = f"{folder}/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"
    saved = default_storage.save(f"{EDITOR_DIR}/{name}", ContentFile(content))
    url = reverse("editor-image", args=[saved.split("/", 1)[1]])
    return _editor_reply(func_num, url=url)


@never_cache
@staff_member_required
def editor_browse(request):
    """The editor's image browser: the images of the agencies the user works for."""
    if _editor_agencies(request.user) is None:
        roots = [""]
    else:
        roots = [str(pk) for pk in sorted(agency_scope(request.user).agencies)]
    files = []
    for root in roots:
        for relative in _editor_images(root):
            url = reverse("editor-image", args=[relative])
            files.append(
                {"thumb": url, "src": url, "is_image": True, "visible_filename": relative[-20:]}
            )
    context = {"show_dirs": False, "dirs": [], "files": files, "form": SearchForm()}
    return render(request, "ckeditor/browse.html", context)


def _editor_images(root):
    """Paths (relative to the editor folder) of the images stored under ``root``."""
    base = Path(settings.MEDIA_ROOT) / EDITOR_DIR / root
    if not base.is_dir():
        return []
    found = []
    for path in sorted(base.rglob("*")):
        if path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS:
            found.append(path.relative_to(Path(settings.MEDIA_ROOT) / EDITOR_DIR).as_posix())
    return found


def editor_image(request, path):
    """Images inserted through the editor (public: they appear in published bodies).

    Served by content type from an allow-list: anything that is not an image is a download."""
    return serve_media(request, path, Path(settings.MEDIA_ROOT) / EDITOR_DIR)


def catalog_listing_download(request):
    """The public catalogue listing (公开目录): public documents only, anyone may download it.

    Served from a file built once per change of what is public (disclosure.documents.public_listing),
    whoever asks: staff who want drafts or a live listing use the admin export. Filters are
    narrowed to what PublicListingForm allows, and builds are limited per client.
    """
    form = PublicListingForm(request.GET or None)
    if not form.is_bound:
        form = PublicListingForm({"format": "csv"})
    if not form.is_valid():
        return render(request, "disclosure/export_error.html", {"form": form}, status=400)
    try:
        return public_listing_response(
            request,
            form.filters(),
            form.cleaned_data["format"],
            form.cleaned_data.get("encoding") or "utf-8",
        )
    except downloads.TooLarge:
        return render(request, "disclosure/export_error.html", {"too_large": True}, status=400)
    except ListingBusy:
        response = render(request, "disclosure/export_error.html", {"busy": True}, status=503)
        response["Retry-After"] = "30"
        return response
    except ListingLimited as limited:
        minutes = max(1, -(-limited.retry_after // 60))
        context = {"limited": True, "minutes": minutes}
        response = render(request, "disclosure/export_error.html", context, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
