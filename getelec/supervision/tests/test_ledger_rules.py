"""Ledger states as tables (pure: no database). 2026 on the shipped official calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from getelec.core.workdays import shipped_calendar
from getelec.supervision.rules import (
    Deadline,
    LedgerState,
    Quarter,
    ReportFact,
    batch_deadline,
    dated_state,
    ongoing_quarters,
    quarter_state,
    quarterly_report_deadline,
)

pytestmark = pytest.mark.pure
D = dt.date
Q3 = Quarter(2026, 3)
# Q3 2026 ends 30 Sep; 1–7 Oct are the National Day holiday, Sat 10 Oct is a make-up working
# day: the 10th working day after the quarter is Tue 20 Oct 2026.
Q3_DEADLINE = D(2026, 10, 20)
DUE_WD = 10  # ledger_quarterly_report_due_wd (policy/supervision.yaml)


@pytest.mark.parametrize(
    ("quarter", "deadline"),
    [
        (Quarter(2026, 1), D(2026, 4, 15)),  # 4–6 Apr off (清明)
        (Quarter(2026, 2), D(2026, 7, 14)),
        (Q3, Q3_DEADLINE),
        (Quarter(2025, 4), D(2026, 1, 15)),  # 1–3 Jan off, Sun 4 Jan make-up day
    ],
)
def test_the_quarterly_deadline_is_the_10th_working_day_after_the_quarter(
    quarter: Quarter, deadline: dt.date
) -> None:
    assert quarterly_report_deadline(shipped_calendar(), quarter, DUE_WD) == Deadline(deadline)


def test_a_deadline_in_a_year_not_loaded_is_pending_never_guessed() -> None:
    deadline = quarterly_report_deadline(shipped_calendar(), Quarter(2026, 4), DUE_WD)
    assert deadline.pending and deadline.pending_year == 2027
    assert deadline.pending_text == "待2027年节假日安排导入后计算"


def r(submitted: dt.date, review: str, quarter: Quarter = Q3, done: bool = False) -> ReportFact:
    return ReportFact(quarter, submitted, review, done)


# L50-style ongoing task (持续推进), judged for Q3 2026; deadline 2026-10-20.
@pytest.mark.parametrize(
    ("case", "reports", "today", "state"),
    [
        ("no report, before the deadline", [], D(2026, 10, 20), LedgerState.IN_PROGRESS),
        ("no report, the day after the deadline", [], D(2026, 10, 21), LedgerState.OVERDUE),
        (
            "accepted, submitted in time",
            [r(D(2026, 10, 9), "accepted")],
            D(2026, 11, 26),
            LedgerState.REPORTED,
        ),
        (
            "accepted, submitted on the deadline",
            [r(Q3_DEADLINE, "accepted")],
            D(2026, 11, 26),
            LedgerState.REPORTED,
        ),
        (
            "submitted in time, still awaiting review",
            [r(D(2026, 10, 19), "pending")],
            D(2026, 11, 26),
            LedgerState.UNDER_REVIEW,
        ),
        (
            "submitted late, awaiting review",
            [r(D(2026, 10, 21), "pending")],
            D(2026, 11, 26),
            LedgerState.OVERDUE,
        ),
        (
            "returned, nothing accepted after the deadline",
            [r(D(2026, 10, 9), "returned")],
            D(2026, 11, 26),
            LedgerState.OVERDUE,
        ),
        (
            "returned, resubmitted late and accepted",
            [r(D(2026, 10, 9), "returned"), r(D(2026, 10, 30), "accepted")],
            D(2026, 11, 26),
            LedgerState.REPORTED_LATE,
        ),
        (
            "report for another quarter does not count",
            [r(D(2026, 10, 9), "accepted", Quarter(2026, 2))],
            D(2026, 11, 26),
            LedgerState.OVERDUE,
        ),
    ],
)
def test_quarter_state(
    case: str, reports: list[ReportFact], today: dt.date, state: LedgerState
) -> None:
    assert quarter_state(Q3, Deadline(Q3_DEADLINE), reports, today) == state, case


def test_every_ended_quarter_from_the_start_is_judged() -> None:
    reports = [
        r(D(2026, 4, 10), "accepted", Quarter(2026, 1)),
        r(D(2026, 7, 10), "accepted", Quarter(2026, 2)),
    ]
    states = ongoing_quarters(
        shipped_calendar(), Quarter(2026, 1), reports, D(2026, 11, 26), DUE_WD
    )
    assert [(str(q.quarter), q.state) for q in states] == [
        ("2026Q1", LedgerState.REPORTED),
        ("2026Q2", LedgerState.REPORTED),
        ("2026Q3", LedgerState.OVERDUE),
    ]


def test_the_last_quarter_of_2026_waits_for_the_2027_calendar() -> None:
    states = ongoing_quarters(shipped_calendar(), Quarter(2026, 4), [], D(2027, 1, 20), DUE_WD)
    assert [(str(q.quarter), q.state) for q in states] == [("2026Q4", LedgerState.PENDING_CALENDAR)]


# Dated task, e.g. 2025年底前 → 2025-12-31.
DUE = D(2025, 12, 31)


@pytest.mark.parametrize(
    ("case", "reports", "today", "state"),
    [
        (
            "progress only, before the deadline",
            [r(D(2025, 10, 1), "accepted")],
            D(2025, 12, 1),
            LedgerState.IN_PROGRESS,
        ),
        (
            "not done by the deadline",
            [r(D(2025, 10, 1), "accepted")],
            D(2026, 1, 1),
            LedgerState.OVERDUE,
        ),
        (
            "completion accepted in time",
            [r(D(2025, 12, 20), "accepted", done=True)],
            D(2026, 11, 26),
            LedgerState.DONE,
        ),
        (
            "completion accepted, submitted after the deadline",
            [r(D(2026, 2, 1), "accepted", done=True)],
            D(2026, 11, 26),
            LedgerState.DONE_LATE,
        ),
        (
            "completion submitted in time, awaiting review",
            [r(D(2025, 12, 30), "pending", done=True)],
            D(2026, 1, 5),
            LedgerState.UNDER_REVIEW,
        ),
        (
            "completion returned",
            [r(D(2025, 12, 30), "returned", done=True)],
            D(2026, 1, 5),
            LedgerState.OVERDUE,
        ),
    ],
)
def test_dated_state(
    case: str, reports: list[ReportFact], today: dt.date, state: LedgerState
) -> None:
    assert dated_state(DUE, reports, today) == state, case


@pytest.mark.parametrize(
    ("month", "deadline"),
    [
        (D(2026, 9, 1), D(2026, 10, 13)),  # 1–7 Oct off; Sat 10 Oct is a make-up working day
        (D(2026, 10, 1), D(2026, 11, 6)),
        (D(2026, 4, 1), D(2026, 5, 11)),  # 1–5 May off, Sat 9 May make-up
    ],
)
def test_the_monthly_batch_is_due_on_the_5th_working_day_of_the_next_month(
    month: dt.date, deadline: dt.date
) -> None:
    assert batch_deadline(shipped_calendar(), month, 5).on == deadline


def test_the_december_batch_waits_for_the_next_years_calendar() -> None:
    assert batch_deadline(shipped_calendar(), D(2026, 12, 1), 5).pending_year == 2027
