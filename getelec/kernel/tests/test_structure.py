"""The import structure of the getelec package, read from the source with `ast` (nothing is
imported or run). See docs/architecture.md, "Kernel: errors, access, policy values".

- No import cycle among getelec modules. Imports inside functions count too (a cycle that only
  closes at run time is still a cycle); imports under `if TYPE_CHECKING:` do not.
- A domain (a package getelec/<app>/) never imports another domain's selectors, nor a private
  name (`_x`) or private module of another package. The CLI (getelec/cli) is an interface
  like the views and the API, and the demo loader (getelec/demo, which holds every domain's demo
  data) composes them all: both may read through a domain's selectors. The kernel's apps
  (KERNEL_APPS: the documents-once store) are not domains: every domain reads through them.
- Nothing outside getelec/cli imports getelec.cli (an interface never depends on another).
- The service error family is imported from getelec.kernel.errors only.
- The kernel's helpers are not re-written elsewhere (`_active`, `scope_region`, `param`, ...), and
  policy values are read through getelec.kernel.policy.param, not `default_policy().get(...)`.

Tests, migrations and fixtures are not part of the graph.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "getelec"
SKIP_PARTS = {"tests", "migrations", "fixtures"}
# May read through any domain's selectors: the CLI, and the demo (the demo data's composition root).
INTERFACES = {"cli", "demo"}
KERNEL_APPS = {"documents"}  # kernel-level Django apps: their selectors serve every domain
ERROR_FAMILY = {"ServiceError", "InvalidInput", "Conflict", "InvalidState", "NotAllowed"}
ERRORS_MODULE = "getelec.kernel.errors"
# Helpers that live in the kernel (or, for scope_region, in accounts.powers beneath it).
KERNEL_HELPERS = {
    "_active": "getelec.kernel.access.is_active",
    "is_active": "getelec.kernel.access.is_active",
    "scope_region": "getelec.kernel.access.scope_region",
    "_company_filter": "getelec.kernel.access.company_filter",
    "company_filter": "getelec.kernel.access.company_filter",
    "_region_filter": "getelec.kernel.access.region_filter",
    "region_filter": "getelec.kernel.access.region_filter",
    "param": "getelec.kernel.policy.param",
}
HELPER_HOMES = {"getelec.kernel.access", "getelec.kernel.policy", "getelec.accounts.powers"}


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (the deepest getelec module the statement names)
    name: str | None  # the name taken from `target` (`from target import name`), if any
    line: int
    in_function: bool

    def __str__(self) -> str:
        what = f"{self.target}.{self.name}" if self.name else self.target
        where = " (inside a function)" if self.in_function else ""
        return f"{self.source}:{self.line} imports {what}{where}"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files(package: Path = PACKAGE) -> dict[str, Path]:
    return {
        module_name(p, package.parent): p
        for p in sorted(package.rglob("*.py"))
        if not SKIP_PARTS.intersection(p.relative_to(package).parts)
    }


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"

    def walk(node: ast.AST, in_function: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "getelec":
                        yield Import(module, alias.name, None, child.lineno, in_function)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module if is_package else module.rpartition(".")[0]
                    for _ in range(child.level - 1):
                        base = base.rpartition(".")[0]
                    target = f"{base}.{child.module}" if child.module else base
                else:
                    target = child.module or ""
                if target.split(".")[0] != "getelec":
                    continue
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    if sub in modules:
                        yield Import(module, sub, None, child.lineno, in_function)
                    else:
                        yield Import(module, target, alias.name, child.lineno, in_function)
            else:
                inner = in_function or isinstance(
                    child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                )
                yield from walk(child, inner)

    yield from walk(tree, False)


def all_imports(package: Path = PACKAGE) -> list[Import]:
    modules = source_files(package)
    return [imp for name, path in modules.items() for imp in imports_of(name, path, modules)]


def existing_module(name: str, modules: dict[str, Path]) -> str | None:
    while name not in modules and "." in name:
        name = name.rpartition(".")[0]
    return name if name in modules else None


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def import_cycles(package: Path = PACKAGE) -> list[list[str]]:
    modules = source_files(package)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for imp in all_imports(package):
        target = existing_module(imp.target, modules)
        if target is not None and target != imp.source:
            edges[imp.source].add(target)
    return cycles(edges)


def domain_of(module: str, package: Path = PACKAGE) -> str | None:
    """getelec.<app>.x → <app> when getelec/<app>/ is a package; top-level modules: None."""
    parts = module.split(".")
    if len(parts) >= 2 and (package / parts[1]).is_dir():
        return parts[1]
    return None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def boundary_violations(package: Path = PACKAGE) -> list[str]:
    found = []
    for imp in all_imports(package):
        source, target = domain_of(imp.source, package), domain_of(imp.target, package)
        is_cli = imp.target == "getelec.cli" or imp.target.startswith("getelec.cli.")
        if is_cli and source != "cli":
            found.append(f"{imp}: only getelec/cli imports the CLI")
        if imp.name in ERROR_FAMILY and imp.target != ERRORS_MODULE:
            found.append(f"{imp}: import the error family from {ERRORS_MODULE}")
        if source is None or target is None or source == target:
            continue
        if (
            imp.target.split(".")[-1] == "selectors"
            and source not in INTERFACES
            and target not in KERNEL_APPS
        ):
            found.append(f"{imp}: another domain's selectors (use its public service functions)")
        private = [p for p in imp.target.split(".")[2:] if _private(p)]
        if imp.name and _private(imp.name):
            private.append(imp.name)
        if private:
            found.append(f"{imp}: private name {', '.join(private)} of another package")
    return sorted(found)


def rewritten_helpers(package: Path = PACKAGE) -> list[str]:
    found = []
    for name, path in source_files(package).items():
        if name in HELPER_HOMES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name in KERNEL_HELPERS:
                found.append(
                    f"{name}:{stmt.lineno} defines {stmt.name}: use {KERNEL_HELPERS[stmt.name]}"
                )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and isinstance(node.func.value, ast.Call)
                and getattr(node.func.value.func, "id", None) == "default_policy"
            ):
                found.append(
                    f"{name}:{node.lineno} reads default_policy().get(...): "
                    "use getelec.kernel.policy.param"
                )
    return sorted(found)


# --- the rules on this tree ------------------------------------------------------------------


def test_no_import_cycles() -> None:
    found = import_cycles()
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_domains_use_only_public_names_of_other_domains() -> None:
    found = boundary_violations()
    assert not found, "\n".join(found)


def test_kernel_helpers_are_not_rewritten() -> None:
    found = rewritten_helpers()
    assert not found, "\n".join(found)


# --- the checker itself, on a small tree it writes ---------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "getelec"
    for rel, text in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in [package, *(p for p in package.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    return package


def test_the_checker_finds_cycles_through_function_level_and_relative_imports(
    tmp_path: Path,
) -> None:
    package = _tree(
        tmp_path,
        {
            "a/x.py": "from getelec.a import y\n",
            "a/y.py": "def f():\n    from .x import g\n",
            "b/p.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import getelec.b.q\n"
            ),
            "b/q.py": "import getelec.b.p\n",
        },
    )
    assert import_cycles(package) == [["getelec.a.x", "getelec.a.y"]]


def test_the_checker_finds_boundary_violations(tmp_path: Path) -> None:
    package = _tree(
        tmp_path,
        {
            "kernel/errors.py": "class ServiceError(Exception): ...\n",
            "a/selectors.py": "def _hidden(): ...\ndef shown(): ...\n",
            "a/services.py": "from getelec.kernel.errors import ServiceError\n",
            "b/views.py": (
                "from getelec.a import selectors\n"
                "from getelec.a.services import ServiceError\n"
                "from getelec.kernel.errors import ServiceError as E\n"
                "def f():\n    from getelec.cli import main\n"
            ),
            "b/other.py": "from getelec.a.selectors import _hidden\n",
            "cli/report.py": "from getelec.a.selectors import shown\n",
        },
    )
    found = boundary_violations(package)
    assert len(found) == 5, found
    assert any("getelec.b.views:1" in f and "selectors" in f for f in found)
    assert any("getelec.b.views:2" in f and "error family" in f for f in found)
    assert any("getelec.b.views:5" in f and "only getelec/cli" in f for f in found)
    assert any("getelec.b.other:1" in f and "private name _hidden" in f for f in found)
    assert not any("getelec.cli.report" in f for f in found)


def test_the_checker_finds_rewritten_helpers(tmp_path: Path) -> None:
    package = _tree(
        tmp_path,
        {
            "a/selectors.py": (
                "def _active(user): ...\n"
                "def param(name, on):\n    return default_policy().get(name, on)\n"
            ),
        },
    )
    found = rewritten_helpers(package)
    assert len(found) == 3, found
