"""The letters of an application, composed from it: 补正申请告知书, 延期答复告知书, 征求意见函,
收费通知书 and the 政府信息公开申请答复书 in the variant of its result.

Each names the agency, the legal basis and, where the applicant may contest it, the remedies
(行政复议 within 60 days, 行政诉讼 within six months). Staff may edit a draft before it is
final; the final text is kept unchanged (``Letter.save``).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from disclosure.applications.clock import clock
from disclosure.applications.models import Application, Letter

REMEDIES = _(
    "如对本答复不服，可以自收到本答复之日起60日内依法申请行政复议，"
    "或者自收到本答复之日起6个月内依法向人民法院提起行政诉讼。"
)

# What each result tells the applicant, and the article it rests on.
RESULT_TEXT = {
    Application.Result.DISCLOSED: (
        "经审查，您申请获取的政府信息属于公开范围，根据《中华人民共和国政府信息公开条例》第三十六条第（二）项的规定，现予以公开。",
    ),
    Application.Result.PARTIAL: (
        "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。根据《中华人民共和国政府信息公开条例》第三十七条的规定，现向您提供可以公开的部分。",
    ),
    Application.Result.WITHHELD: (
        "经审查，您申请获取的政府信息%(reason)s，根据《中华人民共和国政府信息公开条例》第三十六条第（三）项的规定，不予公开。",
    ),
    Application.Result.UNAVAILABLE: (
        "经检索查找，%(reason)s。根据《中华人民共和国政府信息公开条例》第三十六条第（四）项、第（五）项的规定，无法向您提供。",
    ),
    Application.Result.NOT_PROCESSED: (
        "经审查，您的申请属于%(reason)s，根据《中华人民共和国政府信息公开条例》第三十九条、第四十二条的规定，本机关不予处理。",
    ),
    Application.Result.OTHER: ("%(reason)s。",),
}


def date_text(day):
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def applicant_salutation(application):
    return f"{application.name}："


def compose(application, kind, *, consultation=None, on=None, due=None):
    """(title, HTML body) of a letter of ``kind`` for ``application`` as it stands."""
    from disclosure.applications.clock import today

    on = on or today()
    context = {
        "application": application,
        "agency": application.agency,
        "salutation": applicant_salutation(application),
        "received": date_text(application.received_on),
        "submitted": date_text(application.submitted_at.date()),
        "on": date_text(on),
        "remedies": REMEDIES,
        "consultation": consultation,
        "due": date_text(due),
        "supplemented": date_text(application.supplement_received_on),
    }
    if kind == Letter.Kind.SUPPLEMENT:
        context["supplement_due"] = date_text(application.supplement_due_on)
    elif kind == Letter.Kind.EXTENSION:
        context["new_due"] = date_text(clock(application, on).due_on)
    elif kind == Letter.Kind.FEE:
        context["fee_due"] = date_text(application.fee_due_on)
    elif kind == Letter.Kind.ANSWER:
        reason = application.get_reason_display() if application.reason else ""
        if application.reason == Application.Reason.NOT_HELD and application.responsible_agency:
            reason = _(
                "本机关不掌握您申请获取的政府信息；经确认，负责公开该信息的机关为%(agency)s"
            ) % {"agency": application.responsible_agency}
        context["result_text"] = RESULT_TEXT[application.result][0] % {"reason": reason}
        document = application.related_document
        context["document"] = document
        context["released_names"] = list(application.released_files.values_list("name", flat=True))
        if document is not None:
            # The letter is printed and mailed: the address must work outside the site.
            context["document_url"] = settings.PORTAL_BASE_URL + document.get_absolute_url()
    title = Letter.Kind(kind).label
    body = render_to_string(f"disclosure/applications/letters/{kind}.html", context)
    return title, body
