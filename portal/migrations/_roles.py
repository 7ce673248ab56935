"""Shared by the migrations that bring the staff roles in step with portal.roles."""

from django.contrib.auth.management import create_permissions


def create_roles(apps, schema_editor):
    from portal.roles import sync_roles

    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps, strict=False)
