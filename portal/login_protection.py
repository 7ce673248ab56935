"""django-axes (login lockout) as installed here: its own module, since an apps.py with two
AppConfig classes would leave Django to pick neither for the portal."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


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
