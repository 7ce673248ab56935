from django.db import migrations

from portal.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0006_reply_classifications"),
        ("portal", "0004_working_day_calendar"),
    ]

    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
