import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user(
        "clerk", password="correct-horse-battery", is_staff=True
    )


def login(client, password):
    return client.post(
        reverse("admin:login"),
        {"username": "clerk", "password": password, "next": "/admin/"},
        REMOTE_ADDR="198.51.100.7",
    )


def test_repeated_failures_lock_the_account_from_that_address(client, clerk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong-password")
    response = login(client, "correct-horse-battery")
    assert response.status_code == 429
    assert "账号已被暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_login_works_and_the_session_expires_after_30_idle_minutes(client, clerk):
    response = login(client, "correct-horse-battery")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(clerk.pk)
    assert client.session.get_expiry_age() == 30 * 60
    response = client.get(reverse("admin:index"))
    assert response.cookies["sessionid"]["max-age"] in (
        "",
        1800,
    )  # browser-session cookie, 30-minute server expiry
    assert client.session.get_expire_at_browser_close()


def test_weak_staff_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["12345678", "password1", "clerk2024"]:
        with pytest.raises(ValidationError):
            validate_password(weak, get_user_model()(username="clerk2024"))
