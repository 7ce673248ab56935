"""The layout of the code changed, not the data: migrating a database of the previous schema,
with rows in it, keeps every table, row, permission codename and content type, and the audit log
still verifies (its action column only lost its fixed list of choices)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("portal", "0017_public_state")]
AFTER = [("portal", "0018_audit_actions_registered")]


@pytest.fixture(autouse=True)
def _latest_schema_afterwards():
    # The tests leave the database at the schema they migrated to: the next ones need the latest.
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


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


BEFORE_MOVE = [("disclosure", "0027_document_migrated_from")]
AFTER_MOVE = [("applications", "0001_initial")]


def test_applications_leave_the_disclosure_app_with_their_rows_permissions_and_grants():
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    old = migrate(BEFORE_MOVE)
    ContentType.objects.clear_cache()
    Agency = old.get_model("catalog", "Agency")
    agency = Agency.objects.create(name="区档案局")
    application = old.get_model("disclosure", "Application").objects.create(
        number="2026-0001",
        agency=agency,
        lookup_digest="0" * 64,
        applicant_type="citizen",
        name="张三",
        phone="13800000000",
        info_title="2025年部门预算",
        description="请公开本局2025年部门预算。",
    )
    letter = old.get_model("disclosure", "Letter").objects.create(
        application=application, kind="answer", title="答复书"
    )
    kind = ContentType.objects.get(app_label="disclosure", model="application")
    change = Permission.objects.get(content_type=kind, codename="change_application")
    clerks = Group.objects.create(name="依申请办理（迁移测试）")
    clerks.permissions.add(change)
    tables = set(connection.introspection.table_names())

    new = migrate(AFTER_MOVE)
    moved = new.get_model("applications", "Application").objects.get(pk=application.pk)
    assert (moved.number, moved.name, moved.agency_id) == ("2026-0001", "张三", agency.pk)
    assert new.get_model("applications", "Letter").objects.get(pk=letter.pk).application_id == (
        application.pk
    )
    kind_now = ContentType.objects.get(pk=kind.pk)
    assert (kind_now.app_label, kind_now.model) == ("applications", "application")
    group = Group.objects.get(pk=clerks.pk)
    assert list(group.permissions.values_list("pk", "content_type__app_label", "codename")) == [
        (change.pk, "applications", "change_application")
    ]
    assert set(connection.introspection.table_names()) == tables

    # And back: the content types return to the disclosure app.
    migrate(BEFORE_MOVE)
    assert ContentType.objects.get(pk=kind.pk).app_label == "disclosure"


BEFORE_MOMENT = [("disclosure", "0028_applications_app")]


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


AFTER_MOMENT = [("disclosure", "0029_document_publication_moment")]


def test_the_moment_of_publication_is_read_from_each_documents_history():
    from datetime import date, datetime, timedelta

    from django.utils import timezone

    from disclosure.documents.models import Document
    from disclosure.documents.services import publish
    from tests.factories import DocumentFactory
    from tests.timetravel import on_day

    migrate(latest())  # the tests above may leave the database at an older state
    with on_day(date(2026, 12, 7)):
        now = timezone.now()
        honest = publish(DocumentFactory())
        scheduled = publish(DocumentFactory(), at=now + timedelta(days=3))
        falsified = publish(DocumentFactory(title="改过日期"))
        imported = publish(DocumentFactory(title="迁移"))
    old_date = timezone.make_aware(datetime(2026, 1, 5, 9))
    Document.objects.filter(pk=falsified.pk).update(published_at=old_date)
    Document.objects.filter(pk=imported.pk).update(
        published_at=old_date, migrated_index_number="xzbgs/2026-00001", migrated_from="old.zip"
    )
    draft = DocumentFactory()

    migrate(BEFORE_MOMENT)
    new = migrate(AFTER_MOMENT)
    rows = new.get_model("disclosure", "Document").objects.in_bulk()
    assert rows[honest.pk].published_recorded_at == rows[honest.pk].published_at == now
    assert rows[scheduled.pk].published_recorded_at == now + timedelta(days=3)
    assert rows[falsified.pk].published_recorded_at == now
    assert rows[falsified.pk].published_at == old_date and rows[falsified.pk].backdate_reason == ""
    assert rows[imported.pk].published_recorded_at == now
    assert rows[imported.pk].backdate_reason == "从旧网站迁移（old.zip），保留原网站的发布日期。"
    assert rows[draft.pk].published_recorded_at is None
    migrate(latest())
