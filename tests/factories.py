import factory
from django.contrib.auth import get_user_model

from catalog.credit_code import check_character
from catalog.models import Agency, CatalogNode


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
