"""What the staff roles may do with the annual reports and the guide."""

from portal.registry import grant
from portal.roles import AUDITOR, EDITOR, REVIEWER

WRITE = [
    "disclosure.add_annualreport",
    "disclosure.change_annualreport",
    "disclosure.view_annualreport",
    "disclosure.add_reportoverride",
    "disclosure.change_reportoverride",
    "disclosure.delete_reportoverride",
    "disclosure.view_reportoverride",
    "disclosure.add_disclosureguide",
    "disclosure.change_disclosureguide",
    "disclosure.view_disclosureguide",
    "disclosure.add_websiteannualreport",
    "disclosure.change_websiteannualreport",
    "disclosure.view_websiteannualreport",
]


def register():
    grant(EDITOR, *WRITE)
    grant(REVIEWER, *WRITE)
    grant(
        AUDITOR,
        "disclosure.view_annualreport",
        "disclosure.view_reportoverride",
        "disclosure.view_disclosureguide",
        "disclosure.view_websiteannualreport",
    )
