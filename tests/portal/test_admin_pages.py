import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_admin(client, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("generate_demo", documents=30)
    client.force_login(get_user_model().objects.get(username="demo"))
    return client


def admin_urls():
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        yield f"admin:{info[0]}_{info[1]}_changelist", model
        yield f"admin:{info[0]}_{info[1]}_add", model


@pytest.mark.parametrize(
    "name, model", list(admin_urls()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_admin_list_add_and_change_page_opens(demo_admin, name, model):
    response = demo_admin.get(reverse(name))
    assert response.status_code in (200, 403), response.status_code  # 403: the log and counters
    if name.endswith("_changelist"):
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            info = model._meta.app_label, model._meta.model_name
            change = demo_admin.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[first.pk]))
            assert change.status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:disclosure_document_export",
        "admin:disclosure_document_compliance",
        "admin:disclosure_proposal_dashboard",
        "admin:disclosure_proposalreply_import",
    ],  # fmt: skip
)
def test_custom_admin_pages_open(demo_admin, name):
    assert demo_admin.get(reverse(name)).status_code == 200
