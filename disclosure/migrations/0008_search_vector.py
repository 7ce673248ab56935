"""PostgreSQL only: a generated tsvector of the search terms (title weighted A, the rest C) and
its GIN index. Not a model field: the database keeps it in step with every write."""

from django.db import migrations

ADD = """
ALTER TABLE disclosure_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(search_title, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(search_body, '')), 'C')
) STORED;
CREATE INDEX document_search_gin ON disclosure_document USING gin (search_vector);
"""
DROP = """
DROP INDEX IF EXISTS document_search_gin;
ALTER TABLE disclosure_document DROP COLUMN IF EXISTS search_vector;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0007_search_terms")]

    operations = [migrations.RunPython(forwards, backwards)]
