"""The database cache table of the "shared" cache (without REDIS_URL): made by migrate, so that
a new database needs no separate createcachetable before the first write bumps the public
version of the page cache."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_audit_revision_and_attachment_actions")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
