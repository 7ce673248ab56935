"""依申请公开's models, as they were in the disclosure app (migrations 0018 to 0027 there): this
migration only enters them in the new app's state, on the tables they already have, and moves
their content types (so every permission and every group's grant stays where it was)."""

import disclosure.applications.models
import disclosure.private_files
import django.db.models.deletion
import django.utils.timezone
import portal.fields
from django.conf import settings
from django.db import migrations, models


MODELS = ["application", "consultation", "letter", "email"]


def _move(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A content type the new label already has (made by a run of post_migrate) is dropped
        # first, with any permissions on it, which no group can hold yet.
        moved = ContentType.objects.filter(app_label=source, model=model)
        if moved.exists():
            ContentType.objects.filter(app_label=target, model=model).delete()
            moved.update(app_label=target)


def move_content_types(apps, schema_editor):
    _move(apps, "disclosure", "applications")


def move_content_types_back(apps, schema_editor):
    _move(apps, "applications", "disclosure")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0004_agency_index_scheme"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("disclosure", "0028_applications_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Application",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "number",
                            models.CharField(
                                editable=False, max_length=20, unique=True, verbose_name="申请编号"
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("online", "网上申请"),
                                    ("in_person", "当面提交"),
                                    ("post", "邮政寄送（需签收）"),
                                    ("letter", "平常信函"),
                                    ("fax", "传真"),
                                    ("email", "电子邮件"),
                                ],
                                default="online",
                                max_length=16,
                                verbose_name="申请方式",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("submitted", "待确认收到"),
                                    ("in_progress", "办理中"),
                                    ("supplement", "待补正"),
                                    ("consulting", "征求意见中"),
                                    ("fee", "待缴费"),
                                    ("closed", "已办结"),
                                ],
                                default="submitted",
                                max_length=16,
                                verbose_name="办理状态",
                            ),
                        ),
                        (
                            "lookup_digest",
                            models.CharField(editable=False, max_length=64, unique=True),
                        ),
                        (
                            "applicant_type",
                            models.CharField(
                                choices=[
                                    ("person", "自然人"),
                                    ("business", "商业企业"),
                                    ("research", "科研机构"),
                                    ("nonprofit", "社会公益组织"),
                                    ("legal", "法律服务机构"),
                                    ("other", "其他"),
                                ],
                                default="person",
                                max_length=16,
                                verbose_name="申请人类型",
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="姓名或名称")),
                        (
                            "id_type",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("resident", "居民身份证"),
                                    ("passport", "护照"),
                                    ("hk_macao", "港澳居民来往内地通行证"),
                                    ("taiwan", "台湾居民来往大陆通行证"),
                                    ("foreign", "外国人永久居留身份证"),
                                    ("other", "其他有效证件"),
                                ],
                                max_length=16,
                                verbose_name="证件类型",
                            ),
                        ),
                        (
                            "id_number",
                            models.CharField(blank=True, max_length=40, verbose_name="证件号码"),
                        ),
                        (
                            "work_unit",
                            models.CharField(blank=True, max_length=100, verbose_name="工作单位"),
                        ),
                        (
                            "credit_code",
                            models.CharField(
                                blank=True, max_length=18, verbose_name="统一社会信用代码"
                            ),
                        ),
                        (
                            "legal_representative",
                            models.CharField(blank=True, max_length=50, verbose_name="法定代表人"),
                        ),
                        (
                            "contact_person",
                            models.CharField(blank=True, max_length=50, verbose_name="联系人"),
                        ),
                        ("phone", models.CharField(max_length=30, verbose_name="联系电话")),
                        (
                            "email",
                            models.EmailField(blank=True, max_length=254, verbose_name="电子邮箱"),
                        ),
                        (
                            "address",
                            models.CharField(blank=True, max_length=200, verbose_name="通信地址"),
                        ),
                        (
                            "postcode",
                            models.CharField(blank=True, max_length=6, verbose_name="邮政编码"),
                        ),
                        (
                            "identity_file",
                            models.FileField(
                                blank=True,
                                max_length=200,
                                storage=disclosure.private_files.private_storage,
                                upload_to=disclosure.applications.models.identity_file_path,
                                verbose_name="身份证明",
                            ),
                        ),
                        (
                            "identity_file_name",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="身份证明文件名"
                            ),
                        ),
                        (
                            "identity_file_type",
                            models.CharField(blank=True, editable=False, max_length=100),
                        ),
                        (
                            "identity_removed_on",
                            models.DateField(
                                blank=True, null=True, verbose_name="个人信息清除日期"
                            ),
                        ),
                        (
                            "info_title",
                            models.CharField(max_length=300, verbose_name="所需信息名称"),
                        ),
                        (
                            "info_number",
                            models.CharField(
                                blank=True, max_length=100, verbose_name="所需信息文号"
                            ),
                        ),
                        ("description", models.TextField(verbose_name="所需信息内容描述")),
                        (
                            "medium",
                            models.CharField(
                                choices=[("paper", "纸质"), ("electronic", "电子")],
                                default="electronic",
                                max_length=16,
                                verbose_name="获取信息的载体形式",
                            ),
                        ),
                        (
                            "delivery",
                            models.CharField(
                                choices=[
                                    ("post", "邮寄"),
                                    ("email", "电子邮件"),
                                    ("online", "网上获取"),
                                    ("pickup", "自行领取"),
                                    ("read", "当场阅读、抄录"),
                                ],
                                default="online",
                                max_length=16,
                                verbose_name="获取信息的方式",
                            ),
                        ),
                        (
                            "submitted_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="提交时间"
                            ),
                        ),
                        (
                            "received_on",
                            models.DateField(
                                blank=True,
                                help_text="当面提交为提交当日；邮寄为签收当日；平信、网上、传真、电子邮件为确认收到之日。",
                                null=True,
                                verbose_name="收到申请日期",
                            ),
                        ),
                        (
                            "supplement_requested_on",
                            models.DateField(blank=True, null=True, verbose_name="补正告知日期"),
                        ),
                        (
                            "supplement_request",
                            models.TextField(blank=True, verbose_name="需补正的内容"),
                        ),
                        (
                            "supplement_due_on",
                            models.DateField(blank=True, null=True, verbose_name="补正期限"),
                        ),
                        (
                            "supplement_received_on",
                            models.DateField(blank=True, null=True, verbose_name="收到补正日期"),
                        ),
                        (
                            "extension_days",
                            models.PositiveSmallIntegerField(
                                default=0, verbose_name="延长答复的工作日"
                            ),
                        ),
                        (
                            "extended_on",
                            models.DateField(blank=True, null=True, verbose_name="延期日期"),
                        ),
                        ("extension_reason", models.TextField(blank=True, verbose_name="延期理由")),
                        (
                            "extension_approved_by",
                            models.CharField(blank=True, max_length=50, verbose_name="延期批准人"),
                        ),
                        (
                            "fee_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=9,
                                null=True,
                                verbose_name="信息处理费（元）",
                            ),
                        ),
                        (
                            "fee_basis",
                            models.CharField(blank=True, max_length=200, verbose_name="收费依据"),
                        ),
                        (
                            "fee_notice_on",
                            models.DateField(blank=True, null=True, verbose_name="收费通知日期"),
                        ),
                        (
                            "fee_due_on",
                            models.DateField(blank=True, null=True, verbose_name="缴费期限"),
                        ),
                        (
                            "fee_paid_on",
                            models.DateField(blank=True, null=True, verbose_name="缴费日期"),
                        ),
                        (
                            "result",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("disclosed", "予以公开"),
                                    ("partial", "部分公开"),
                                    ("withheld", "不予公开"),
                                    ("unavailable", "无法提供"),
                                    ("not_processed", "不予处理"),
                                    ("other", "其他处理"),
                                ],
                                max_length=16,
                                verbose_name="办理结果",
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("state_secret", "属于国家秘密"),
                                    ("law_forbids", "其他法律行政法规禁止公开"),
                                    ("three_safeties", "危及“三安全一稳定”"),
                                    ("third_party", "保护第三方合法权益"),
                                    ("internal", "属于三类内部事务信息"),
                                    ("process", "属于四类过程性信息"),
                                    ("enforcement", "属于行政执法案卷"),
                                    ("query", "属于行政查询事项"),
                                    ("not_held", "本机关不掌握相关政府信息"),
                                    ("needs_making", "没有现成信息需要另行制作"),
                                    ("still_unclear", "补正后申请内容仍不明确"),
                                    ("petition", "信访举报投诉类申请"),
                                    ("repeated", "重复申请"),
                                    ("publication", "要求提供公开出版物"),
                                    ("mass", "无正当理由大量反复申请"),
                                    ("confirm", "要求行政机关确认或重新出具已获取信息"),
                                    (
                                        "no_supplement",
                                        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                                    ),
                                    (
                                        "unpaid",
                                        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                                    ),
                                    ("other", "其他"),
                                ],
                                max_length=16,
                                verbose_name="理由",
                            ),
                        ),
                        (
                            "responsible_agency",
                            models.CharField(
                                blank=True,
                                help_text="本机关不掌握、由其他机关负责公开时，写明该机关的名称和联系方式。",
                                max_length=100,
                                verbose_name="负责公开的机关",
                            ),
                        ),
                        (
                            "closed_on",
                            models.DateField(blank=True, null=True, verbose_name="办结日期"),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="applications",
                                to="catalog.agency",
                                verbose_name="受理机关",
                            ),
                        ),
                        (
                            "related_document",
                            models.ForeignKey(
                                blank=True,
                                help_text="所需信息已经主动公开时，答复中告知其获取方式。",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="disclosure.document",
                                verbose_name="已公开的信息",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "依申请公开申请",
                        "verbose_name_plural": "依申请公开申请",
                        "db_table": "disclosure_application",
                        "ordering": ["-submitted_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Consultation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "party_kind",
                            models.CharField(
                                choices=[("third_party", "第三方"), ("agency", "其他机关")],
                                max_length=16,
                                verbose_name="征求对象类型",
                            ),
                        ),
                        ("party", models.CharField(max_length=200, verbose_name="征求对象")),
                        ("sent_on", models.DateField(verbose_name="发出日期")),
                        (
                            "replied_on",
                            models.DateField(blank=True, null=True, verbose_name="收到意见日期"),
                        ),
                        ("opinion", models.TextField(blank=True, verbose_name="意见")),
                        (
                            "application",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="consultations",
                                to="applications.application",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "征求意见",
                        "verbose_name_plural": "征求意见",
                        "db_table": "disclosure_consultation",
                        "ordering": ["sent_on", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Email",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("subject", models.CharField(max_length=200, verbose_name="主题")),
                        ("body", models.TextField(verbose_name="内容")),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("pending", "待发送"),
                                    ("sent", "已发送"),
                                    ("failed", "发送失败"),
                                ],
                                default="pending",
                                max_length=8,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "error",
                            models.CharField(blank=True, max_length=300, verbose_name="错误"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="时间"),
                        ),
                        (
                            "sent_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="发送时间"),
                        ),
                        (
                            "application",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="emails",
                                to="applications.application",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "邮件",
                        "verbose_name_plural": "邮件",
                        "db_table": "disclosure_email",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Letter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("supplement", "补正申请告知书"),
                                    ("extension", "延期答复告知书"),
                                    ("consultation", "征求意见函"),
                                    ("fee", "收费通知书"),
                                    ("answer", "政府信息公开申请答复书"),
                                ],
                                max_length=16,
                                verbose_name="文书类型",
                            ),
                        ),
                        (
                            "number",
                            models.CharField(blank=True, max_length=60, verbose_name="文书编号"),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="标题")),
                        ("body", portal.fields.SanitizedHTMLField(verbose_name="正文")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="生成时间"),
                        ),
                        (
                            "final_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="定稿时间"),
                        ),
                        (
                            "final_sha256",
                            models.CharField(blank=True, editable=False, max_length=64),
                        ),
                        (
                            "application",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="letters",
                                to="applications.application",
                            ),
                        ),
                        (
                            "consultation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="letters",
                                to="applications.consultation",
                            ),
                        ),
                        (
                            "final_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="定稿人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "文书",
                        "verbose_name_plural": "文书",
                        "db_table": "disclosure_letter",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.AddIndex(
                    model_name="application",
                    index=models.Index(
                        fields=["agency", "status"], name="application_agency_status"
                    ),
                ),
                migrations.AddIndex(
                    model_name="application",
                    index=models.Index(fields=["received_on"], name="application_received"),
                ),
                migrations.AddIndex(
                    model_name="application",
                    index=models.Index(fields=["closed_on"], name="application_closed"),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
