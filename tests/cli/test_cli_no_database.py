"""Every `getelec` command on a database that has not been migrated says in one line what to run
and exits 1, without a traceback (run as a subprocess on an empty GETELEC_VAR_DIR, so the SQLite
file is new and has no tables)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from getelec import cli

COMMANDS = [
    ("ledger", "export", "--out", "ledger.xlsx"),
    ("ledger", "overdue"),
    ("filings", "check"),
    ("outages", "refresh"),
]


def run_on_empty_database(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    drop = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["GETELEC_VAR_DIR"] = str(var_dir)
    getelec_script = str(Path(sys.executable).with_name("getelec"))
    return subprocess.run(
        [getelec_script, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=var_dir,
        timeout=120,
        check=False,
    )


@pytest.mark.pure
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_command_on_an_unmigrated_database_says_what_to_run(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = run_on_empty_database(tmp_path, *command)

    assert done.returncode == cli.EXIT_NO_DATABASE == 1
    assert done.stderr.strip().splitlines() == [cli.NO_DATABASE_MESSAGE]
    assert "getelec manage migrate" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def _raising(exc: BaseException) -> argparse.Namespace:
    def handler(args: argparse.Namespace) -> int:
        raise exc

    return argparse.Namespace(handler=handler)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "message",
    [
        "no such table: supervision_ledgertask",
        'relation "supervision_ledgertask" does not exist',
        "no such column: connection_application.version",
    ],
)
def test_the_missing_schema_errors_of_sqlite_and_postgresql_are_recognised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], message: str
) -> None:
    from django.db import OperationalError, ProgrammingError

    for error in (OperationalError(message), ProgrammingError(message)):
        monkeypatch.setattr(
            cli.argparse.ArgumentParser, "parse_args", lambda *a, e=error: _raising(e)
        )
        assert cli.main([]) == 1
        assert capsys.readouterr().err == cli.NO_DATABASE_MESSAGE + "\n"


@pytest.mark.django_db
def test_other_database_errors_are_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    error = OperationalError("database is locked")
    monkeypatch.setattr(cli.argparse.ArgumentParser, "parse_args", lambda *a, e=error: _raising(e))
    with pytest.raises(OperationalError, match="locked"):
        cli.main([])
