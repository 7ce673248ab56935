from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("公开信息")

    def ready(self):
        from catalog.models import Agency

        from .filters import forget_filter_choices
        from .models import Genre, Topic

        for model in (Topic, Genre, Agency):
            post_save.connect(
                forget_filter_choices, sender=model, dispatch_uid=f"filters-{model.__name__}-save"
            )
            post_delete.connect(
                forget_filter_choices, sender=model, dispatch_uid=f"filters-{model.__name__}-delete"
            )
