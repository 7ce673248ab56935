from django.db import migrations

from portal.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0002_alter_agency_options_agency_members"),
        ("disclosure", "0003_alter_document_options_document_interprets_and_more"),
        ("portal", "0002_auditevent"),
    ]

    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
