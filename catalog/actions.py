"""The audit log's actions of the catalogue."""

from django.utils.translation import gettext_lazy as _

from portal.registry import audit_action

IMPORT_CATALOG = audit_action("import_catalog", _("导入目录"))
MOVE = audit_action("move", _("移动"))
