"""Excel (.xlsx) exports: the ledger in the layout of 附件2, a monthly batch as filled-in
forms A1, and the dashboard tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from getelec.core.exports import workbook_bytes
from getelec.supervision.models import MonthlyBatch
from getelec.supervision.selectors import (
    TaskStatus,
    batch_deadline_of,
    batch_rows,
    ledger_by_section,
)

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F2")
SECTION_FILL = PatternFill("solid", fgColor="F0F0F0")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

LEDGER_TITLE = "深化提升“获得电力”服务水平工作任务台账"
LEDGER_HEADER = ("序号", "工作任务", "责任单位", "完成时限", "完成时限（日期）", "状态", "最新进展")


def _save(wb: Workbook) -> bytes:
    return workbook_bytes(wb)  # every text cell neutralised (formula injection)


def _latest_text(status: TaskStatus) -> str:
    report = status.latest
    if report is None:
        return ""
    return (
        f"{report.submitted_on:%Y-%m-%d} {report.assignment.organisation.name}"
        f"（{report.period_label}，{report.get_review_display()}）：{report.text}"
    )


def ledger_xlsx(statuses: list[TaskStatus], today: dt.date) -> bytes:
    """附件2's layout: title, header, then per section a section row and its task rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "工作任务台账"
    ws.append([LEDGER_TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(LEDGER_HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = CENTER
    ws.append([f"导出日期：{today:%Y-%m-%d}"])
    ws.append(list(LEDGER_HEADER))
    for cell in ws[3]:
        cell.font, cell.fill, cell.border, cell.alignment = (
            Font(bold=True),
            HEAD_FILL,
            BORDER,
            CENTER,
        )
    for _code, title, rows in ledger_by_section(statuses):
        ws.append([title])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(LEDGER_HEADER))
        ws.cell(r, 1).font, ws.cell(r, 1).fill = Font(bold=True), SECTION_FILL
        for status in rows:
            task = status.task
            ws.append(
                [
                    task.number,
                    task.text,
                    task.units_text,
                    task.deadline_text,
                    task.due_on if task.due_on else "持续推进（按季度报告）",
                    status.label,
                    _latest_text(status),
                ]
            )
            r = ws.max_row
            for cell in ws[r]:
                cell.border, cell.alignment = BORDER, WRAP
            if task.due_on:
                ws.cell(r, 5).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFG", (6, 60, 24, 12, 16, 12, 50), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    return _save(wb)


A1_TITLE = "电网改造升级无法满足接电时限用电项目备案表"
A1_FIELDS: list[tuple[str, str]] = [
    ("application", "申请编号"),
    ("project_name", "项目名称"),
    ("customer_name", "用户名称"),
    ("address", "用电地址"),
    ("region_name", "所在县（市、区）"),
    ("category_label", "办电类别"),
    ("capacity_kw", "报装容量（千瓦）"),
    ("applied_on", "受理（申请）日期"),
    ("statutory_limit_wd", "规定时限（工作日）"),
    ("statutory_due_on", "规定接电时限到期日"),
    ("cause_label", "无法满足时限的原因"),
    ("cause_detail", "原因说明"),
    ("upgrade_project", "配套电网工程（审批事项）名称"),
    ("committed_on", "承诺完成（接电）日期"),
    ("measures", "已采取措施"),
    ("customer_informed_on", "告知用户日期"),
    ("customer_informed_how", "告知方式"),
    ("late_reason", "逾期备案说明"),
    ("contact", "填报人及联系电话"),
    ("revision", "版本"),
    ("reason", "修订原因"),
    ("submitted_on", "本版本报送日期"),
    ("change_label", "本月变动"),
    ("status_label", "月末状态"),
    ("completed_on", "接电日期"),
]


def batch_xlsx_preview(batch: MonthlyBatch) -> bytes:
    """An unsaved batch (not submitted yet), marked as a preview."""
    from getelec.supervision.services import REGULATOR_NAMES

    return batch_xlsx(batch, list(REGULATOR_NAMES), preview=True)


def batch_xlsx(
    batch: MonthlyBatch,
    recipient_names: Sequence[str] | None = None,
    preview: bool = False,
) -> bytes:
    """A cover sheet (recipients, month, due date, summary table) and one filled-in form A1 per
    filing, as submitted (personal data masked: the workbook goes to the regulators). The
    recipients are the two region regulators (T2); nobody is copied."""
    rows = batch_rows(batch)
    wb = Workbook()
    cover = wb.active
    cover.title = "报送汇总"
    mark = "（预览，尚未报送）" if preview else ""
    cover.append([f"{A1_TITLE}（{batch.month:%Y年%m月}月度报送）{mark}"])
    cover["A1"].font = Font(bold=True, size=14)
    if recipient_names is None:
        recipient_names = [o.name for o in batch.recipients.all()]
    recipients = "、".join(recipient_names)
    deadline = batch_deadline_of(batch)
    with translation.override("zh-hans"):  # the regulators' form is in Chinese
        due = f"{deadline.on:%Y-%m-%d}" if deadline.on else deadline.pending_text
    for label, value in (
        ("报送单位", batch.company.name),
        ("报送至", recipients),
        ("所属月份", f"{batch.month:%Y-%m}"),
        ("报送截止日", due),
        ("报送日期", "—" if preview else f"{batch.submitted_on:%Y-%m-%d}"),
        ("是否逾期报送", "—" if preview else ("是" if batch.late else "否")),
        ("备案件数", len(rows)),
    ):
        cover.append([label, value])
    cover.append([])
    header = ["申请编号", "项目名称", "原因", "承诺完成日期", "本月变动", "月末状态"]
    cover.append(header)
    for cell in cover[cover.max_row]:
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BORDER
    for row in rows:
        cover.append(
            [
                row["application"],
                row["project_name"],
                row["cause_label"],
                row["committed_on"],
                row["change_label"],
                row["status_label"],
            ]
        )
        for cell in cover[cover.max_row]:
            cell.border = BORDER
    for col, width in zip("ABCDEF", (18, 40, 26, 14, 12, 18), strict=True):
        cover.column_dimensions[col].width = width

    for i, row in enumerate(rows, start=1):
        ws = wb.create_sheet(f"{i}-{row['application']}"[:31])
        ws.append([A1_TITLE])
        ws.merge_cells("A1:B1")
        ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=13), CENTER
        ws.append(["填报单位", batch.company.name])
        for key, label in A1_FIELDS:
            entry = row.get(key)
            ws.append([label, "" if entry is None else entry])
        for r in ws.iter_rows(min_row=2):
            r[0].font, r[0].fill = Font(bold=True), HEAD_FILL
            for cell in r:
                cell.border, cell.alignment = BORDER, WRAP
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 70
    return _save(wb)


def table_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """Plain tables, one per sheet (the dashboard export)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(header))
        for cell in ws[1]:
            cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BORDER
        for row in rows:
            ws.append(list(row))
        for i, _h in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = 18
    return _save(wb)
