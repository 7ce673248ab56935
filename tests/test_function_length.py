"""No function of the application is longer than a reader can hold at once: at most
``MAX_LINES`` lines from its ``def`` (decorators aside) to its last line."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "portal", "catalog", "disclosure")
SKIPPED_DIRS = {"migrations", "tests", "bench"}
MAX_LINES = 60


def application_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
                yield path


def long_functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_LINES:
                yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)"


def test_application_packages_are_walked():
    files = list(application_files())
    assert {path.relative_to(ROOT).parts[0] for path in files} == set(PACKAGES)
    assert not [path for path in files if "migrations" in path.parts]


def test_no_function_is_longer_than_sixty_lines():
    offenders = [entry for path in application_files() for entry in long_functions(path)]
    assert not offenders, f"functions over {MAX_LINES} lines:\n" + "\n".join(offenders)
