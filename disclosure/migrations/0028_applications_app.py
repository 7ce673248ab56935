"""依申请公开 became an app of its own (``applications``): its models leave the disclosure app's
state here and enter the new app's in ``applications.0001_initial``. Their tables, rows and
permissions stay as they are (the tables keep their names through ``Meta.db_table``; the
content types are moved by the new app's first migration)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0027_document_migrated_from"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="consultation",
                    name="application",
                ),
                migrations.RemoveField(
                    model_name="letter",
                    name="application",
                ),
                migrations.RemoveField(
                    model_name="email",
                    name="application",
                ),
                migrations.RemoveField(
                    model_name="letter",
                    name="consultation",
                ),
                migrations.RemoveField(
                    model_name="letter",
                    name="final_by",
                ),
                migrations.DeleteModel(
                    name="Application",
                ),
                migrations.DeleteModel(
                    name="Email",
                ),
                migrations.DeleteModel(
                    name="Consultation",
                ),
                migrations.DeleteModel(
                    name="Letter",
                ),
            ],
            database_operations=[],
        ),
    ]
