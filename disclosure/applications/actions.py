"""The audit log's actions of 依申请公开."""

from django.utils.translation import gettext_lazy as _

from portal.registry import audit_action

APPLICATION = audit_action("application", _("依申请公开办理"))
PERSONAL_DATA = audit_action("personal_data", _("查看申请人个人信息"))
