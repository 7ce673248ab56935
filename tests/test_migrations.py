"""The layout of the code changed, not the data: migrating a database of the previous schema,
with rows in it, keeps every table, row, permission codename and content type, and the audit log
still verifies (its action column only lost its fixed list of choices)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("portal", "0017_public_state")]
AFTER = [("portal", "0018_audit_actions_registered")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_previous_schema_with_data_migrates_without_changing_a_row():
    old = migrate(BEFORE)
    AuditEvent = old.get_model("portal", "AuditEvent")
    Permission = old.get_model("auth", "Permission")
    ContentType = old.get_model("contenttypes", "ContentType")
    event = AuditEvent.objects.create(
        occurred_at="2026-01-05T10:00:00+08:00",
        action="application",
        object_type="disclosure.application",
        object_repr="申请",
    )
    codenames = set(Permission.objects.values_list("content_type__app_label", "codename"))
    types = set(ContentType.objects.values_list("app_label", "model"))
    tables = set(connection.introspection.table_names())

    new = migrate(AFTER)
    migrated = new.get_model("portal", "AuditEvent").objects.get(pk=event.pk)
    assert (migrated.action, migrated.object_type) == ("application", "disclosure.application")
    assert (
        set(
            new.get_model("auth", "Permission").objects.values_list(
                "content_type__app_label", "codename"
            )
        )
        == codenames
    )
    assert (
        set(new.get_model("contenttypes", "ContentType").objects.values_list("app_label", "model"))
        == types
    )
    assert set(connection.introspection.table_names()) == tables
