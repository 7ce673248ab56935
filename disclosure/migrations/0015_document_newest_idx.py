from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0014_attachments_wait_for_revision"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["-published_at", "-id"], name="document_newest_idx"),
        ),
    ]
