"""Supervision deadlines and states as pure functions (no Django, no database).

Numbers come from policy data (``getelec/policy/supervision.yaml``) and are passed in; working
days come from a WorkCalendar. A deadline in a year whose schedule is not loaded is an explicit
PENDING state, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from getelec.core.schedule import workday_schedule
from getelec.core.workdays import WorkCalendar, pending_text


def gettext_noop(message: str) -> str:
    """Marks a label for the translation catalog (makemessages extracts gettext_noop) while
    keeping this module free of Django; callers translate with gettext at display time."""
    return message


# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = re.fullmatch(r"(\d{4})Q([1-4])", text)
        if not match:
            raise ValueError(f"quarter must look like 2026Q1, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return next_quarter(self).first_day - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.q}季度"


def next_quarter(q: Quarter) -> Quarter:
    return Quarter(q.year + 1, 1) if q.q == 4 else Quarter(q.year, q.q + 1)


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    out, q = [], first
    while q <= last:
        out.append(q)
        q = next_quarter(q)
    return out


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A date, or pending on a calendar year not loaded yet."""

    on: dt.date | None
    pending_year: int | None = None

    @property
    def pending(self) -> bool:
        return self.on is None

    @property
    def pending_text(self) -> str:
        return pending_text(self.pending_year)


def workday_deadline(calendar: WorkCalendar, after: dt.date, n: int) -> Deadline:
    """The end of the Nth working day after `after` (which itself does not count): a
    single-deadline clock of the one working-day schedule (getelec.core.schedule)."""
    dates = workday_schedule(after, [], n, calendar)
    return Deadline(dates.due_on, dates.pending_year)


def quarterly_report_deadline(calendar: WorkCalendar, quarter: Quarter, due_wd: int) -> Deadline:
    """Ongoing ledger tasks: report by the Nth working day after the quarter ends."""
    return workday_deadline(calendar, quarter.last_day, due_wd)


def batch_deadline(calendar: WorkCalendar, month: dt.date, due_wd: int) -> Deadline:
    """Monthly filing batch: by the Nth working day of the next month."""
    return workday_deadline(calendar, month_end(month), due_wd)


# --------------------------------------------------------------------------------------------
# Ledger states
# --------------------------------------------------------------------------------------------


class LedgerState(StrEnum):
    DONE = "done"  # dated task completed (accepted) on time
    DONE_LATE = "done_late"  # dated task completed after its deadline
    IN_PROGRESS = "in_progress"  # not due yet
    UNDER_REVIEW = "under_review"  # submitted in time, awaiting the regulator
    OVERDUE = "overdue"
    PENDING_CALENDAR = "pending_calendar"  # a deadline falls in a year not loaded
    REPORTED = "reported"  # ongoing: every quarter due so far has an accepted report
    REPORTED_LATE = "reported_late"  # ongoing: accepted, but submitted after the deadline


LEDGER_STATE_LABELS = {
    LedgerState.DONE: gettext_noop("已完成"),
    LedgerState.DONE_LATE: gettext_noop("逾期完成"),
    LedgerState.IN_PROGRESS: gettext_noop("推进中"),
    LedgerState.UNDER_REVIEW: gettext_noop("待审核"),
    LedgerState.OVERDUE: gettext_noop("逾期"),
    LedgerState.PENDING_CALENDAR: gettext_noop("待节假日安排导入"),
    LedgerState.REPORTED: gettext_noop("按期报告"),
    LedgerState.REPORTED_LATE: gettext_noop("补报"),
}
# Worst first: a row's state is the worst of its units' states.
_SEVERITY = [
    LedgerState.OVERDUE,
    LedgerState.PENDING_CALENDAR,
    LedgerState.UNDER_REVIEW,
    LedgerState.IN_PROGRESS,
    LedgerState.DONE_LATE,
    LedgerState.REPORTED_LATE,
    LedgerState.REPORTED,
    LedgerState.DONE,
]


def worst(states: Iterable[LedgerState]) -> LedgerState:
    present = set(states)
    for state in _SEVERITY:
        if state in present:
            return state
    return LedgerState.IN_PROGRESS


@dataclass(frozen=True)
class ReportFact:
    """What the rules need of one progress report."""

    quarter: Quarter
    submitted_on: dt.date
    review: str  # pending / accepted / returned
    completed: bool = False  # the unit says the (dated) task is done


def dated_state(due_on: dt.date, reports: Iterable[ReportFact], today: dt.date) -> LedgerState:
    """A dated task (e.g. 2025年底前): done when a completion report is accepted; overdue when
    not done by its deadline. A completion report submitted by the deadline and still awaiting
    review is not the unit's delay."""
    completions = [r for r in reports if r.completed and r.review != "returned"]
    accepted = sorted(r.submitted_on for r in completions if r.review == "accepted")
    if accepted:
        return LedgerState.DONE if accepted[0] <= due_on else LedgerState.DONE_LATE
    pending = [r for r in completions if r.review == "pending"]
    if pending and (today <= due_on or min(r.submitted_on for r in pending) <= due_on):
        return LedgerState.UNDER_REVIEW
    return LedgerState.OVERDUE if today > due_on else LedgerState.IN_PROGRESS


@dataclass(frozen=True)
class QuarterState:
    quarter: Quarter
    deadline: Deadline
    state: LedgerState


def quarter_state(
    quarter: Quarter, deadline: Deadline, reports: Iterable[ReportFact], today: dt.date
) -> LedgerState:
    """One quarter of an ongoing task.

    Overdue when there is no accepted report by the deadline (the Nth working day after the
    quarter ends). A report submitted by the deadline counts from its submission date once it
    is accepted (acceptance timing is the regulator's); while it awaits review the quarter is
    UNDER_REVIEW; a returned report leaves the quarter overdue after the deadline until an
    accepted one arrives (then REPORTED_LATE).
    """
    mine = [r for r in reports if r.quarter == quarter]
    if deadline.pending:
        if any(r.review == "accepted" for r in mine):
            return LedgerState.REPORTED
        return LedgerState.PENDING_CALENDAR
    if deadline.on is None:
        raise ValueError(f"quarter {quarter}: a deadline that is not pending needs its date")
    accepted = sorted(r.submitted_on for r in mine if r.review == "accepted")
    if accepted:
        return LedgerState.REPORTED if accepted[0] <= deadline.on else LedgerState.REPORTED_LATE
    pending = [r for r in mine if r.review == "pending"]
    if pending and (today <= deadline.on or min(r.submitted_on for r in pending) <= deadline.on):
        return LedgerState.UNDER_REVIEW
    if today > deadline.on:
        return LedgerState.OVERDUE
    return LedgerState.IN_PROGRESS


def ongoing_quarters(
    calendar: WorkCalendar,
    start: Quarter,
    reports: Iterable[ReportFact],
    today: dt.date,
    due_wd: int,
) -> list[QuarterState]:
    """Every quarter from `start` that has ended by `today`, with its state."""
    reports = list(reports)
    last_ended = Quarter.of(today)
    last_ended = (
        Quarter(last_ended.year - 1, 4)
        if last_ended.q == 1
        else Quarter(last_ended.year, last_ended.q - 1)
    )
    out = []
    for q in quarters_between(start, last_ended):
        deadline = quarterly_report_deadline(calendar, q, due_wd)
        out.append(QuarterState(q, deadline, quarter_state(q, deadline, reports, today)))
    return out


def ongoing_state(quarters: list[QuarterState]) -> LedgerState:
    if not quarters:
        return LedgerState.IN_PROGRESS
    return worst(qs.state for qs in quarters)


# --------------------------------------------------------------------------------------------
# Filings
# --------------------------------------------------------------------------------------------


class FilingOutcome(StrEnum):
    OPEN = "open"  # still waiting; committed date not passed
    FOLLOW_UP = "follow_up"  # committed date passed without connection: flagged
    KEPT = "kept"  # connected by the committed date (filed-and-kept, not "on time")
    MISSED = "missed"  # connected after the committed date: counts as overdue
    CANCELLED = "cancelled"


FILING_OUTCOME_LABELS = {
    FilingOutcome.OPEN: gettext_noop("跟踪中"),
    FilingOutcome.FOLLOW_UP: gettext_noop("超过承诺日期未接电"),
    FilingOutcome.KEPT: gettext_noop("已按承诺日期接电"),
    FilingOutcome.MISSED: gettext_noop("超过承诺日期接电"),
    FilingOutcome.CANCELLED: gettext_noop("申请已撤销"),
}


def filing_outcome(
    committed_on: dt.date, completed_on: dt.date | None, cancelled: bool, today: dt.date
) -> FilingOutcome:
    if completed_on is not None:
        return FilingOutcome.KEPT if completed_on <= committed_on else FilingOutcome.MISSED
    if cancelled:
        return FilingOutcome.CANCELLED
    return FilingOutcome.FOLLOW_UP if today > committed_on else FilingOutcome.OPEN
