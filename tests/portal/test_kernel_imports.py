"""portal/'s kernel imports nothing from the domain apps (see portal/__init__.py)."""

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[2] / "portal"
DOMAIN_APPS = {"catalog", "disclosure"}
# The project modules: they wire the apps together and may import them.
PROJECT_MODULES = {
    "settings.py",
    "urls.py",
    "wsgi.py",
    "asgi.py",
    "views.py",
    "management/commands/seed_demo.py",
}


def kernel_modules():
    for path in sorted(PORTAL.rglob("*.py")):
        relative = path.relative_to(PORTAL).as_posix()
        if relative.startswith("migrations/") or relative in PROJECT_MODULES:
            continue
        yield relative


def domain_imports(source):
    """(line, module) of every import of a domain app, at top level or inside a function."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        found += [(node.lineno, m) for m in modules if m.split(".")[0] in DOMAIN_APPS]
    return found


def test_the_checker_sees_imports_at_top_level_and_inside_functions():
    source = (
        "import catalog.models\n"
        "from portal import audit\n"
        "from . import workdays\n"
        "def f():\n"
        "    from disclosure.models import Document\n"
        "    import disclosure as d\n"
    )
    assert domain_imports(source) == [
        (1, "catalog.models"),
        (5, "disclosure.models"),
        (6, "disclosure"),
    ]


def test_the_kernel_is_found():
    modules = set(kernel_modules())
    assert {
        "audit.py",
        "workdays.py",
        "sanitize.py",
        "roles.py",
        "signals.py",
        "admin.py",
    } <= modules
    assert not modules & PROJECT_MODULES


@pytest.mark.parametrize("module", list(kernel_modules()))
def test_a_kernel_module_imports_no_domain_code(module):
    source = (PORTAL / module).read_text(encoding="utf-8")
    assert domain_imports(source) == [], f"portal/{module} imports domain code"
