"""The one way out for spreadsheets: every .xlsx and .csv the platform writes goes through here.

Text typed by staff (measures, progress reports, project names) ends up in exports read by
regulators and, for the disclosure (L29), by anybody. A cell whose text starts with `=`, `+`,
`-` or `@` (or a tab or carriage return, which some spreadsheet programs skip before reading
one of those) is taken as a formula when the file is opened (CSV injection, OWASP). Such text
is written with a leading single quote so that it stays text. Only text is touched: numbers,
dates and booleans keep their type, so a negative number is still a number.

Pure: no Django import.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from io import BytesIO, StringIO
from typing import Any

from openpyxl import Workbook

# OWASP "CSV Injection": characters that make a cell a formula (or lead to one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Leading characters an import may trim before it looks for a formula (LibreOffice's "trim
# spaces" option, a line feed): a trigger behind them is a trigger too.
TRIMMED = " \n\u3000\xa0"


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.lstrip(TRIMMED).startswith(FORMULA_TRIGGERS)


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading single quote; any other
    value is returned unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


def workbook_bytes(wb: Workbook) -> bytes:
    """Save a workbook after neutralising every text cell of every sheet (whatever way the
    cell was written: append, cell(), or assignment)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if is_formula_like(value):
                    cell.value = "'" + value
                    cell.data_type = "s"  # openpyxl typed a leading "=" as a formula
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], bom: bool = True) -> bytes:
    """UTF-8 CSV (with a BOM by default, so that Excel opens it as UTF-8), every text cell
    neutralised."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(v) for v in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")
