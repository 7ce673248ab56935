"""PostgreSQL only: keep the short text of a document in its row. toast_tuple_target=256
(0010) also pushed title, summary, 文号 and keywords out to TOAST, so the admin list, its
search and the exports fetched each from TOAST; STORAGE MAIN keeps them inline (compressed
if need be) while bodies and search terms stay in TOAST. Applies to rows written from now on;
VACUUM FULL disclosure_document rewrites existing ones."""

from django.db import migrations

COLUMNS = ("title", "summary", "doc_number", "keywords")


def set_storage(storage):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for column in COLUMNS:
                schema_editor.execute(
                    f"ALTER TABLE disclosure_document ALTER COLUMN {column} SET STORAGE {storage}"
                )

    return run


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0015_public_counts")]

    operations = [migrations.RunPython(set_storage("MAIN"), set_storage("EXTENDED"))]
