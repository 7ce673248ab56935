from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("网站设置")

    def ready(self):
        from portal import page_cache, signals  # noqa: F401
        from portal.control_characters import refuse_control_characters_in
        from portal.models import CalendarDay, HolidayNotice, SiteSettings

        refuse_control_characters_in(self)
        self.register_kernel()

        # The site's name, contact and footer are on every public page; the calendar counts the
        # deadlines the proposal statistics judge replies by. Both are cached under the public
        # version too (``page_cache.versioned``), so this is also what forgets them.
        page_cache.invalidate_on_change(SiteSettings, CalendarDay, HolidayNotice)

    def register_kernel(self):
        """The kernel's own audit actions and role grants (the parts add theirs)."""
        from portal import registry
        from portal.models import AuditEvent
        from portal.roles import grant_kernel

        for value, label in AuditEvent.Action.choices:
            registry.audit_action(value, label)
        grant_kernel()
