"""The plan's clauses as text, and whether a quote is really in the clause it names.

Pure (no Django). The plan ships at getelec/policy/source/plan.zh.txt (a PDF extraction: one
paragraph per line; the task table 附件2 as tab-prefixed cells). A clause's text:

- T1…T9: the numbered paragraph of 二、重点任务;
- S1…S3: the paragraphs of 保障措施, in order;
- A1: the title of 附件1 (the filing form; its columns are not in the text);
- L1…L53: the whole row of 附件2 — task, responsible units and deadline.

A quote matches when it is found in its clause verbatim except for whitespace; '…' (or '……')
marks an omission, and then each part must be found, in order.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PLAN_TEXT = Path(__file__).resolve().parent.parent / "policy" / "source" / "plan.zh.txt"

_TASKS_HEADING = "二、重点任务"
_MEASURES_HEADING = "保障措施"
_ANNEX1_TITLE = "电网改造升级无法满足接电时限用电项目备案表"
_LEDGER_HEADING = "深化提升“获得电力”服务水平工作任务台账"
# Cells of 附件2 that are not part of a row: the header repeated at page breaks, section titles.
_NOT_ROW_CELLS = {
    "序号",
    "工作任务",
    "责任单位",
    "完成时限",
    "综合类",
    "办电便捷化",
    "供电高质化",
    "用电绿色化",
    "服务普惠化",
    "监管协同化",
}
_TASK_LINE = re.compile(r"^([1-9])\.")
_WHITESPACE = re.compile(r"\s+")
_OMISSION = re.compile(r"…+|\.\.\.+")


class PlanTextError(ValueError):
    """The plan's text does not have the expected shape."""


def parse_clauses(text: str) -> dict[str, str]:
    """Clause id → its text, for every clause of the plan."""
    clauses: dict[str, str] = {}
    if _TASKS_HEADING not in text or _MEASURES_HEADING not in text:
        raise PlanTextError(f"missing {_TASKS_HEADING} or {_MEASURES_HEADING}")
    tasks, rest = text.split(_TASKS_HEADING, 1)[1].split(_MEASURES_HEADING, 1)
    for line in tasks.splitlines():
        match = _TASK_LINE.match(line.strip())
        if match:
            clauses[f"T{match.group(1)}"] = line.strip()
    measures = rest.split("附件：", 1)[0]
    for number, paragraph in enumerate((p.strip() for p in measures.splitlines() if p.strip()), 1):
        clauses[f"S{number}"] = paragraph
    if _ANNEX1_TITLE not in rest:
        raise PlanTextError("missing the title of 附件1")
    clauses["A1"] = _ANNEX1_TITLE
    if _LEDGER_HEADING not in rest:
        raise PlanTextError(f"missing the task table {_LEDGER_HEADING}")
    ledger = text.rsplit(_LEDGER_HEADING, 1)[1]
    rows: dict[int, list[str]] = {}
    current = 0
    for line in ledger.splitlines():
        cell = line.strip()
        if not line.startswith("\t") or not cell or cell in _NOT_ROW_CELLS:
            continue
        if cell == str(current + 1):
            current += 1
            rows[current] = []
        elif current:
            rows[current].append(cell)
    for number, cells in rows.items():
        clauses[f"L{number}"] = "\n".join(cells)
    expected = (
        [f"T{n}" for n in range(1, 10)]
        + [f"S{n}" for n in range(1, 4)]
        + ["A1"]
        + [f"L{n}" for n in range(1, 54)]
    )
    if sorted(clauses) != sorted(expected):
        missing = sorted(set(expected) - set(clauses))
        extra = sorted(set(clauses) - set(expected))
        raise PlanTextError(f"clauses missing {missing}, unexpected {extra}")
    return clauses


@cache
def plan_clauses() -> dict[str, str]:
    """The shipped plan's clauses (read once per process)."""
    return parse_clauses(PLAN_TEXT.read_text(encoding="utf-8"))


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub("", text)


def quote_in(quote: str, text: str) -> bool:
    """True when `quote` is in `text` verbatim except for whitespace; '…' marks an omission
    (each part found, in order)."""
    parts = [_squeeze(p) for p in _OMISSION.split(quote)]
    haystack = _squeeze(text)
    if not any(parts):
        return False
    position = 0
    for part in parts:
        if not part:
            continue
        found = haystack.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True
