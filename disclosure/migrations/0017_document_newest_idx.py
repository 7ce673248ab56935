from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0016_document_inline_short_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["-published_at", "-id"], name="document_newest_idx"),
        ),
    ]
