"""README's settings table names every environment variable the settings read, and no other."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""(?:environ\.get|environ\[|env_[a-z]+|getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def read_by_settings():
    return set(READ.findall((ROOT / "portal" / "settings.py").read_text(encoding="utf-8")))


def in_readme_table():
    names = set()
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_every_variable_the_settings_read_is_in_the_readme_table():
    assert read_by_settings() - in_readme_table() == set()


def test_the_readme_table_names_no_variable_the_settings_do_not_read():
    assert in_readme_table() - read_by_settings() == set()


def test_the_settings_reading_is_found_at_all():
    assert {"DJANGO_SECRET_KEY", "EMAIL_HOST", "REDIS_URL"} <= read_by_settings()
