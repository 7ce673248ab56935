from datetime import date, datetime, time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from catalog.importer import import_directory, parse_directory, read_table
from catalog.models import Agency, CatalogNode, ColumnKind, kind_from_name
from disclosure.applications.roles import REQUESTS
from disclosure.documents.index_numbers import format_index_number
from disclosure.documents.models import Document, Genre, Topic
from disclosure.documents.services import publish, set_legacy_index_number
from disclosure.documents.wording import load_word_rules
from disclosure.proposals.models import (
    CongressSession,
    Proposal,
    ProposalReply,
    ReplyClassification,
)
from disclosure.proposals.roles import PROPOSALS
from disclosure.proposals.services import record_feedback, save_reply
from portal.actors import SYSTEM
from portal.models import SiteSettings
from portal.roles import AUDITOR, CATALOGUER, EDITOR, REVIEWER, sync_roles

OLD_SITE = "铜梁区人民政府原网站（演示）"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "gongkai-demo-2026"  # noqa: S105 - printed for local demos; refused without DEBUG
# Two more demo logins, to walk the review workflow: one drafts, the other publishes.
# A login for every role, and a second reviewer so the two-person rule (a revision approved by
# another reviewer) can be tried as shipped.
DEMO_STAFF = [
    ("editor", EDITOR),
    ("reviewer", REVIEWER),
    ("reviewer2", REVIEWER),
    ("clerk", REQUESTS),
    ("proposals", PROPOSALS),
    ("cataloguer", CATALOGUER),
    ("auditor", AUDITOR),
]

SEED_AGENCY = ("重庆市铜梁区人民政府", "区政府", "115002240093343308")
# Demo codes: valid GB 32100-2015 check characters on made-up bases.
DEMO_AGENCIES = [
    ("重庆市铜梁区人民政府办公室", "区政府办公室", "11500224MB1520716K", Agency.Level.DISTRICT),
    (
        "重庆市铜梁区规划和自然资源局",
        "区规划自然资源局",
        "11500224MB1520725H",
        Agency.Level.DISTRICT,
    ),
    ("重庆市铜梁区巴川街道办事处", "巴川街道", "11500224MB1520831U", Agency.Level.TOWNSHIP),
]
# Where each demo agency's disclosure office receives applications (shown beside its form).
DEMO_CONTACTS = [
    {"address": "重庆市铜梁区巴川街道金龙大道333号区政府办公楼2楼", "phone": "023-45632266",
     "email": "zfbgs@tongliang.example.gov.cn"},
    {"address": "重庆市铜梁区巴川街道营盘路45号", "phone": "023-45651234",
     "email": "ghzrzyj@tongliang.example.gov.cn"},
    {"address": "重庆市铜梁区巴川街道中兴路12号", "phone": "023-45682345",
     "email": "bcjd@tongliang.example.gov.cn"},
]  # fmt: skip

# (slug, name, children); slugs keep the command idempotent when staff rename a column.
CATALOG = (
    "zwgk",
    "政务公开",
    [
        ("gkzn", "政府信息公开指南", []),
        ("gkzd", "政府信息公开制度", []),
        ("tzgg", "通知公告", []),
        (
            "fdzdgk",
            "法定主动公开内容",
            [
                ("jgxx", "机构信息", []),
                ("zcwj", "政策文件", [("xzgfxwj", "行政规范性文件", []), ("qtwj", "其他文件", [])]),
                ("zcjd", "政策解读", []),
                ("ghxx", "规划信息", []),
                ("czxx", "财政信息", [("czyjs", "财政预决算", [])]),
                ("zdxm", "重大建设项目", []),
                ("rsxx", "人事信息", []),
                ("tjxx", "统计信息", []),
                ("yjgl", "应急管理", []),
                (
                    "qtfdzdgk",
                    "其他法定主动公开内容",
                    [("rddbjy", "人大代表建议办理", []), ("zxwyta", "政协委员提案办理", [])],
                ),
            ],
        ),
        ("gknb", "政府信息公开年报", []),
        ("ysqgk", "依申请公开", []),
        ("jcbzml", "基层政务公开标准目录", []),
    ],
)

NODE_DETAILS = {
    # 机构信息 is a page of text, not a list of documents.
    "jgxx": {"kind": ColumnKind.PAGE},
    "zcwj": {
        "time_limit_days": 20,
        "time_limit_text": "自信息形成或者变更之日起20个工作日内",
    },
    "rddbjy": {"update_interval_days": 365},
    "zxwyta": {"update_interval_days": 365},
}


class Command(BaseCommand):
    help = "创建演示数据（可重复运行）：机构、目录树、标准目录示例和演示管理员账号。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo 会创建公开密码的演示账号，只能在 DJANGO_DEBUG=1 时运行。")
        with transaction.atomic():
            government = self.seed_agencies()
            self.seed_catalog(CATALOG, parent=None)
            items = parse_directory(
                read_table(settings.BASE_DIR / "catalog/samples/chengxiang_guihua.csv")
            )
            import_directory(items, "政务公开/基层政务公开标准目录/城乡规划")
            self.seed_site(government)
            seed_current_documents()
            seed_agency_information()
            seed_document = self.seed_reply_document(government)
            self.seed_proposals(seed_document)
            self.seed_user()
            self.seed_applications()
            seed_annual_reports_and_guides(self.stdout)
            seed_website_report(self.stdout)
            load_word_rules()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        self.stdout.write(f"演示管理员账号：{DEMO_USERNAME}  密码：{DEMO_PASSWORD}")
        for username, role in DEMO_STAFF:
            self.stdout.write(f"演示{role}账号：{username}  密码：{DEMO_PASSWORD}（区政府办公室）")

    def seed_agencies(self):
        name, short, code = SEED_AGENCY
        government, _ = Agency.objects.update_or_create(
            credit_code=code,
            defaults={
                "name": name,
                "short_name": short,
                "level": Agency.Level.DISTRICT,
                "address": "重庆市铜梁区巴川街道金龙大道333号",
                "postcode": "402560",
                "phone": "023-45632266",
                "office_hours": "工作日 上午9:00-12:00，下午14:00-17:30",
            },
        )
        for (name, short, code, level), contact in zip(DEMO_AGENCIES, DEMO_CONTACTS, strict=True):
            Agency.objects.update_or_create(
                credit_code=code,
                defaults={
                    "name": name, "short_name": short, "level": level, "parent": government,
                    "office_hours": "工作日 上午9:00-12:00，下午14:00-17:30", "postcode": "402560",
                    **contact,
                },
            )  # fmt: skip
        # The government's disclosure work (its annual report, its guide) is done by its office.
        government.disclosure_office = Agency.objects.get(credit_code=DEMO_AGENCIES[0][2])
        government.save(update_fields=["disclosure_office"])
        return government

    def seed_catalog(self, spec, parent):
        slug, name, children = spec
        node = CatalogNode.objects.filter(parent=parent, slug=slug).first()
        if node is None:
            # A column staff (or an import) created by name gets the slug instead of a twin.
            node = CatalogNode.objects.filter(parent=parent, name=name, slug="").first()
            if node is not None:
                node.slug = slug
                node.save()
        if node is None:
            details = {"kind": kind_from_name(name), **NODE_DETAILS.get(slug, {})}
            node = CatalogNode(parent=parent, slug=slug, name=name, **details)
            node.save()
        for child in children:
            self.seed_catalog(child, parent=node)
        return node

    def seed_site(self, government):
        site = SiteSettings.objects.order_by("pk").first() or SiteSettings()
        site.site_name = "铜梁区人民政府 政务公开"
        site.owner = "重庆市铜梁区人民政府办公室"
        site.site_code = "5002240000（演示）"
        site.icp_number = "渝ICP备00000000号（演示）"
        site.police_number = "渝公网安备 00000000000000号（演示）"
        site.address = government.address
        site.phone = government.phone
        site.postcode = government.postcode
        site.save()

    def seed_reply_document(self, government):
        """The seed page: the reply to delegate 范川's proposal No. 94, as published on 2022-07-15."""
        index_number = "115002240093343308/2022-00225"
        if Document.objects.filter(
            index_code="115002240093343308", index_year=2022, index_serial=225
        ).exists():
            return
        published = timezone.make_aware(datetime(2022, 7, 15, 9, 0))
        document = Document(
            title="重庆市铜梁区人民政府办公室关于区第十八届人民代表大会第一次会议第94号建议的复函",
            summary="对范川代表《关于进一步加大政务公开力度的建议》（第94号）的答复。",
            body=(settings.BASE_DIR / "disclosure/samples/reply_94.html").read_text(
                encoding="utf-8"
            ),
            agency=government,
            node=CatalogNode.objects.get(slug="rddbjy"),
            topic=Topic.objects.well_known("other"),
            genre=Genre.objects.well_known("congress-reply"),
            written_on=date(2022, 7, 15),
            published_at=published,
            keywords="人大代表建议 政务公开",
            # Published on the old site in 2022: it keeps that date, and says why.
            migrated_from=OLD_SITE,
            migrated_index_number=index_number,
            backdate_reason="原网站2022年7月15日发布的复函，迁移到本站时保留原发布日期和原索引号。",
        )
        set_legacy_index_number(document, index_number)
        return publish(document)

    def seed_proposals(self, seed_document):
        """The seed's proposal No. 94 with its reply (the seed document), and a few more."""
        office = Agency.objects.get(short_name="区政府办公室")
        planning = Agency.objects.get(short_name="区规划自然资源局")
        session, _ = CongressSession.objects.get_or_create(
            body=CongressSession.Body.CONGRESS, level="区", term=18, session=1,
            defaults={"year": 2022, "opened_on": date(2022, 1, 5), "closed_on": date(2022, 1, 8)},
        )  # fmt: skip
        cppcc, _ = CongressSession.objects.get_or_create(
            body=CongressSession.Body.CPPCC, level="区", term=16, session=1,
            defaults={"year": 2022, "opened_on": date(2022, 1, 4), "closed_on": date(2022, 1, 7)},
        )  # fmt: skip
        if Proposal.objects.filter(session=session, number=94).exists():
            return
        solved = ReplyClassification.objects.get(code="A")
        seed = Proposal.objects.create(
            session=session, number=94, title="关于进一步加大政务公开力度的建议", lead_delegate="范川",
            category="政务公开", assigned_on=date(2022, 3, 10), lead_unit=office, classification=solved,
            status=Proposal.Status.REPLIED,
        )  # fmt: skip
        ProposalReply.objects.create(
            proposal=seed, document=seed_document, issuing_office="重庆市铜梁区人民政府办公室",
            body="<p>（正文见公开文件。）</p>", signer_title="区政府办公室主任", signer="汪文波",
            feedback_to="区人大常委会人代工委", signing_office="重庆市铜梁区人民政府办公室",
            letter_date=date(2022, 6, 6), contact_person="邱源旭", contact_phone="023-45632266", postcode="402560",
        )  # fmt: skip
        demo = [
            # (session, number, title, delegate, unit, assigned, status, reply date or None, feedback)
            (session, 12, "关于加快老旧小区改造的建议", "张明、李红", planning, date(2022, 3, 10), date(2022, 5, 30), "satisfied"),
            (session, 57, "关于完善农村公共厕所建设的建议", "王强", planning, date(2022, 3, 10), date(2022, 7, 1), "dissatisfied"),
            (session, 101, "关于规范政务新媒体管理的建议", "陈静", office, date(2022, 3, 10), None, ""),
            (cppcc, 8, "关于加强城市历史文化街区保护的提案", "刘洋", planning, date(2022, 3, 15), date(2022, 6, 10), "basically"),
        ]  # fmt: skip
        for sess, number, title, names, unit, assigned, replied_on, feedback in demo:
            delegates = names.split("、")
            proposal = Proposal.objects.create(
                session=sess, number=number, title=title, lead_delegate=delegates[0],
                co_signers="、".join(delegates[1:]), assigned_on=assigned, lead_unit=unit,
                status=Proposal.Status.IN_PROGRESS,
                classification=ReplyClassification.objects.get(code="B") if replied_on else None,
            )  # fmt: skip
            if replied_on is None:
                continue
            reply = save_reply(
                ProposalReply(
                    proposal=proposal, issuing_office=unit.name, signing_office=unit.name, letter_date=replied_on,
                    body=f"<p>您提出的《{title}》（第{number}号）收悉。经研究办理，现答复如下：（演示数据）</p>",
                    signer_title="局长" if unit == planning else "区政府办公室主任", signer="张伟",
                    feedback_to="区人大常委会人代工委" if sess == session else "区政协提案委",
                    contact_person="王芳", contact_phone="023-45600000", postcode="402560",
                )
            )  # fmt: skip
            migrate_reply(reply.document, unit, number, replied_on)
            if feedback:
                record_feedback(proposal, feedback, "", replied_on)

    def seed_applications(self):
        """A few applications in different states, dated back from today, so the office's
        dashboard (overdue, nearly due, waiting for 确认收到) has something to show."""
        from disclosure.applications import services as applications
        from disclosure.applications.models import Application, Consultation
        from portal.workdays import add_working_days

        if Application.objects.exists():
            return
        office = Agency.objects.get(short_name="区政府办公室")
        planning = Agency.objects.get(short_name="区规划自然资源局")
        today = timezone.localdate()

        def back(days):
            return working_days_before(today, days)

        new = submit_demo_application  # short: the calls below read as a table
        new(office, "赵敏", "2026年铜梁区政府投资项目计划", back(2), Application.Channel.ONLINE,
            delivery=Application.Delivery.ONLINE)  # fmt: skip
        new(office, "钱磊", "巴川街道2026年老旧小区改造项目清单", back(8))
        new(planning, "孙丽", "铜梁区2025年建设用地供应计划", back(18))
        new(planning, "李娜", "龙城大道拓宽工程规划许可文件", back(24))
        supplement = new(office, "周强", "关于某小区物业的相关文件", back(5))
        applications.request_supplement(
            supplement, SYSTEM, "请写明小区名称和所需文件的具体名称或文号。",
            add_working_days(today, 10), on=back(3),
        )  # fmt: skip
        consulted = new(planning, "吴刚", "某地块土地出让合同", back(10))
        applications.start_consultation(
            consulted, SYSTEM, Consultation.Party.THIRD_PARTY, "重庆某置业有限公司", on=back(6)
        )
        company = new(
            office, "重庆某律师事务所", "2025年区政府常务会议纪要目录", back(30),
            applicant_type=Application.ApplicantType.LEGAL, id_type="", id_number="",
            credit_code="31500000MD0149321D", legal_representative="郑平", contact_person="冯洁",
            delivery=Application.Delivery.ONLINE,
        )  # fmt: skip
        applications.add_released_files(company, SYSTEM, [demo_minutes_list()])
        applications.answer(
            company, SYSTEM, Application.Result.PARTIAL,
            withheld_note="会议纪要中涉及内部研究讨论的内容属于过程性信息，依据《条例》第十六条"
            "第二款不予公开；目录中的会议名称和日期予以公开。",
            on=back(12),
        )  # fmt: skip
        withheld = new(planning, "陈晨", "某企业报送的商业计划书", back(40))
        applications.answer(
            withheld, SYSTEM, Application.Result.WITHHELD, Application.Reason.THIRD_PARTY,
            on=back(22),
        )  # fmt: skip

    def seed_user(self):
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        sync_roles()
        office = Agency.objects.get(short_name="区政府办公室")
        for username, role in DEMO_STAFF:
            staff, _ = get_user_model().objects.get_or_create(username=username)
            staff.is_staff = True
            staff.set_password(DEMO_PASSWORD)
            staff.save()
            staff.groups.add(Group.objects.get(name=role))
            staff.agencies.add(office)


# --- this week's documents ------------------------------------------------------------------------

# A document of the week in each column of lists, so the demo passes its own 网站自查 (home page
# and columns updated, no blank columns): (column slug, or (slug of an ancestor, name) for a
# column of the standard directory; title; genre; 文号; agency's short name; topic).
# fmt: off
CURRENT_DOCUMENTS = [
    ("gkzd", "重庆市铜梁区人民政府办公室关于印发《铜梁区政府信息公开工作制度》的通知", "通知",
     "铜府办发〔2026〕41号", "区政府办公室", "综合政务"),
    ("xzgfxwj", "重庆市铜梁区人民政府关于印发铜梁区城镇老旧小区改造实施办法的通知", "行政规范性文件",
     "铜府发〔2026〕9号", "区政府", "城乡建设、环境保护"),
    ("tzgg", "重庆市铜梁区人民政府办公室关于做好2027年元旦期间有关工作的通知", "通知", "",
     "区政府办公室", "综合政务"),
    ("qtwj", "重庆市铜梁区人民政府办公室关于做好2026—2027年冬春季森林防火工作的通知", "通知",
     "铜府办发〔2026〕43号", "区政府办公室", "农业、林业、水利"),
    ("zcjd", "《铜梁区城镇老旧小区改造实施办法》政策解读", "政策解读", "", "区政府",
     "城乡建设、环境保护"),
    ("ghxx", "铜梁区2027年国民经济和社会发展计划编制工作安排", "规划计划", "", "区政府",
     "国民经济管理、国有资产监管"),
    ("czyjs", "重庆市铜梁区人民政府办公室2026年部门预算执行情况说明", "其他", "", "区政府办公室",
     "财政、金融、审计"),
    ("zdxm", "龙城大道拓宽工程项目批准信息", "其他", "", "区规划自然资源局", "城乡建设、环境保护"),
    ("rsxx", "重庆市铜梁区规划和自然资源局2026年公开招聘事业单位工作人员拟聘用人员公示", "其他", "",
     "区规划自然资源局", "劳动、人事、监察"),
    ("tjxx", "铜梁区2026年1—11月经济运行情况", "统计信息", "", "区政府",
     "国民经济管理、国有资产监管"),
    ("yjgl", "铜梁区冬季道路交通和消防安全风险提示", "其他", "", "区政府办公室", "其他"),
    (("jcbzml", "城乡规划编制"), "巴川街道控制性详细规划局部调整公示", "其他", "",
     "区规划自然资源局", "城乡建设、环境保护"),
    (("jcbzml", "建设项目选址意见书核发"), "龙城大道拓宽工程建设项目用地预审与选址意见书核发结果",
     "其他", "", "区规划自然资源局", "城乡建设、环境保护"),
    (("jcbzml", "乡村建设规划许可证核发"), "巴川街道2026年第三批乡村建设规划许可证核发结果", "其他",
     "", "巴川街道", "城乡建设、环境保护"),
    (("jcbzml", "违法建设查处"), "巴川街道2026年11月违法建设查处情况", "其他", "", "巴川街道",
     "城乡建设、环境保护"),
    (("jcbzml", "规划核实"), "铜梁区2026年11月建设工程规划核实结果公示", "其他", "",
     "区规划自然资源局", "城乡建设、环境保护"),
]
# fmt: on


def current_column(where):
    """The column a CURRENT_DOCUMENTS entry names."""
    if isinstance(where, str):
        return CatalogNode.objects.get(slug=where)
    ancestor = CatalogNode.objects.get(slug=where[0])
    return ancestor.get_descendants().get(name=where[1])


def seed_current_documents():
    """Publish CURRENT_DOCUMENTS now, those not yet there, and the 解读 of the 规范性文件 with
    the document it interprets. Written and published today: the demo is current the day it is
    seeded, and goes stale as a site whose staff stop publishing does."""
    today = timezone.localdate()
    documents = {}
    for where, title, genre, number, agency, topic in CURRENT_DOCUMENTS:
        document = Document.objects.filter(title=title).first()
        if document is None:
            document = Document(
                title=title, summary=f"{title}。（演示数据）",
                body=f"<p>{title}。具体内容见正文。（演示数据）</p>",
                agency=Agency.objects.get(short_name=agency), node=current_column(where),
                topic=Topic.objects.find(topic) or Topic.objects.well_known("other"),
                genre=Genre.objects.get(name=genre), doc_number=number, written_on=today,
            )  # fmt: skip
            document.save()
            publish(document)
        documents[genre] = document
    documents["政策解读"].interprets.add(documents["行政规范性文件"])


# --- 机构信息 -------------------------------------------------------------------------------

# Each demo agency's 机构职能, 领导 and 内设机构 (made up), published in the 机构信息 column; a
# government's 内设机构 are its departments in the agency table.
AGENCY_INFO = {
    "115002240093343308": (
        "执行区人民代表大会及其常务委员会的决议，以及上级国家行政机关的决定和命令；领导所属"
        "各工作部门和下级人民政府的工作；管理本行政区域内的经济、教育、科学、文化、卫生、"
        "民政、公安等行政工作。（演示数据）",
        [("区长", "李建国", "主持区政府全面工作。"), ("副区长", "王晓燕", "负责政务公开、政务服务等方面工作。")],
    ),
    "11500224MB1520716K": (
        "负责区政府会议的组织工作，协助区政府领导同志组织起草或审核以区政府、区政府办公室"
        "名义发布的公文；负责全区政务公开、政府信息公开工作的组织协调和监督指导。（演示数据）",
        [("主任", "汪文波", "主持区政府办公室全面工作。"), ("副主任", "邱源旭", "负责政务公开、信息工作。")],
        ["秘书科", "综合科", "政务公开科", "督查科", "机关事务科"],
    ),
    "11500224MB1520725H": (
        "履行全民所有土地、矿产、森林等自然资源资产所有者职责和所有国土空间用途管制职责，"
        "负责全区国土空间规划的编制和监督实施。（演示数据）",
        [("局长", "张伟", "主持局全面工作。"), ("副局长", "刘芳", "负责国土空间规划、用途管制工作。")],
        ["办公室", "国土空间规划科", "耕地保护科", "不动产登记中心"],
    ),
    "11500224MB1520831U": (
        "贯彻执行党和国家的路线方针政策，统筹辖区经济社会发展，组织实施辖区公共服务、"
        "社会治理和平安建设工作。（演示数据）",
        [("主任", "陈静", "主持街道办事处全面工作。")],
        ["党政办公室", "社会事务办公室", "综合行政执法大队", "便民服务中心"],
    ),
}  # fmt: skip


def agency_information_body(agency, duties, leaders, units):
    """The body of an agency's 机构信息 page: its duties, leaders, units and contact details."""
    from django.utils.html import escape

    rows = "".join(
        f"<li>{escape(title)}：{escape(name)}，{escape(work)}</li>" for title, name, work in leaders
    )
    contact = [
        f"{label}：{escape(value)}"
        for label, value in (("办公地址", agency.address), ("办公时间", agency.office_hours),
                             ("联系电话", agency.phone), ("邮政编码", agency.postcode))
        if value
    ]  # fmt: skip
    return (
        f"<h2>机构职能</h2><p>{escape(duties)}</p><h2>领导信息</h2><ul>{rows}</ul>"
        f"<h2>内设机构</h2><p>{escape('、'.join(units))}</p>"
        f"<h2>联系方式</h2><p>{'<br>'.join(contact)}</p>"
    )


def seed_agency_information():
    """A published 机构信息 document for each demo agency (职能, 领导, 内设机构, 联系方式),
    made from the agency's own record. Idempotent."""
    column = CatalogNode.objects.get(slug="jgxx")
    genre = Genre.objects.filter(name="其他").first() or Genre.objects.well_known("report")
    for code, (duties, leaders, *rest) in AGENCY_INFO.items():
        agency = Agency.objects.get(credit_code=code)
        title = f"{agency.name}机构信息"
        if Document.objects.filter(node=column, title=title).exists():
            continue
        units = rest[0] if rest else [child.name for child in agency.children.order_by("pk")]
        publish(
            Document.objects.create(
                title=title,
                summary=f"{agency.name}的机构职能、领导信息、内设机构和联系方式。",
                body=agency_information_body(agency, duties, leaders, units),
                agency=agency,
                node=column,
                topic=Topic.objects.well_known("other"),
                genre=genre,
                written_on=timezone.localdate(),
                keywords="机构信息 机构职能 领导信息 内设机构",
            )
        )


# --- 政府信息公开工作年度报告 and 指南 ------------------------------------------------------------

DEMO_REPORT_TEXT = {
    "overview": (
        "2025年，铜梁区人民政府坚持以公开为常态、不公开为例外，认真贯彻落实《中华人民共和国"
        "政府信息公开条例》，围绕主动公开、依申请公开、政府信息管理、平台建设和监督保障等方面"
        "推进政务公开工作。（演示数据）"
    ),
    "problems": (
        "一是部分栏目更新不够及时；二是政策解读形式较为单一。下一步将加强栏目日常维护，"
        "丰富图解、视频等解读形式。（演示数据）"
    ),
    "other_matters": "本年度未收取信息处理费。（演示数据）",
}


def seed_annual_reports_and_guides(stdout):
    """A guide for each demo agency; the government's 2025 report made final and published,
    and its 2026 report as a draft. Idempotent: what exists is left as it is."""
    from disclosure.reports.annual_services import ReportError, make_final
    from disclosure.reports.guide import new_guide_values
    from disclosure.reports.models import AnnualReport, DisclosureGuide

    government = Agency.objects.get(credit_code=SEED_AGENCY[2])
    for agency in [government, *Agency.objects.filter(parent=government)]:
        DisclosureGuide.objects.get_or_create(
            agency=agency,
            defaults={
                **new_guide_values(),
                "office_name": f"{agency.display_name}政务公开工作机构",
            },
        )
    report, created = AnnualReport.objects.get_or_create(
        agency=government,
        year=2025,
        defaults={**DEMO_REPORT_TEXT, "licences": 1268, "penalties": 342, "enforcements": 15,
                  "fees": "0", "review_upheld": 2, "review_corrected": 1, "review_total": 3,
                  "direct_suit_upheld": 1, "direct_suit_total": 1},
    )  # fmt: skip
    if created:
        try:
            report = make_final(report, SYSTEM)
        except ReportError as exc:
            stdout.write(f"2025年度报告未能定稿，保留为草稿：{exc}")
        else:
            # Due by 31 March: scheduled for 20 March while that is still ahead, else published
            # now. A past date would be a made-up one (成文日期, the day it was made final, would
            # also come after it).
            due = timezone.make_aware(datetime(2026, 3, 20, 9, 0))
            publish(report.document, at=due if due > timezone.now() else None)
    AnnualReport.objects.get_or_create(
        agency=government,
        year=2026,
        defaults={"overview": "（2026年度报告草稿，年度结束后完善。）"},
    )


# What the demo's 2025 政府网站工作年度报表 says of what the portal cannot count.
DEMO_WEBSITE_ENTERED = {
    "site_type": "portal", "topics_kept": 6, "topics_new": 2, "interpretation_products": 4,
    "interpretation_media": 3, "responses": 12, "service_catalog": True, "registered_users": 0,
    "service_items": 0, "online_items": 0, "cases_total": 0, "cases_person": 0, "cases_legal": 0,
    "unified_platform": True, "messages_public": 0, "surveys": 2, "survey_opinions": 35,
    "survey_results": 2, "interviews": 0, "interview_messages": 0, "interview_answers": 0,
    "smart_answers": False, "security_checks": 4, "security_issues": 3, "security_fixed": 3,
    "security_monitoring": True, "security_drills": True, "security_officer": True,
    "has_new_media": False, "search_as_service": True, "multilingual": False, "accessible": True,
    "personalised": False,
}  # fmt: skip


def seed_website_report(stdout):
    """The 2025 政府网站工作年度报表 made final and published (its figures counted from the demo
    data, the rest as DEMO_WEBSITE_ENTERED says). Idempotent: an existing one is left alone."""
    from disclosure.reports import website_services
    from disclosure.reports.annual_services import ReportError
    from disclosure.reports.models import WebsiteAnnualReport

    if WebsiteAnnualReport.objects.filter(year=2025).exists():
        return
    try:
        report = website_services.save_entered(
            WebsiteAnnualReport(year=2025), SYSTEM, DEMO_WEBSITE_ENTERED
        )
        report = website_services.make_final(report, SYSTEM)
    except ReportError as exc:
        stdout.write(f"2025年政府网站工作年度报表未能定稿：{exc}")
        return
    # Due by 31 January: published now (a past date would be a made-up one).
    publish(report.document)


def demo_minutes_list():
    """The information the demo's answered application gives: a workbook of meeting dates."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.downloads import new_workbook

    buffer = io.BytesIO()
    workbook = new_workbook(buffer, in_memory=True)
    sheet = workbook.add_worksheet("纪要目录")
    sheet.write_row(0, 0, ["序号", "会议", "日期"])
    for row, month in enumerate(range(1, 13), start=1):
        sheet.write_row(row, 0, [str(row), f"区政府第{row}次常务会议", f"2025-{month:02d}-15"])
    workbook.close()
    return SimpleUploadedFile(
        "2025年区政府常务会议纪要目录.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def migrate_reply(document, unit, number, replied_on):
    """Publish a demo reply of 2022 as one from the old site: an old index number (in the
    unit's numbering, serials from 500 on) and the reason it keeps its 2022 date."""
    index_number = format_index_number(unit.numbering_code, 2022, 500 + number, unit.index_scheme)
    document.published_at = timezone.make_aware(datetime.combine(replied_on, time(9, 0)))
    document.migrated_from = OLD_SITE
    document.migrated_index_number = index_number
    document.backdate_reason = (
        f"原网站{replied_on.year}年{replied_on.month}月{replied_on.day}日发布的答复，"
        "迁移到本站时保留原发布日期和原索引号。"
    )
    set_legacy_index_number(document, index_number)
    publish(document)


def working_days_before(today, days):
    """The working day ``days`` working days before ``today``."""
    from portal.workdays import add_working_days, is_working_day

    day = today
    while add_working_days(day, days) > today or not is_working_day(day):
        day = date.fromordinal(day.toordinal() - 1)
    return day


def submit_demo_application(agency, name, title, received, channel=None, **extra):
    """Submits a made-up application received on ``received`` (confirmed later when it came
    through a channel that needs 确认收到)."""
    from disclosure.applications import services as applications
    from disclosure.applications.models import Application

    channel = channel or Application.Channel.IN_PERSON
    values = {
        "agency": agency, "channel": channel, "name": name, "phone": "13983001234",
        "id_type": Application.IdType.RESIDENT, "id_number": "11010519491231002X",
        "address": "重庆市铜梁区巴川街道龙城大道1号", "postcode": "402560",
        "info_title": title, "description": f"请提供{title}的全文。",
        "submitted_at": timezone.make_aware(datetime.combine(received, datetime.min.time()))
        .replace(hour=10),
        **extra,
    }  # fmt: skip
    application, _ = applications.submit(
        Application(**values),
        received_on=None if channel in Application.CONFIRMED_CHANNELS else received,
    )
    return application
