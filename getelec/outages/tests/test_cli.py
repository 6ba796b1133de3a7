"""`getelec outages refresh` and `getelec outages registry import` (cron-friendly, exit 2)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from getelec.outages.cli import register_refresh
from getelec.outages.models import District, LedgerEntry, Meter
from getelec.outages.tests.conftest import GRID, write_registry

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


def test_a_second_refresh_while_one_runs_exits_3_and_changes_nothing(
    grid: Any, frozen: Any, capsys: Any
) -> None:
    """Overlapping cron runs: the second one must not race the first into the ledger."""
    import threading

    from django.db import connection

    from getelec.outages.services import REFRESH_LOCK
    from getelec.runlock import run_lock

    holding, release = threading.Event(), threading.Event()

    def first_run() -> None:  # another process (its own database connection) holds the lock
        try:
            with run_lock(REFRESH_LOCK):
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    other = threading.Thread(target=first_run)
    other.start()
    assert holding.wait(30)
    argv = ["refresh", "--year", "2026", "--as-of", "2026-11-25", "--data-dir", str(grid.data_dir)]
    try:
        assert _run(argv) == 3
        assert "another 'outages-refresh' run is in progress" in capsys.readouterr().err
        assert LedgerEntry.objects.count() == 0
    finally:
        release.set()
        other.join()
    assert _run([*argv, "--wait", "30", "--quiet"]) == 0  # free again: it runs
    assert LedgerEntry.objects.count() == 3


@pytest.mark.parametrize("flags", [[], ["--replace"], ["--allow-deletions", "1000"]])
def test_registry_import_refuses_a_header_only_file_and_keeps_the_registry(
    grid: Any, tmp_path: Path, capsys: Any, flags: list[str]
) -> None:
    empty = write_registry(tmp_path / "empty.csv", [])
    assert _run(["registry", "import", str(empty), *flags]) == 2
    assert "no data rows" in capsys.readouterr().err
    assert Meter.objects.filter(retired_on__isnull=True).count() == 8
    assert sum(District.objects.values_list("meter_count", flat=True)) == 8


def test_registry_import_reports_missing_meters_and_retires_them_only_when_allowed(
    grid: Any, tmp_path: Path, capsys: Any, settings: Any
) -> None:
    short = str(write_registry(tmp_path / "short.csv", GRID[:-1]))
    assert _run(["registry", "import", short]) == 0
    out = capsys.readouterr()
    assert "1 active meters are missing from the file and were kept (first: M08)" in out.err
    assert json.loads(out.out)["missing_meters"] == 1
    # 1 of 8 is more than the configured 5 %: stop, change nothing
    assert _run(["registry", "import", short, "--allow-deletions", "1"]) == 2
    assert "configured share" in capsys.readouterr().err
    settings.REGISTRY_MAX_DELETE_SHARE = 0.2
    assert _run(["registry", "import", short, "--allow-deletions", "1", "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["retired_meters"] == 1
    assert Meter.objects.get(meter_id="M08").retired_on is None  # dry run: nothing written
    assert _run(["registry", "import", short, "--allow-deletions", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["retired_meters"] == 1
    assert Meter.objects.get(meter_id="M08").retired_on is not None


def test_registry_import_exits_2_on_an_id_too_long_for_the_database(
    orgs: Any, tmp_path: Path, capsys: Any
) -> None:
    path = write_registry(tmp_path / "r.csv", [("M" * 65, *GRID[0][1:])])
    assert _run(["registry", "import", str(path)]) == 2
    assert "row 1, column meter_id: longer than 64 characters" in capsys.readouterr().err
