"""Writes of the annual report: overriding a computed number, entering a past year's printed
report, making the report final (its numbers stored and its document drafted in the
政府信息公开年报 column) and reopening it.

The report's document then takes the normal way of every document (``services.TRANSITIONS``):
submitted, reviewed and published with its 索引号. Each step here runs in one transaction and
records an audit event; a refusal raises ReportError with a Chinese message, having changed
nothing.
"""

from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import CatalogNode
from catalog.scoping import LACKS_PERMISSION, OTHER_AGENCY, refusal, reporting_scope
from disclosure.documents.models import Document, Genre, Topic
from disclosure.documents.models.documents import WellKnownRowMissing
from disclosure.reports import actions as report_actions
from disclosure.reports.annual import (
    AMOUNT_FIELDS,
    CELL_KEYS,
    cell_label,
    field_keys,
    figures_for,
    findings,
    printed_keys,
    problems,
    report_sections,
)
from disclosure.reports.models import AnnualReport, ReportOverride, template_for_year
from portal import audit
from portal.actors import SYSTEM

# The seeded column (seed_demo's slug) for the reports; an agency may have one of its own.
REPORT_NODE_SLUG = "gknb"
REPORT_NODE_NAME = "政府信息公开年报"
REPORT_GENRE = "report"  # the genre's slug (``Genre.objects.well_known``)


class ReportError(Exception):
    """The step is refused; the message (or messages) say why, in Chinese."""

    def __init__(self, *messages):
        super().__init__("；".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


def _check(report, user):
    _check_agency(report.agency_id, user)


def _check_agency(agency_id, user, perm="disclosure.change_annualreport"):
    refused = refusal(user, [perm], agency_id, scope=reporting_scope)
    if refused == LACKS_PERMISSION:
        raise ReportError(_("您没有修改年度报告的权限。"))
    if refused == OTHER_AGENCY:
        raise ReportError(_("该年度报告不属于您所在的机构。"))


def _locked(report):
    return AnnualReport.objects.select_for_update().select_related("agency").get(pk=report.pk)


def report_columns():
    """The 政府信息公开年报 columns: the shared one (slug ``gknb``) and those of agencies, found by
    the slug or the name."""
    return CatalogNode.objects.filter(slug=REPORT_NODE_SLUG) | CatalogNode.objects.filter(
        name=REPORT_NODE_NAME
    )


def report_node(agency):
    """The 政府信息公开年报 column the report's document goes to: the agency's own, else the
    shared one."""
    columns = report_columns()
    node = columns.filter(agency=agency).first() or columns.filter(agency__isnull=True).first()
    if node is None:
        raise ReportError(
            _("公开目录中没有“政府信息公开年报”栏目，请先建立该栏目（英文标识 gknb）。")
        )
    return node


@transaction.atomic
def set_override(report, user, cell, value, reason):
    """Replace the computed number ``cell`` of a draft ``report`` by ``value``, for ``reason``."""
    report = _locked(report)
    _check(report, user)
    if report.is_final:
        raise ReportError(_("报告已定稿，不能修改统计数。"))
    if report.is_printed:
        raise ReportError(_("录入的报告没有自动统计数，请在录入页修改。"))
    if cell not in CELL_KEYS:
        raise ReportError(_("没有这个统计项：%(cell)s。") % {"cell": cell})
    reason = (reason or "").strip()
    if not reason:
        raise ReportError(_("修改自动统计的数字须写明理由。"))
    counted = figures_for(report).counted.get(cell)
    override, _created = ReportOverride.objects.update_or_create(
        report=report,
        cell=cell,
        defaults={"value": value, "reason": reason, "changed_by": None if user is SYSTEM else user},
    )
    audit.record(
        report_actions.ANNUAL_REPORT,
        actor=user,
        obj=report,
        details={
            "step": "override",
            "cell": cell,
            "label": cell_label(cell),
            "counted": counted,
            "value": value,
            "reason": reason,
        },
    )
    return override


@transaction.atomic
def remove_override(override, user):
    report = _locked(override.report)
    _check(report, user)
    if report.is_final:
        raise ReportError(_("报告已定稿，不能修改统计数。"))
    audit.record(
        report_actions.ANNUAL_REPORT,
        actor=user,
        obj=report,
        details={"step": "remove_override", "cell": override.cell, "value": override.value},
    )
    override.delete()


PRINTED_TEXTS = ("overview", "problems", "other_matters")


def _printed_values(template, values):
    """``values`` checked against the cells of ``template``: {key: int} for the table cells
    and {field name: number} for the report's own fields. Raises ReportError."""
    known = set(printed_keys(template)) | set(field_keys(template))
    unknown = sorted(set(values) - known)
    if unknown:
        raise ReportError(_("没有这些单元格：%(keys)s。") % {"keys": "、".join(unknown)})
    cells, fields = {}, {}
    for key in [*printed_keys(template), *field_keys(template)]:
        value = values.get(key) or 0
        signed = key.endswith(".change")
        if value < 0 and not signed:
            raise ReportError(_("“%(cell)s”不能为负数。") % {"cell": cell_label(key)})
        if key.startswith("f."):
            name = key[2:]
            fields[name] = Decimal(value) if name in AMOUNT_FIELDS else int(value)
        else:
            cells[key] = int(value)
    return cells, fields


def _locked_for_entry(agency, year):
    report = AnnualReport.objects.select_for_update().filter(agency=agency, year=year).first()
    if report is None:
        return AnnualReport(agency=agency, year=year)
    if not report.is_printed:
        raise ReportError(
            _("%(agency)s%(year)s年度已有按系统数据统计的报告，不能再录入。")
            % {"agency": agency.name, "year": year}
        )
    if report.is_final:
        raise ReportError(_("报告已定稿，请先退回修改再更改录入内容。"))
    return report


@transaction.atomic
def enter_printed(user, agency, year, values, reason, *, printed_on=None, texts=None):
    """Enter (or correct) ``agency``'s printed report of a past ``year`` whole: every table
    cell (``values``, {cell key or ``f.<field>``: number}), the text of sections 一、五、六, and
    ONE ``reason`` for all of it, recorded in one audit event.

    Nothing is refused for not adding up: a printed report is kept as printed. Returns the
    report and what does not add up (``annual.Finding``s, each naming its cells)."""
    _check_agency(agency.pk, user)
    reason = (reason or "").strip()
    if not reason:
        raise ReportError(
            _("请写明录入理由，如“据已印发的%(year)s年度报告录入”。") % {"year": year}
        )
    if year >= timezone.localdate().year:
        raise ReportError(_("只能录入往年已印发的报告；本年度报告次年编制。"))
    template = template_for_year(year)
    cells, fields = _printed_values(template, values)
    report = _locked_for_entry(agency, year)
    before = {**report.printed_numbers, **{f"f.{n}": getattr(report, n) for n in fields}}
    report.template = template
    report.entry = AnnualReport.Entry.PRINTED
    report.printed_numbers = cells
    report.printed_reason = reason
    report.printed_on = printed_on
    for name, value in {**fields, **(texts or {})}.items():
        setattr(report, name, value)
    report.save()
    after = {**cells, **{f"f.{n}": v for n, v in fields.items()}}
    found = findings(report)
    audit.record(
        report_actions.ANNUAL_REPORT,
        actor=user,
        obj=report,
        details={
            "step": "printed_entry",
            "template": template,
            "reason": reason,
            "printed_on": printed_on.isoformat() if printed_on else None,
            "cells": {key: str(value) for key, value in after.items() if value},
            "changed": sorted(key for key in after if before.get(key, 0) != after[key]),
            "warnings": [finding.message for finding in found],
        },
    )
    return report, found


def report_body(report, figures):
    """The report as the document's body: the six sections, tables with merged headings."""
    return render_to_string(
        "disclosure/reports/annual_report_body.html",
        {"report": report, "sections": report_sections(report, figures), "for_document": True},
    )


@transaction.atomic
def make_final(report, user):
    """Store ``report``'s numbers and put its text in a draft document of the 年报 column.

    Refused while section 三 does not balance in some column or a 总计 of section 四 is not the
    sum of its parts (every such column named). A reopened report updates its draft document."""
    report = _locked(report)
    _check(report, user)
    if report.is_final:
        raise ReportError(_("报告已经定稿。"))
    figures = figures_for(report)
    errors = problems(report, figures)
    # A printed report is published as printed, sums and all (its warnings were shown).
    if errors and not report.is_printed:
        raise ReportError(*errors)
    document = report.document
    if document is not None and document.status != Document.Status.DRAFT:
        raise ReportError(
            _("报告的公开文件状态为“%(status)s”，不能再次定稿。")
            % {"status": document.get_status_display()}
        )
    report.status = AnnualReport.Status.FINAL
    keys = printed_keys(report.template) if report.is_printed else CELL_KEYS
    report.final_numbers = {key: figures.numbers.get(key, 0) for key in keys}
    report.final_at = timezone.now()
    report.final_by = None if user is SYSTEM else user
    document = _report_document(report, document)
    document.save()
    report.document = document
    report.save()
    audit.record(
        report_actions.ANNUAL_REPORT,
        actor=user,
        obj=report,
        details={
            "step": "final",
            "document": document.pk,
            "entry": report.entry,
            "overrides": {o.cell: o.value for o in report.overrides.all()},
            "warnings": errors,
        },
    )
    return report


def _report_document(report, document):
    """``report``'s document, a new draft in the 年报 column when it has none yet, with its
    title, summary, date and body drawn from the final report (not saved)."""
    if document is None:
        try:
            genre, topic = Genre.objects.well_known(REPORT_GENRE), Topic.objects.well_known("other")
        except WellKnownRowMissing as missing:
            raise ReportError(str(missing)) from None
        document = Document(
            agency=report.agency,
            node=report_node(report.agency),
            genre=genre,
            topic=topic,
            disclosure_mode=Document.DisclosureMode.ACTIVE,
        )
    document.title = report.title
    document.summary = _(
        "%(agency)s%(year)s年政府信息公开工作情况，按国务院办公厅规定的格式编制。"
    ) % {
        "agency": report.agency.name,
        "year": report.year,
    }
    document.written_on = report.printed_on or timezone.localdate()
    # Drawn from the numbers just stored, as every later rendering of the final report is.
    document.body = report_body(report, figures_for(report))
    return document


@transaction.atomic
def reopen(report, user, reason):
    """Make a final report a draft again, while its document has not gone to review."""
    report = _locked(report)
    _check(report, user)
    reason = reopen_reason(report, reason, _("报告"))
    return back_to_draft(report, user, reason, "final_numbers", report_actions.ANNUAL_REPORT)


def reopen_reason(report, reason, noun):
    """The reason ``report`` (a 报告 or 报表, as ``noun`` says) may be made a draft again: it is
    final and its document has not gone to review. Raises ReportError."""
    reason = (reason or "").strip()
    if not report.is_final:
        raise ReportError(_("%(noun)s尚未定稿。") % {"noun": noun})
    if not reason:
        raise ReportError(_("退回修改时请写明原因。"))
    document = report.document
    if document is not None and document.status != Document.Status.DRAFT:
        raise ReportError(
            _("%(noun)s的公开文件状态为“%(status)s”，不能退回修改；待审核的文件请审核人员先退回。")
            % {"noun": noun, "status": document.get_status_display()}
        )
    return reason


def back_to_draft(report, user, reason, kept, action):
    """``report`` a draft again: what it kept when made final (its field ``kept``) forgotten,
    audited as ``action``."""
    report.status = report.Status.DRAFT
    setattr(report, kept, {})
    report.final_at = None
    report.final_by = None
    report.save()
    audit.record(action, actor=user, obj=report, details={"step": "reopen", "reason": reason})
    return report
