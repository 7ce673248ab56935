from django.db import migrations

CLASSIFICATIONS = [
    ("A", "已解决或基本解决"),
    ("B", "正在解决"),
    ("C", "列入规划逐步解决"),
    ("D", "留作参考"),
]


def load(apps, schema_editor):
    ReplyClassification = apps.get_model("disclosure", "ReplyClassification")
    for order, (code, label) in enumerate(CLASSIFICATIONS, start=1):
        ReplyClassification.objects.get_or_create(code=code, defaults={"label": label, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0005_proposals")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
