from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.credit_code import check_character
from catalog.models import Agency, CatalogNode
from disclosure.models import Document, Genre, Topic


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


def published(**kwargs):
    """A public document: created as a draft, then published through the service."""
    from disclosure.services import publish

    at = kwargs.pop("published_at", None)
    document = DocumentFactory(**kwargs)
    return publish(document, at=at)
