"""Excel/CSV exports: the regulator's ledger view and the public disclosure (L29).

The public columns (PUBLIC_COLUMNS) carry no personal data: line and 台区 names, region, the
rule broken, status, measures and target dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from getelec.core.exports import csv_bytes, workbook_bytes
from getelec.outages.labels import entry_rule_text, rule_values
from getelec.outages.models import LedgerEntry, Level

HEAD_FILL = PatternFill("solid", fgColor="DDE6F2")


def _region_name(e: LedgerEntry) -> str:
    parent = e.region.parent.name if e.region.parent_id and e.region.level == "county" else ""
    return f"{parent}{e.region.name}"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _rule(e: LedgerEntry) -> str:
    return entry_rule_text(e) if e.level == Level.DISTRICT else _("问题线路")


def _budget(e: LedgerEntry) -> float | str:
    return float(e.budget_wan) if e.budget_wan is not None else ""


PUBLIC_COLUMNS: list[tuple[Any, Callable[[LedgerEntry], Any]]] = [
    (gettext_lazy("年度"), lambda e: e.year),
    (gettext_lazy("类型"), lambda e: e.get_level_display()),
    (gettext_lazy("所属区域"), _region_name),
    (gettext_lazy("10千伏线路"), lambda e: str(e.feeder)),
    (gettext_lazy("台区"), lambda e: str(e.district) if e.level == Level.DISTRICT else ""),
    (gettext_lazy("超标情况"), _rule),
    (gettext_lazy("状态"), lambda e: e.get_status_display()),
    (gettext_lazy("整改措施"), lambda e: e.measures),
    (gettext_lazy("计划完成日期"), lambda e: _date(e.target_on)),
    (gettext_lazy("整改完成日期"), lambda e: _date(e.rectified_on)),
    (gettext_lazy("销号日期"), lambda e: _date(e.closed_on)),
]

REGULATOR_COLUMNS: list[tuple[Any, Callable[[LedgerEntry], Any]]] = [
    (gettext_lazy("台账编号"), lambda e: e.number),
    (gettext_lazy("供电企业"), lambda e: e.company.name),
    *PUBLIC_COLUMNS[:6],
    (gettext_lazy("年内停电次数"), lambda e: e.count_year),
    (gettext_lazy("连续%(outage_window_days)s天最多"), lambda e: e.max_count_window),
    (gettext_lazy("窗口天数"), lambda e: e.window_days),
    (gettext_lazy("识别日期"), lambda e: _date(e.identified_on)),
    (gettext_lazy("状态"), lambda e: e.get_status_display()),
    (gettext_lazy("整改措施"), lambda e: e.measures),
    (gettext_lazy("投资（万元）"), _budget),
    (gettext_lazy("责任班组"), lambda e: e.responsible_team),
    (gettext_lazy("计划完成日期"), lambda e: _date(e.target_on)),
    (gettext_lazy("整改完成日期"), lambda e: _date(e.rectified_on)),
    (gettext_lazy("核验日期"), lambda e: _date(e.verified_on)),
    (gettext_lazy("核验记录"), lambda e: e.inspection_record),
    (gettext_lazy("销号日期"), lambda e: _date(e.closed_on)),
    (gettext_lazy("重新打开次数"), lambda e: e.reopened_count),
    (gettext_lazy("重新打开原因"), lambda e: e.reopen_reason),
]


Columns = Sequence[tuple[Any, Callable[[LedgerEntry], Any]]]


def headers(columns: Columns) -> list[str]:
    """Translated column names, with the L28 limits in force filled in."""
    values = rule_values()
    return [str(name) % values if "%(" in str(name) else str(name) for name, _get in columns]


def _xlsx(title: str, columns: Columns, rows: Iterable) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = str(title)[:31]
    names = headers(columns)
    ws.append(names)
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for e in rows:
        ws.append([get(e) for _name, get in columns])
    for i, name in enumerate(names, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(name) * 3))
    ws.freeze_panes = "A2"
    return workbook_bytes(wb)  # every text cell neutralised (formula injection)


def public_xlsx(rows: Iterable[LedgerEntry]) -> bytes:
    return _xlsx(_("频繁停电整治情况"), PUBLIC_COLUMNS, rows)


def public_csv(rows: Iterable[LedgerEntry]) -> bytes:
    return csv_bytes(
        headers(PUBLIC_COLUMNS), ([get(e) for _name, get in PUBLIC_COLUMNS] for e in rows)
    )


def regulator_xlsx(rows: Iterable[LedgerEntry]) -> bytes:
    return _xlsx(_("频繁停电问题台账"), REGULATOR_COLUMNS, rows)
