from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("网站设置")

    def ready(self):
        from . import page_cache, signals  # noqa: F401
        from .control_characters import refuse_control_characters_in
        from .models import SiteSettings

        refuse_control_characters_in(self)

        # The site's name, contact and footer are on every public page.
        page_cache.invalidate_on_change(SiteSettings)


class AxesConfig(AxesAppConfig):
    """django-axes (login lockout) under a Chinese name in the admin: the package has no
    Chinese translation. Only display names change; the app label and its tables stay."""

    verbose_name = _("登录保护")
    MODEL_NAMES = {
        "accessattempt": _("登录尝试"),
        "accessfailurelog": _("登录失败记录"),
        "accesslog": _("登录记录"),
        "accessattemptexpiration": _("登录尝试过期时间"),
    }

    def ready(self):
        super().ready()
        for model in self.get_models():
            name = self.MODEL_NAMES.get(model._meta.model_name)
            if name:
                # _meta only: the migration state reads the Meta class's own attributes.
                model._meta.verbose_name = model._meta.verbose_name_plural = name
