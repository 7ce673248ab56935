import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0005_catalognode_subtree_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='agency',
            name='disclosure_office',
            field=models.ForeignKey(blank=True, help_text='承办本机关政府信息公开工作（编制年度报告和公开指南）的机构，如区政府的由区政府办公室承办；其工作人员可以编制本机关的年度报告和指南。留空则由本机关自己承办。', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='disclosure_work_of', to='catalog.agency', verbose_name='政府信息公开工作承办机构'),
        ),
    ]
