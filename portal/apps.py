from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("网站设置")

    def ready(self):
        from . import signals  # noqa: F401
        from .control_characters import refuse_control_characters_in

        refuse_control_characters_in(self)
