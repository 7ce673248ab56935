"""PostgreSQL only: a small generated tsvector of the title terms with its own GIN index, so
ranking title matches first never reads the (large, TOASTed) whole-document vector."""

from django.db import migrations

ADD = """
ALTER TABLE disclosure_document ADD COLUMN search_title_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(search_title, ''))
) STORED;
CREATE INDEX document_search_title_gin ON disclosure_document USING gin (search_title_vector);
"""
DROP = """
DROP INDEX IF EXISTS document_search_title_gin;
ALTER TABLE disclosure_document DROP COLUMN IF EXISTS search_title_vector;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0008_search_vector")]

    operations = [migrations.RunPython(forwards, backwards)]
