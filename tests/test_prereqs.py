"""`make test` checks first for the system programs the suite needs (scripts/check-test-prereqs):
chromium for the browser tests, Java 17 or later for the Spark tests; a missing or old one is
named with the command that installs it, and the run stops (exit 2)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check-test-prereqs"


def run(
    tmp_path: Path, java_version: str | None, chromium: bool
) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sed", "head", "cut"):  # what the script uses besides java
        (bin_dir / tool).symlink_to(Path("/usr/bin") / tool)
    if java_version is not None:
        java = bin_dir / "java"
        java.write_text(f"#!/bin/sh\necho 'openjdk version \"{java_version}\" 2025-04-15' >&2\n")
        java.chmod(0o755)
    fake_chromium = tmp_path / "chromium"
    if chromium:
        fake_chromium.write_text("#!/bin/sh\n")
        fake_chromium.chmod(0o755)
    env = {
        "PATH": str(bin_dir),  # the fake java (if any), not the machine's
        "GETELEC_CHROMIUM": str(fake_chromium),
        "HOME": os.environ.get("HOME", "/tmp"),
    }
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)], capture_output=True, text=True, env=env, check=False
    )


@pytest.mark.parametrize(
    ("java", "chromium", "code", "named"),
    [
        ("17.0.15", True, 0, []),
        ("21.0.2", True, 0, []),
        ("11.0.22", True, 2, ["Java 17 or later", "11.0.22", "openjdk-17-jre-headless"]),
        ("1.8.0_402", True, 2, ["Java 17 or later", "1.8.0_402"]),
        (None, True, 2, ["java not found", "openjdk-17-jre-headless"]),
        ("17.0.15", False, 2, ["chromium", "apt-get install -y --no-install-recommends chromium"]),
    ],
)
def test_make_test_names_each_missing_prerequisite(
    tmp_path: Path, java: str | None, chromium: bool, code: int, named: list[str]
) -> None:
    done = run(tmp_path, java, chromium)
    assert done.returncode == code, done.stderr
    for words in named:
        assert words in done.stderr
    assert done.stdout == ""


def test_make_test_runs_the_check_first() -> None:
    makefile = (SCRIPT.parents[1] / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest: install-test\n", 1)[1].split("\n\n", 1)[0]
    assert recipe.lstrip().startswith(
        '@if [ "$(CHECK_PREREQS)" != 0 ]; then scripts/check-test-prereqs'
    )


def test_the_quick_start_names_every_prerequisite_of_its_two_commands() -> None:
    readme = (SCRIPT.parents[1] / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    for needed in ("Python 3.11", "python3-venv", "make", "chromium", "Java 17", "fonts-noto-cjk"):
        assert needed in quick_start, needed
    assert "openjdk-17-jre-headless" in quick_start and "CHECK_PREREQS=0" in quick_start
