from datetime import date, timedelta

import factory
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from catalog.credit_code import check_character
from catalog.models import Agency, CatalogNode
from disclosure.applications.models import Application
from disclosure.documents.models import Attachment, Document, Genre, Topic
from disclosure.proposals.models import CongressSession, Proposal, ProposalReply
from disclosure.reports.models import AnnualReport, DisclosureGuide
from portal.actors import SYSTEM
from portal.roles import sync_roles


def credit_code_for(n):
    base = f"11500224MB{n:07d}"
    return base + check_character(base)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"铜梁区测试局{n}")
    short_name = factory.Sequence(lambda n: f"测试局{n}")
    credit_code = factory.Sequence(credit_code_for)


class CatalogNodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogNode

    name = factory.Sequence(lambda n: f"栏目{n}")
    parent = None


class StaffUserFactory(factory.django.DjangoModelFactory):
    """A staff login. ``role=EDITOR`` (a group of portal/roles.py, or a list of them) gives it
    that role with the permissions ROLES lists; ``agencies=[agency]`` makes it staff of them."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            sync_roles()  # the groups' permissions, which migrations alone leave incomplete
            names = [extracted] if isinstance(extracted, str) else extracted
            obj.groups.add(*[Group.objects.get(name=name) for name in names])

    @factory.post_generation
    def agencies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.agencies.add(*extracted)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["parent", "name"]

    name = "其他"
    parent = None


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Genre
        django_get_or_create = ["name"]

    name = "通知"
    requires_doc_number = True


class DocumentFactory(factory.django.DjangoModelFactory):
    """A draft; use ``published()`` for a public one."""

    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"关于做好第{n}项工作的通知")
    summary = "工作安排。"
    body = "<p>各镇街、各部门：现将有关事项通知如下。</p>"
    agency = factory.SubFactory(AgencyFactory)
    node = factory.SubFactory(CatalogNodeFactory)
    topic = factory.SubFactory(TopicFactory)
    genre = factory.SubFactory(GenreFactory)
    written_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A small PDF added to a new draft through ``add_attachment``, checked and stored as an
    upload is (set MEDIA_ROOT to a temporary folder)."""

    class Meta:
        model = Attachment

    document = factory.SubFactory(DocumentFactory)
    name = factory.Sequence(lambda n: f"附件{n}.pdf")
    content = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"

    @classmethod
    def _create(cls, model_class, document, name, content, sort_order=0, user=SYSTEM):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from disclosure.documents.services import add_attachment

        upload = SimpleUploadedFile(name, content)
        return add_attachment(document, upload, sort_order=sort_order, user=user)


def published(**kwargs):
    """A public document: created as a draft, then published through the service. A past
    ``published_at`` is when it happened: the clock is set back to that moment for both (the
    server records the moment it publishes, and refuses a date in the past)."""
    from disclosure.documents.services import publish
    from portal import page_cache

    at = kwargs.pop("published_at", None)
    if at is None or at > timezone.now():
        return publish(DocumentFactory(**kwargs), at=at)
    with time_machine.travel(at, tick=False):
        document = publish(DocumentFactory(**kwargs))
    # The public version as a publication now would leave it (the one written back then is
    # older than any copy a process keeps).
    page_cache.bump_public_version()
    return document


def publish_on(document, at, user=SYSTEM):
    """``document`` published at the past moment ``at``, the clock set back to it (the service
    refuses a past date: the server records the moment it publishes). A 成文日期 the factory
    left after that day (three days before today) moves back to the day."""
    from disclosure.documents.services import publish
    from portal import page_cache

    day = timezone.localtime(at).date()
    if document.written_on and document.written_on > day:
        document.written_on = day
        document.save(update_fields=["written_on"])
    with time_machine.travel(at, tick=False):
        document = publish(document, user)
    page_cache.bump_public_version()  # as a publication now would leave it
    return document


class CongressSessionFactory(factory.django.DjangoModelFactory):
    """区第十八届人民代表大会第一次会议 unless told otherwise; one row per body, level, term, session."""

    class Meta:
        model = CongressSession
        django_get_or_create = ["body", "level", "term", "session"]

    body = CongressSession.Body.CONGRESS
    level = "区"
    term = 18
    session = 1
    year = 2022


class ProposalFactory(factory.django.DjangoModelFactory):
    """The seed's proposal (范川's, assigned 2022-03-10) in its session, led by a new agency."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    session = factory.SubFactory(CongressSessionFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "关于进一步加大政务公开力度的建议"
    lead_delegate = "范川"
    assigned_on = date(2022, 3, 10)
    lead_unit = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def co_units(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.co_units.set(extracted)


class ProposalReplyFactory(factory.django.DjangoModelFactory):
    """The seed's reply letter, saved through ``save_reply`` (so it has its draft document);
    ``user`` is who saves it (the system when left out). Needs the reply catalogue nodes."""

    class Meta:
        model = ProposalReply

    proposal = factory.SubFactory(ProposalFactory)
    issuing_office = "重庆市铜梁区人民政府办公室"
    body = "<p>现函复如下。</p>"
    signer_title = "区政府办公室主任"
    signer = "汪文波"
    feedback_to = "区人大常委会人代工委"
    signing_office = "重庆市铜梁区人民政府办公室"
    letter_date = date(2022, 6, 6)
    contact_person = "邱源旭"
    contact_phone = "023-45632266"
    postcode = "402560"

    @classmethod
    def _create(cls, model_class, *args, user=SYSTEM, **kwargs):
        from disclosure.proposals.services import save_reply

        return save_reply(model_class(*args, **kwargs), user)


def id_number_for(n):
    """A 居民身份证 number with a valid GB 11643 check digit (Chongqing, born 1980)."""
    from disclosure.applications.identity import resident_check_digit

    base = f"50022419800101{n % 1000:03d}"
    return base + resident_check_digit(base)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A person's application to a new agency, received (in person) on ``received_on``."""

    class Meta:
        model = Application

    number = factory.Sequence(lambda n: f"2026-{n + 1:05d}")
    lookup_digest = factory.Sequence(lambda n: f"{n:064d}")
    agency = factory.SubFactory(AgencyFactory)
    channel = Application.Channel.IN_PERSON
    status = Application.Status.IN_PROGRESS
    applicant_type = Application.ApplicantType.PERSON
    name = "张三"
    id_type = Application.IdType.RESIDENT
    id_number = factory.Sequence(id_number_for)
    phone = "13800001234"
    email = "zhangsan@example.com"
    address = "重庆市铜梁区巴川街道龙城大道1号"
    postcode = "402560"
    info_title = "2025年巴川街道老旧小区改造项目清单"
    description = "请提供2025年巴川街道纳入老旧小区改造的项目名称、地址和投资额。"
    received_on = date(2026, 6, 1)
    submitted_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(
            timezone.datetime.combine(
                o.received_on or date(2026, 6, 1), timezone.datetime.min.time()
            )
        ).replace(hour=9)
    )


class AnnualReportFactory(factory.django.DjangoModelFactory):
    """A new agency's draft 年度报告 for 2025, its figures counted from the portal's data."""

    class Meta:
        model = AnnualReport

    agency = factory.SubFactory(AgencyFactory)
    year = 2025


class DisclosureGuideFactory(factory.django.DjangoModelFactory):
    """A new agency's 公开指南 with the texts a new guide starts from."""

    class Meta:
        model = DisclosureGuide

    agency = factory.SubFactory(AgencyFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        from disclosure.reports.guide import new_guide_values

        return {**new_guide_values(), **kwargs}
