from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("政府信息公开目录")

    def ready(self):
        from portal.control_characters import refuse_control_characters_in

        from . import signals  # noqa: F401

        refuse_control_characters_in(self)
