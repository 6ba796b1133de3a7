"""`getelec outages refresh` and `getelec outages registry import` (cron-friendly, exit 2)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from getelec.outages.cli import register_refresh
from getelec.outages.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="getelec")
    sub = parser.add_subparsers(dest="command")
    outages = sub.add_parser("outages")
    register_refresh(outages.add_subparsers(dest="action"))
    args = parser.parse_args(["outages", *argv])
    return int(args.handler(args) or 0)


def test_refresh_twice_from_the_command_line_changes_nothing_the_second_time(
    grid: Any, frozen: Any, capsys: Any
) -> None:
    argv = ["refresh", "--year", "2026", "--as-of", "2026-11-25", "--data-dir", str(grid.data_dir)]
    assert _run(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["created"] == 3 and LedgerEntry.objects.count() == 3
    assert _run(argv) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["created"] == second["updated"] == 0 and not second["snapshot_changed"]
    assert _run([*argv, "--quiet"]) == 0 and capsys.readouterr().out == ""


def test_refresh_without_events_exits_2_naming_the_folder(
    grid: Any, frozen: Any, tmp_path: Path, capsys: Any
) -> None:
    code = _run(["refresh", "--as-of", "2026-11-25", "--data-dir", str(tmp_path / "none")])
    assert code == 2 and "no events file" in capsys.readouterr().err


def test_registry_import_exits_2_on_a_bad_file(tmp_path: Path, orgs: Any, capsys: Any) -> None:
    bad = tmp_path / "r.csv"
    bad.write_text("meter_id,district_id\nM1,T1\n")
    assert _run(["registry", "import", str(bad)]) == 2
    assert "missing column" in capsys.readouterr().err
