"""Excel/CSV exports: the regulator's ledger view and the public disclosure (L29).

The public columns (PUBLIC_COLUMNS) carry no personal data: line and 台区 names, region, the
rule broken, status, measures and target dates.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from io import BytesIO, StringIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from getelec.outages.models import LedgerEntry, Level
from getelec.outages.services import rule_text

HEAD_FILL = PatternFill("solid", fgColor="DDE6F2")


def _region_name(e: LedgerEntry) -> str:
    parent = e.region.parent.name if e.region.parent_id and e.region.level == "county" else ""
    return f"{parent}{e.region.name}"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


PUBLIC_COLUMNS: list[tuple[str, Callable[[LedgerEntry], Any]]] = [
    ("年度", lambda e: e.year),
    ("类型", lambda e: e.get_level_display()),
    ("所属区域", _region_name),
    ("10千伏线路", lambda e: str(e.feeder)),
    ("台区", lambda e: str(e.district) if e.level == Level.DISTRICT else ""),
    ("超标情况", lambda e: rule_text(e.rule) if e.level == Level.DISTRICT else "问题线路"),
    ("状态", lambda e: e.get_status_display()),
    ("整改措施", lambda e: e.measures),
    ("计划完成日期", lambda e: _date(e.target_on)),
    ("整改完成日期", lambda e: _date(e.rectified_on)),
    ("销号日期", lambda e: _date(e.closed_on)),
]

REGULATOR_COLUMNS: list[tuple[str, Callable[[LedgerEntry], Any]]] = [
    ("台账编号", lambda e: e.number),
    ("供电企业", lambda e: e.company.name),
    *PUBLIC_COLUMNS[:6],
    ("年内停电次数", lambda e: e.count_year),
    ("连续60天最多", lambda e: e.max_count_60),
    ("识别日期", lambda e: _date(e.identified_on)),
    ("状态", lambda e: e.get_status_display()),
    ("整改措施", lambda e: e.measures),
    ("投资（万元）", lambda e: float(e.budget_wan) if e.budget_wan is not None else ""),
    ("责任班组", lambda e: e.responsible_team),
    ("计划完成日期", lambda e: _date(e.target_on)),
    ("整改完成日期", lambda e: _date(e.rectified_on)),
    ("核验日期", lambda e: _date(e.verified_on)),
    ("核验记录", lambda e: e.inspection_record),
    ("销号日期", lambda e: _date(e.closed_on)),
    ("重新打开次数", lambda e: e.reopened_count),
    ("重新打开原因", lambda e: e.reopen_reason),
]


def _xlsx(
    title: str, columns: Sequence[tuple[str, Callable[[LedgerEntry], Any]]], rows: Iterable
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([name for name, _ in columns])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for e in rows:
        ws.append([get(e) for _, get in columns])
    for i, (name, _) in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(name) * 3))
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def public_xlsx(rows: Iterable[LedgerEntry]) -> bytes:
    return _xlsx("频繁停电整治情况", PUBLIC_COLUMNS, rows)


def public_csv(rows: Iterable[LedgerEntry]) -> bytes:
    out = StringIO()
    w = csv.writer(out)
    w.writerow([name for name, _ in PUBLIC_COLUMNS])
    for e in rows:
        w.writerow([get(e) for _, get in PUBLIC_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def regulator_xlsx(rows: Iterable[LedgerEntry]) -> bytes:
    return _xlsx("频繁停电问题台账", REGULATOR_COLUMNS, rows)
