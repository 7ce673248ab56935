"""Writes of the 政府网站工作年度报表: saving what staff enter, making the report final (every
value stored, its document drafted) and reopening it. The document then takes the normal way of
every document (``services.TRANSITIONS``): submitted, reviewed and published. Each step runs in
one transaction with one audit event; a refusal raises ``ReportError``, having changed nothing.
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Agency, CatalogNode
from catalog.scoping import LACKS_PERMISSION, refusal
from disclosure.documents.models import Document, Genre, Topic
from disclosure.documents.models.documents import WellKnownRowMissing
from disclosure.reports import actions as report_actions
from disclosure.reports.annual_services import (
    REPORT_GENRE,
    ReportError,
    back_to_draft,
    reopen_reason,
    report_node,
)
from disclosure.reports.models import WebsiteAnnualReport
from disclosure.reports.website import ENTERED_ROWS, sections, values_for
from portal import audit
from portal.actors import SYSTEM

# A column of its own when the catalogue has one (slug), else the 年报 column.
WEBSITE_REPORT_NODE_SLUG = "wzndbb"


def _site_agency():
    """The agency the site belongs to: the one at the top of the tree."""
    agency = Agency.objects.filter(parent__isnull=True).order_by("level", "pk").first()
    if agency is None:
        raise ReportError(_("尚未建立机构，不能生成报表的公开文件。"))
    return agency


def _check(user, agency_id):
    refused = refusal(user, ["disclosure.change_websiteannualreport"], agency_id)
    if refused == LACKS_PERMISSION:
        raise ReportError(_("您没有修改政府网站工作年度报表的权限。"))
    if refused:
        raise ReportError(_("政府网站工作年度报表由网站主办单位编制。"))


def _locked(report):
    return WebsiteAnnualReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def save_entered(report, user, values):
    """Store what staff entered (``values``: {row key: value}, the form's cleaned data) in a
    draft ``report``; a new report (unsaved) is created. Returns the report."""
    _check(user, _site_agency().pk)
    if report.pk is not None:
        report = _locked(report)
        if report.is_final:
            raise ReportError(_("报表已定稿，请先退回修改。"))
    before = dict(report.entered)
    report.entered = {row.key: values.get(row.key) for row in ENTERED_ROWS}
    report.save()
    audit.record(
        report_actions.WEBSITE_REPORT,
        actor=user,
        obj=report,
        details={
            "step": "entered",
            "changed": sorted(k for k, v in report.entered.items() if before.get(k) != v),
        },
    )
    return report


@transaction.atomic
def make_final(report, user):
    """Store every value of ``report`` and put the form in a draft document."""
    agency = _site_agency()
    _check(user, agency.pk)
    report = _locked(report)
    if report.is_final:
        raise ReportError(_("报表已经定稿。"))
    document = report.document
    if document is not None and document.status != Document.Status.DRAFT:
        raise ReportError(
            _("报表的公开文件状态为“%(status)s”，不能再次定稿。")
            % {"status": document.get_status_display()}
        )
    values = values_for(report)
    report.status = WebsiteAnnualReport.Status.FINAL
    report.final_values = values
    report.final_at = timezone.now()
    report.final_by = None if user is SYSTEM else user
    document = _report_document(report, document, agency)
    document.save()
    report.document = document
    report.save()
    audit.record(
        report_actions.WEBSITE_REPORT,
        actor=user,
        obj=report,
        details={"step": "final", "document": document.pk},
    )
    return report


def _report_node(agency):
    node = CatalogNode.objects.filter(slug=WEBSITE_REPORT_NODE_SLUG).first()
    return node or report_node(agency)


def _report_document(report, document, agency):
    if document is None:
        try:
            genre, topic = Genre.objects.well_known(REPORT_GENRE), Topic.objects.well_known("other")
        except WellKnownRowMissing as missing:
            raise ReportError(str(missing)) from None
        document = Document(
            agency=agency,
            node=_report_node(agency),
            genre=genre,
            topic=topic,
            disclosure_mode=Document.DisclosureMode.ACTIVE,
        )
    document.title = report.title
    document.summary = _("本网站%(year)s年度工作情况，按国务院办公厅规定的报表格式编制。") % {
        "year": report.year
    }
    document.written_on = timezone.localdate()
    document.body = render_to_string(
        "disclosure/reports/website_report_body.html",
        {"report": report, "sections": sections(report, report.final_values)},
    )
    return document


@transaction.atomic
def reopen(report, user, reason):
    """Make a final report a draft again, while its document has not gone to review."""
    _check(user, _site_agency().pk)
    report = _locked(report)
    reason = reopen_reason(report, reason, _("报表"))
    return back_to_draft(report, user, reason, "final_values", report_actions.WEBSITE_REPORT)
