"""Production code states its invariants with explicit errors, never with `assert`.

`python -O` strips assert statements: a check that guards data or state must still run there.
Tests (files under a `tests/` folder, `test_*.py`, `conftest.py`) may assert freely.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = [ROOT / "getelec", ROOT / "benchmarks", ROOT / "scripts", ROOT / "manage.py"]


def _is_test(path: Path) -> bool:
    return (
        "tests" in path.relative_to(ROOT).parts
        or path.name.startswith("test_")
        or path.name == "conftest.py"
    )


def production_files() -> list[Path]:
    files: list[Path] = []
    for top in PRODUCTION:
        candidates = [top] if top.is_file() else sorted(top.rglob("*.py"))
        files += [p for p in candidates if not _is_test(p) and "migrations" not in p.parts]
    return files


def asserts_in(source: str) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Assert)]


def test_the_scan_covers_the_package() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in production_files()}
    assert {"getelec/analytics/pipeline.py", "getelec/supervision/services/filings.py"} <= names
    assert not any("/tests/" in n or n.endswith("conftest.py") for n in names)


def test_the_scan_finds_an_assert() -> None:
    assert asserts_in("x = 1\nassert x, 'never with -O'\n") == [2]


def test_production_code_has_no_assert() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in production_files()
        for line in asserts_in(path.read_text(encoding="utf-8"))
    ]
    assert found == []
