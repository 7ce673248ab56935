from django.db import migrations

from portal.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0019_annual_report_and_guide"),
        ("portal", "0013_auditevent_import_catalog_action"),
    ]

    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
