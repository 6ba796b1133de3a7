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
