from django.db import migrations

from portal.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0018_applications"),
        ("portal", "0011_audit_application_actions"),
    ]

    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
