"""The audit log's actions of delegate proposals."""

from django.utils.translation import gettext_lazy as _

from portal.registry import audit_action

CO_OPINION = audit_action("co_opinion", _("协办意见"))
