from django.db import migrations

from portal.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0011_co_handling_opinion"),
        ("portal", "0006_auditevent_move_and_opinion_actions"),
    ]

    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
