from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project shell: settings, root URLs, the home page and the demo data. It may import
    every app; no app imports it."""

    name = "config"
    verbose_name = "门户"
