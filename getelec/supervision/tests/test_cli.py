"""`getelec ledger ...` and `getelec filings ...`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from getelec.cli import main

pytestmark = pytest.mark.usefixtures("frozen")


def test_ledger_load_then_export_writes_the_annex_2_layout(
    orgs: Any, tmp_path: Path, capsys: Any
) -> None:
    assert main(["ledger", "load"]) == 0
    assert main(["ledger", "load"]) == 0  # idempotent
    assert "tasks created 0" in capsys.readouterr().out.splitlines()[-1]
    out = tmp_path / "ledger.xlsx"
    assert main(["ledger", "export", "--out", str(out)]) == 0
    ws = load_workbook(out).active
    assert sum(isinstance(r[0].value, int) for r in ws.iter_rows()) == 53


def test_bad_arguments_exit_2_naming_the_option(orgs: Any, tmp_path: Path, capsys: Any) -> None:
    assert main(["ledger", "export", "--out", str(tmp_path / "x.csv")]) == 2
    assert "--out" in capsys.readouterr().err
    assert (
        main(
            [
                "filings",
                "batch",
                "--company",
                "nobody",
                "--month",
                "2026-10",
                "--out",
                str(tmp_path / "b.xlsx"),
            ]
        )
        == 2
    )
    assert "--company" in capsys.readouterr().err
    assert (
        main(
            [
                "filings",
                "batch",
                "--company",
                "1",
                "--month",
                "10/2026",
                "--out",
                str(tmp_path / "b.xlsx"),
            ]
        )
        == 2
    )
    assert "--month" in capsys.readouterr().err


def test_filings_check_reports_unfiled_overdue_for_cron(
    make_application: Any, tmp_path: Path, capsys: Any, orgs: Any
) -> None:
    assert main(["filings", "check"]) == 0
    app = make_application()  # due 22 Sep, still open, no filing
    assert main(["filings", "check"]) == 1
    assert f"unfiled\t国网银川供电公司\t{app.number}" in capsys.readouterr().out
    out = tmp_path / "batch.xlsx"
    assert (
        main(
            [
                "filings",
                "batch",
                "--company",
                "国网银川供电公司",
                "--month",
                "2026-10",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert load_workbook(out).sheetnames == ["报送汇总"]
