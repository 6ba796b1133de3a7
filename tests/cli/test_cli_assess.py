"""`getelec assess` as a user runs it: a subprocess, JSON in (file or stdin), JSON out.

It must work on a fresh checkout with no database: every run points GETELEC_VAR_DIR at an empty
temporary folder, drops DATABASE_URL, and checks that no database file appeared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.pure

# The console script installed with the package, next to the interpreter running the tests.
GETELEC = [str(Path(sys.executable).with_name("getelec"))]


def getelec(
    var_dir: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["GETELEC_VAR_DIR"] = str(var_dir)
    return subprocess.run(
        [*GETELEC, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "var"
    path.mkdir()
    yield path
    assert not (path / "db.sqlite3").exists(), "getelec assess must not create a database"


def test_assess_reads_a_file_and_prints_the_assessment(var_dir: Path, tmp_path: Path) -> None:
    request = tmp_path / "application.json"
    request.write_text(
        json.dumps(
            {
                "customer_type": "small_micro_enterprise",
                "capacity_kw": 100,
                "external_works": True,
                "applied_on": "2026-09-30",
            }
        ),
        encoding="utf-8",
    )

    done = getelec(var_dir, "assess", str(request))

    assert (done.returncode, done.stderr) == (0, "")
    result = json.loads(done.stdout)
    assert result["category"] == "lv_three_zero"
    assert result["three_zero"]["eligible"] is True
    assert result["informed_consent_required"] is False
    assert result["time_limit_working_days"] == 15  # T2, with external works
    assert result["due_on"] == "2026-10-27"  # across 国庆, Sat 10/10 a make-up working day
    assert [(s["name"], s["limit_working_days"]) for s in result["stages"]] == [
        ("intake", 1),
        ("supply_scheme", 2),
        ("external_works", 10),
        ("energizing", 2),
    ]
    assert {r["clause"] for r in result["three_zero"]["reasons"]} <= {"T1", "L2", "L34"}


def test_assess_reads_standard_input(var_dir: Path) -> None:
    done = getelec(
        var_dir,
        "assess",
        stdin='{"customer_type": "small_micro_enterprise", "capacity_kw": 100, '
        '"requested_high_voltage": true, "applied_on": "2026-11-02"}',
    )

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["category"], result["informed_consent_required"]) == ("hv_single", True)
    assert (result["time_limit_working_days"], result["due_on"]) == (22, "2026-12-02")


BASE: dict[str, Any] = {"customer_type": "other", "capacity_kw": 8, "applied_on": "2026-11-26"}

# (why, the request, the field the one-line error names)
BAD = [
    ("missing field", {k: v for k, v in BASE.items() if k != "capacity_kw"}, "capacity_kw"),
    ("unknown key", {**BASE, "capacity": 8}, "capacity"),
    ("unknown value", {**BASE, "customer_type": "alien"}, "customer_type"),
    ("capacity zero", {**BASE, "capacity_kw": 0}, "capacity_kw"),
    ("capacity negative", {**BASE, "capacity_kw": -1}, "capacity_kw"),
    ("capacity too large", {**BASE, "capacity_kw": 10_000_001}, "capacity_kw"),
    ("malformed date", {**BASE, "applied_on": "2026/11/26"}, "applied_on"),
    ("dual supply at LV", {**BASE, "supply": "dual", "voltage": "low"}, "supply"),
    ("due date in 2027", {**BASE, "capacity_kw": 800, "supply": "dual"}, "applied_on"),
]


@pytest.mark.parametrize(("why", "request_", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_with_one_line_naming_the_field(
    var_dir: Path, why: str, request_: dict[str, Any], field: str
) -> None:
    done = getelec(var_dir, "assess", stdin=json.dumps(request_))

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: {field}: ")


@pytest.mark.parametrize(
    "literal", ["NaN", "Infinity", "-Infinity", "1e999"], ids=["NaN", "Inf", "-Inf", "overflow"]
)
def test_a_capacity_that_is_not_a_finite_number_exits_2(var_dir: Path, literal: str) -> None:
    stdin = '{"customer_type": "other", "applied_on": "2026-11-26", "capacity_kw": ' + literal + "}"

    done = getelec(var_dir, "assess", stdin=stdin)

    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: capacity_kw: ")


def test_the_2027_error_names_the_year(var_dir: Path) -> None:
    done = getelec(
        var_dir, "assess", stdin=json.dumps({**BASE, "capacity_kw": 800, "supply": "dual"})
    )

    assert done.returncode == 2
    assert "2027 calendar not loaded" in done.stderr


def test_input_that_is_not_json_exits_2(var_dir: Path) -> None:
    done = getelec(var_dir, "assess", stdin="customer_type=residential")

    assert done.returncode == 2
    assert done.stderr.startswith("error: input: not valid JSON")


def test_a_missing_file_exits_2_naming_it(var_dir: Path, tmp_path: Path) -> None:
    done = getelec(var_dir, "assess", str(tmp_path / "nope.json"))

    assert done.returncode == 2
    assert "nope.json" in done.stderr


def test_getelec_help_lists_every_subcommand(var_dir: Path) -> None:
    done = getelec(var_dir, "--help")

    assert done.returncode == 0
    for command in ("serve", "demo", "assess", "calendar", "outages"):
        assert f"    {command} " in done.stdout, command


@pytest.mark.parametrize("command", ["assess", "calendar", "calendar import", "calendar add"])
def test_every_subcommand_has_help(var_dir: Path, command: str) -> None:
    done = getelec(var_dir, *command.split(), "--help")

    assert done.returncode == 0
    assert "usage: getelec" in done.stdout
    assert len(done.stdout.splitlines()) > 4
