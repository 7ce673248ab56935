"""What the staff roles may do in the catalogue."""

from portal.registry import grant
from portal.roles import AUDITOR, CATALOGUER, EDITOR, REVIEWER

READ = ["catalog.view_agency", "catalog.view_catalognode"]


def register():
    grant(EDITOR, *READ)
    grant(REVIEWER, *READ)
    grant(
        CATALOGUER,
        *READ,
        "catalog.add_catalognode",
        "catalog.change_catalognode",
        "catalog.delete_catalognode",
    )
    grant(AUDITOR, *READ, "catalog.view_all_agencies")
