from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("政府信息公开目录")

    def ready(self):
        from catalog import signals  # noqa: F401
        from catalog.models import Agency, CatalogNode
        from portal import page_cache
        from portal.control_characters import refuse_control_characters_in

        refuse_control_characters_in(self)
        from catalog import actions, roles  # noqa: F401 (actions register on import)

        roles.register()
        # Names, visibility and places of columns and agencies show on every public page
        # (django-mptt's move_node saves the moved node, so a move is seen too).
        page_cache.invalidate_on_change(Agency, CatalogNode)
