from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """依申请公开, an app of its own: its law (the clock of Art. 33), its role (依申请办理), its URL
    root (``/ysqgk/``) and its personal-data regime (who sees applicants, the purge). Its tables
    keep the names they had as part of the disclosure app (``disclosure_application`` …)."""

    name = "disclosure.applications"
    label = "applications"
    verbose_name = _("依申请公开")

    def ready(self):
        from disclosure.applications import (
            actions,  # noqa: F401
            roles,
        )
        from disclosure.applications.dashboard import dashboard
        from disclosure.applications.models import Application
        from disclosure.applications.views import COLUMN_SLUG
        from portal import page_cache, registry
        from portal.control_characters import refuse_control_characters_in

        refuse_control_characters_in(self)
        roles.register()
        registry.column_page(COLUMN_SLUG, "applications_column", "applications:guide")
        registry.former_model_label("disclosure.Application", Application)
        registry.todo_panel(_("依申请公开办理提醒"), dashboard)
        # The public statistics of applications count received and closed ones.
        page_cache.invalidate_on_change(
            Application, when=lambda application: application.received_on is not None
        )
