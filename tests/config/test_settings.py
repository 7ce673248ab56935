import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.pop("DATABASE_URL", None)
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_without_secret_key_and_debug_off_fails_clearly():
    result = run_manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_start_up_without_audit_key_and_debug_off_fails_clearly():
    result = run_manage(
        "check", DJANGO_SECRET_KEY="x7Gq2p9vLmR4tYw8zK1nB6cF3hJ5sD0aQeUiOpZxCvBnMlKjHg"
    )
    assert result.returncode != 0
    assert "PORTAL_AUDIT_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_a_real_secret(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x7Gq2p9vLmR4tYw8zK1nB6cF3hJ5sD0aQeUiOpZxCvBnMlKjHg",
        PORTAL_AUDIT_KEY="Wm3Rt8yKp2Qx6Lz9Nb4Vc7Jh1Fd5Gs0AeUoPiYtReWqAsDfGh",
        DJANGO_ALLOWED_HOSTS="gk.example.gov.cn",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("name", ["LANGUAGE_CODE", "TIME_ZONE", "USE_TZ"])
def test_locale_settings(settings, name):
    expected = {"LANGUAGE_CODE": "zh-hans", "TIME_ZONE": "Asia/Shanghai", "USE_TZ": True}
    assert getattr(settings, name) == expected[name]


def test_redis_url_puts_the_caches_in_redis_with_sub_second_timeouts_and_sessions_in_the_database():
    code = (
        "from django.conf import settings as s; import json; "
        "print(json.dumps([s.CACHES, s.SESSION_ENGINE]))"
    )
    result = run_manage("shell", "-c", code, DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/5")
    assert result.returncode == 0, result.stderr
    caches, session_engine = json.loads(result.stdout.splitlines()[-1])
    for alias in ("default", "shared"):
        cache = caches[alias]
        assert cache["BACKEND"] == "portal.redis_cache.SoftRedisCache"
        assert cache["LOCATION"] == "redis://127.0.0.1:6379/5"
        # A hung Redis costs a request less than a second (portal.redis_cache).
        assert 0 < cache["OPTIONS"]["socket_connect_timeout"] < 1
        assert 0 < cache["OPTIONS"]["socket_timeout"] < 1
    # Not cached_db: a Redis down or restored from an old snapshot has no say in who is signed in.
    assert session_engine == "portal.sessions"


def test_without_a_mail_server_production_prints_no_mail_and_fails_each_send():
    """Mail to applicants holds their 查询码: with DEBUG off and no EMAIL_HOST it must not go to
    the console (the server's log), and each send fails so the e-mail is recorded as failed."""
    code = (
        "from django.core.mail import send_mail\n"
        "try:\n"
        "    send_mail('s', 'SECRET-LOOKUP-CODE', 'a@example.com', ['b@example.com'])\n"
        "except Exception as exc:\n"
        "    print('refused:', exc)\n"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        DJANGO_SECRET_KEY="x7Gq2p9vLmR4tYw8zK1nB6cF3hJ5sD0aQeUiOpZxCvBnMlKjHg",
        PORTAL_AUDIT_KEY="Wm3Rt8yKp2Qx6Lz9Nb4Vc7Jh1Fd5Gs0AeUoPiYtReWqAsDfGh",
        DJANGO_ALLOWED_HOSTS="gk.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr
    assert "SECRET-LOOKUP-CODE" not in result.stdout + result.stderr
    assert "refused: 未配置邮件服务器" in result.stdout
