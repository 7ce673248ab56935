"""The audit log's actions of the annual reports."""

from django.utils.translation import gettext_lazy as _

from portal.registry import audit_action

ANNUAL_REPORT = audit_action("annual_report", _("政府信息公开工作年度报告"))
WEBSITE_REPORT = audit_action("website_report", _("政府网站工作年度报表"))
