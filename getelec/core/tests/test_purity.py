"""The pure packages stay pure: getelec.core and getelec.analytics import no Django.

Both run in a fresh interpreter (the test process has Django loaded by pytest-django):
- every module of the two packages is imported, and the first one that loads Django is named;
- their tests are collected with the Django plugin off (``-p no:django``): a test needing one of
  its fixtures (``db``, ``settings``, ``client``…), or a test module importing Django, fails here.
  CI (.ci/run) also runs those tests that way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[3]
PURE_PACKAGES = ("getelec.core", "getelec.analytics")

_IMPORT_ALL = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    seen = []
    for package_name in sys.argv[1:]:
        package = importlib.import_module(package_name)
        names = [package_name] + [
            m.name
            for m in pkgutil.walk_packages(package.__path__, package_name + ".")
            if ".tests" not in m.name
        ]
        for name in names:
            importlib.import_module(name)
            seen.append(name)
            if "django" in sys.modules:
                print(f"DJANGO {name}")
                sys.exit(1)
    print("IMPORTED " + " ".join(seen))
    """
)

_NO_DJANGO_PLUGIN = textwrap.dedent(
    """
    import sys

    def pytest_collection_finish(session):
        problems = []
        for item in session.items:
            info = item._fixtureinfo
            # "request" is pytest's own pseudo-fixture, never in name2fixturedefs.
            missing = sorted(set(info.names_closure) - set(info.name2fixturedefs) - {"request"})
            if missing:
                problems.append(f"{item.nodeid}: needs {', '.join(missing)}")
        if "django" in sys.modules:
            problems.append("Django was imported while collecting")
        print(f"PURE-ITEMS {len(session.items)}")
        for problem in problems:
            print(f"PURE-PROBLEM {problem}")
    """
)


def _fresh(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_core_and_analytics_import_no_django(tmp_path: Path) -> None:
    result = _fresh(["-c", _IMPORT_ALL, *PURE_PACKAGES], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    imported = result.stdout.split()[1:]
    # The walk really covered the packages' modules (not only their __init__).
    assert {"getelec.core.policy", "getelec.core.workdays", "getelec.analytics.api"} <= set(
        imported
    )


def test_the_import_check_names_a_module_that_loads_django(tmp_path: Path) -> None:
    """The check itself works: a package that imports Django is reported by module name."""
    impure = tmp_path / "impure_pkg"
    impure.mkdir()
    (impure / "__init__.py").write_text("")
    (impure / "leaky.py").write_text("import django.conf\n")
    result = _fresh(["-c", _IMPORT_ALL, "impure_pkg"], tmp_path)
    assert result.returncode == 1
    assert "DJANGO impure_pkg.leaky" in result.stdout


def test_the_pure_packages_tests_need_no_django_plugin(tmp_path: Path) -> None:
    (tmp_path / "no_django_check.py").write_text(_NO_DJANGO_PLUGIN)
    paths = [str(ROOT / p.replace(".", "/")) for p in PURE_PACKAGES]
    result = _fresh(
        [
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-p",
            "no_django_check",
            "-W",
            "ignore::pytest.PytestConfigWarning",
            *paths,
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    problems = [line for line in result.stdout.splitlines() if line.startswith("PURE-PROBLEM")]
    assert problems == []
    counted = next(line for line in result.stdout.splitlines() if line.startswith("PURE-ITEMS"))
    assert int(counted.split()[1]) > 300
