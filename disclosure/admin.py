"""Wiring: the admin of every part of the disclosure app (Django's autodiscovery imports this)."""

import disclosure.documents.admin  # noqa: F401
import disclosure.documents.word_admin  # noqa: F401
import disclosure.proposals.admin  # noqa: F401
import disclosure.reports.admin  # noqa: F401
import disclosure.reports.website_admin  # noqa: F401
import disclosure.site_import.admin  # noqa: F401
