"""Public pages of the reports: the published annual reports (page, .docx, .xlsx) and each
agency's 政府信息公开指南. Nothing here shows a report whose document is not public."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from catalog.models import Agency
from disclosure.reports import website, website_files
from disclosure.reports.annual import figures_for, report_sections
from disclosure.reports.annual_files import FORMATS, public_file_response
from disclosure.reports.guide import application_form_url, guide_columns
from disclosure.reports.models import AnnualReport, DisclosureGuide, WebsiteAnnualReport
from portal import built_files


def _published_report(pk):
    return get_object_or_404(
        AnnualReport.objects.published().select_related("agency", "document"), pk=pk
    )


def annual_report_list(request):
    reports = AnnualReport.objects.published().select_related("agency", "document")
    years = {}
    for report in reports.order_by("-year", "agency__level", "agency__name"):
        years.setdefault(report.year, []).append(report)
    return render(request, "disclosure/reports/annual_report_list.html", {"years": years})


def annual_report_detail(request, pk):
    report = _published_report(pk)
    context = {
        "report": report,
        "document": report.document,
        "sections": report_sections(report, figures_for(report)),
        "formats": FORMATS,
    }
    return render(request, "disclosure/reports/annual_report.html", context)


def annual_report_download(request, pk, file_format):
    if file_format not in FORMATS:
        raise Http404
    report = _published_report(pk)
    try:
        return public_file_response(request, report, file_format)
    except built_files.Busy:
        response = render(
            request, "disclosure/reports/annual_report_busy.html", {"report": report}, status=503
        )
        response["Retry-After"] = "5"
        return response


def guide_list(request):
    guides = DisclosureGuide.objects.select_related("agency").order_by(
        "agency__level", "agency__name"
    )
    return render(request, "disclosure/reports/guide_list.html", {"guides": guides})


def guide_detail(request, agency_pk):
    agency = get_object_or_404(Agency, pk=agency_pk)
    guide = get_object_or_404(DisclosureGuide, agency=agency)
    context = {
        "guide": guide,
        "agency": agency,
        "columns": guide_columns(agency),
        "form_url": application_form_url(agency),
        "reports": AnnualReport.objects.published().filter(agency=agency).order_by("-year")[:5],
    }
    return render(request, "disclosure/reports/guide.html", context)


def _published_website_report(year):
    return get_object_or_404(
        WebsiteAnnualReport.objects.published().select_related("document"), year=year
    )


def website_report_detail(request, year):
    report = _published_website_report(year)
    context = {
        "report": report,
        "document": report.document,
        "sections": website.sections(report),
        "formats": FORMATS,
    }
    return render(request, "disclosure/reports/website_report.html", context)


def website_report_download(request, year, file_format):
    if file_format not in FORMATS:
        raise Http404
    report = _published_website_report(year)
    try:
        return website_files.public_file_response(request, report, file_format)
    except built_files.Busy:
        response = render(
            request, "disclosure/reports/annual_report_busy.html", {"report": report}, status=503
        )
        response["Retry-After"] = "5"
        return response
