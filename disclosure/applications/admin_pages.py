"""The 依申请公开 admin's pages of its own, as view classes receiving the model admin
(``portal.admin_pages.AdminPage``): a step, a letter and its Word file, the proof of identity,
the full ID number, and the dashboard."""

import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from disclosure.applications import services
from disclosure.applications.admin_forms import STEP_FORMS, LetterForm
from disclosure.applications.clock import clock
from disclosure.applications.dashboard import dashboard
from disclosure.applications.letter_docx import letter_docx
from disclosure.applications.models import Letter
from portal import downloads
from portal.admin_pages import AdminPage
from portal.files import file_response


class RevealPage(AdminPage):
    """The full ID number, shown once per POST, each showing audited."""

    def get(self, request, object_id):
        application = self.model_admin._scoped_or_404(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:applications_application_change", args=[application.pk])
            )
        try:
            services.open_personal_data(application, request.user, "id_number")
        except services.ApplicationError:
            raise PermissionDenied from None
        return self.model_admin._handling_page(request, application, revealed=True)

    post = get


class IdentityPage(AdminPage):
    """The proof of identity as a download (never shown inline), each opening audited."""

    def get(self, request, object_id):
        application = self.model_admin._scoped_or_404(request, object_id)
        if not self.model_admin.has_change_permission(request, application):
            raise PermissionDenied
        if not application.identity_file:
            raise Http404(_("没有身份证明文件。"))
        try:
            handle = application.identity_file.open("rb")
        except FileNotFoundError:
            raise Http404(_("身份证明文件已不存在。")) from None
        try:
            services.open_personal_data(application, request.user, "identity_file")
        except services.ApplicationError:
            handle.close()
            raise PermissionDenied from None
        name = application.identity_file_name or f"{application.number}-身份证明"
        return file_response(handle, name)


class SupplementFilePage(AdminPage):
    """The file the applicant supplemented with, as a download, each opening audited."""

    def get(self, request, object_id):
        application = self.model_admin._scoped_or_404(request, object_id)
        if not self.model_admin.has_change_permission(request, application):
            raise PermissionDenied
        if not application.supplement_file:
            raise Http404(_("没有补正材料。"))
        try:
            handle = application.supplement_file.open("rb")
        except FileNotFoundError:
            raise Http404(_("补正材料已不存在。")) from None
        try:
            services.open_personal_data(application, request.user, "supplement_file")
        except services.ApplicationError:
            handle.close()
            raise PermissionDenied from None
        name = application.supplement_file_name or f"{application.number}-补正材料"
        return file_response(handle, name, application.supplement_file_type or None)


class StepPage(AdminPage):
    """The page behind a step's button: its form; for a fee the amount first, for the
    answer the letter first, each to confirm; then the step's service."""

    template_name = "admin/applications/application/step.html"

    def get(self, request, object_id, key):
        step = services.STEPS.get(key)
        if step is None:
            raise Http404
        application = self.model_admin._scoped_or_404(request, object_id)
        if not self.model_admin.has_change_permission(request, application):
            raise PermissionDenied
        change_url = reverse("admin:applications_application_change", args=[application.pk])
        if step not in services.available_steps(application, request.user):
            self.message_user(
                request,
                _("申请 %(number)s 当前状态为“%(status)s”，不能%(action)s。")
                % {
                    "number": application.number,
                    "status": application.get_status_display(),
                    "action": step.label,
                },
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        form_class = STEP_FORMS[key]
        extra = {}
        if request.method == "POST":
            form = form_class(request.POST, request.FILES, step=step, application=application)
            form, extra, confirmed = self._step_preview(request, key, form)
            if form.is_valid() and confirmed:
                next_url = self._run_step(request, application, step, form, change_url)
                if next_url:
                    return HttpResponseRedirect(next_url)
        else:
            form = form_class(step=step, application=application)
        context = {
            "original": application,
            "released": application.released_files.all() if key == "answer" else (),
            "title": f"{step.label}：{application.number}",
            "step": step,
            "form": form,
            "clock": clock(application),
            "media": self.model_admin.media + form.media,
            **extra,
        }
        return self.render(request, context)

    post = get

    def _step_preview(self, request, key, form):
        """The bound form, the preview shown beside it, and whether the step is confirmed: a
        fee and an answer are confirmed after their preview, other steps at once."""
        confirmed = "_confirm" in request.POST
        if not form.is_valid():
            return form, {}, confirmed
        if key == "fee":
            return self._fee_preview(request, form, confirmed)
        if key == "answer":
            return self._answer_preview(request, form, confirmed)
        return form, {}, True

    def _run_step(self, request, application, step, form, change_url):
        """Runs the confirmed step and tells the user what happened. Returns where to go next:
        the letter for a letter, else the application; None to show the form again."""
        try:
            result = form.run(request.user)
        except services.ApplicationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        # "征求意见完成" would read as if the consultation were over: name the step taken and
        # the state the application is in now.
        application.refresh_from_db(fields=["status"])
        done = _("申请 %(number)s：已办理“%(action)s”，当前状态：%(status)s。") % {
            "number": application.number,
            "action": step.label,
            "status": application.get_status_display(),
        }
        if isinstance(result, Letter) and not result.is_final:
            done += _("已生成《%(title)s》草稿，请核对后定稿。") % {"title": result.title}
        self.message_user(request, done, messages.SUCCESS)
        if isinstance(result, Letter):
            return result.get_absolute_url()
        return change_url

    def _fee_preview(self, request, form, confirmed):
        """The amount is shown before it is charged; a confirmation of another amount (the
        method or pages changed since) shows the new amount again."""
        fee = form.fee()
        if not fee.charged:
            form.add_error(None, _("%(basis)s，本申请不收费。") % {"basis": fee.basis})
            return form, {"fee": fee}, False
        if confirmed and form.cleaned_data.get("amount") == fee.amount:
            return form, {"fee": fee}, True
        if confirmed:
            self.message_user(request, _("费用已重新计算，请核对后再确认。"), messages.WARNING)
        data = request.POST.copy()
        data["amount"] = str(fee.amount)
        form = type(form)(data, step=form.step, application=form.application)
        form.is_valid()
        return form, {"fee": fee, "confirming": True}, False

    def _answer_preview(self, request, form, confirmed):
        """The answer letter composed from the result, to read and edit before it is final;
        a result changed after the letter was composed composes it again."""
        kept = form.keep_files(request.user)
        if kept is not None:
            form.add_error("files", kept)
            return form, {}, False
        basis = form.composed_for()
        if confirmed and request.POST.get("basis") == basis:
            return form, {"confirming": True}, True
        if confirmed:
            self.message_user(
                request,
                _("办理结果已修改，答复书已按新的结果重新生成，请核对后再确认。"),
                messages.WARNING,
            )
        title, body = form.compose()
        data = request.POST.copy()
        data["letter_title"], data["letter_body"], data["basis"] = title, body, basis
        form = type(form)(data, step=form.step, application=form.application)
        form.is_valid()
        return form, {"confirming": True}, False


class LetterPage(AdminPage):
    """A letter to print (A4, no admin chrome on paper); a draft can be edited and made final."""

    template_name = "admin/applications/application/letter.html"

    def get(self, request, object_id, letter_id):
        application, letter = letter_or_404(self.model_admin, request, object_id, letter_id)
        may_edit = (
            not letter.is_final
            and request.user.has_perm("applications.change_letter")
            and self.model_admin.has_change_permission(request, application)
        )
        form = None
        if request.method == "POST":
            if not (
                request.user.has_perm("applications.change_letter")
                and self.model_admin.has_change_permission(request, application)
            ):
                raise PermissionDenied
            action = request.POST.get("action")
            try:
                if action == "finalise":
                    services.finalise_letter(letter, request.user)
                    self.message_user(request, _("文书已定稿，此后不能再修改。"), messages.SUCCESS)
                    return HttpResponseRedirect(letter.get_absolute_url())
                form = LetterForm(request.POST)
                if form.is_valid():
                    services.edit_letter(
                        letter, request.user, form.cleaned_data["title"], form.cleaned_data["body"]
                    )
                    self.message_user(request, _("文书已保存（草稿）。"), messages.SUCCESS)
                    return HttpResponseRedirect(letter.get_absolute_url())
            except (services.ApplicationError, ValidationError) as exc:
                message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(letter.get_absolute_url())
        if may_edit and form is None:
            form = LetterForm(initial={"title": letter.title, "body": letter.body})
        context = {
            "original": application,
            "letter": letter,
            "title": f"{letter.title}（{application.number}）",
            "form": form if may_edit else None,
            "media": self.model_admin.media + form.media
            if may_edit and form
            else self.model_admin.media,
        }
        return self.render(request, context)

    post = get


class LetterDocxPage(AdminPage):
    """The letter as a Word file, through the download audit."""

    def get(self, request, object_id, letter_id):
        application, letter = letter_or_404(self.model_admin, request, object_id, letter_id)
        content = letter_docx(letter)
        download = downloads.Download(
            what="application_letter",
            filename=f"{application.number}-{letter.get_kind_display()}",
            rows=(),
            details={
                "application": application.number,
                "letter": letter.pk,
                "kind": letter.kind,
                "final": letter.is_final,
            },
        )
        downloads.record(download, request.user, "docx", 1, hashlib.sha256(content).hexdigest())
        return file_response(content, f"{download.filename}.docx", downloads.DOCX_TYPE)


class DashboardPage(AdminPage):
    template_name = "admin/applications/application/dashboard.html"

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        context = {
            "title": _("依申请公开办理提醒"),
            "dashboard": dashboard(request.user),
        }
        return self.render(request, context)


def letter_or_404(model_admin, request, object_id, letter_id):
    application = model_admin._scoped_or_404(request, object_id)
    letter = application.letters.select_related("final_by").filter(pk=letter_id).first()
    if letter is None:
        raise Http404(_("文书不存在。"))
    if not (request.user.has_perm("applications.view_letter") or request.user.is_superuser):
        raise PermissionDenied
    return application, letter


def released_or_404(model_admin, request, object_id, file_id):
    application = model_admin._scoped_or_404(request, object_id)
    released = application.released_files.filter(pk=file_id).first()
    if released is None:
        raise Http404(_("文件不存在。"))
    return application, released


class ReleasedFilePage(AdminPage):
    """A file given (or to be given) to the applicant, for the clerks to check."""

    def get(self, request, object_id, file_id):
        application, released = released_or_404(self.model_admin, request, object_id, file_id)
        try:
            handle = released.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("文件已不存在。")) from None
        return file_response(handle, released.name, released.content_type)


class ReleasedRemovePage(AdminPage):
    """Takes a file back before the answer."""

    def post(self, request, object_id, file_id):
        application, released = released_or_404(self.model_admin, request, object_id, file_id)
        if not self.model_admin.has_change_permission(request, application):
            raise PermissionDenied
        try:
            services.remove_released_file(released, request.user)
        except services.ApplicationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(
                request, _("已删除“%(name)s”。") % {"name": released.name}, messages.SUCCESS
            )
        return HttpResponseRedirect(
            reverse("admin:applications_application_change", args=[application.pk])
        )
