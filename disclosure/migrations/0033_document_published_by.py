import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def from_audit_log(apps, schema_editor):
    """Who published each document, as the audit log recorded it (the last publication)."""
    AuditEvent = apps.get_model("portal", "AuditEvent")
    Document = apps.get_model("disclosure", "Document")
    events = (
        AuditEvent.objects.filter(action="publish", object_type="disclosure.Document")
        .exclude(actor=None)
        .order_by("occurred_at", "pk")
        .values_list("object_id", "actor_id")
    )
    publishers = {}
    for object_id, actor_id in events.iterator(chunk_size=5000):
        if object_id.isdigit():
            publishers[int(object_id)] = actor_id
    by_actor = {}
    for document_id, actor_id in publishers.items():
        by_actor.setdefault(actor_id, []).append(document_id)
    for actor_id, ids in by_actor.items():
        for start in range(0, len(ids), 5000):
            Document.objects.filter(pk__in=ids[start : start + 5000]).update(published_by=actor_id)


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0032_link_checks"),
        ("portal", "0018_audit_actions_registered"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审核发布人",
            ),
        ),
        migrations.AddField(
            model_name="historicaldocument",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审核发布人",
            ),
        ),
        migrations.RunPython(from_audit_log, migrations.RunPython.noop),
    ]
