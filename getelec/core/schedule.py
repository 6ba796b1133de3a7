"""The working-day schedule: the one computation behind every working-day clock.

`workday_schedule` turns an event date (an application's acceptance, a quarter's or a month's
end), the ordered stage limits, the overall limit and the pauses into the due date of every stage
and the overall due date, on the official calendar (statutory holidays and the weekend make-up
working days, 调休上班, of `getelec.core.workdays`). The core's `assess.schedule`, the connection
services (submission, resume, the recompute after a calendar import or replacement), the demo
generators and the supervision deadlines all call it; no other module adds working days to a
date to find a due date.

Rules (policy: T2/L3 time limits counted in working days; T1 pauses for customer reasons,
客户原因暂停计时):
- The day of the event does not count; N working days end with the Nth working day after it
  (PRC Civil Code art. 201; Administrative Licensing Law art. 82).
- Stage k is due at the end of working day min(l1+…+lk, overall limit) + paused days; the
  overall due date at the end of working day (overall limit + paused days).
- A closed pause shifts a stage when it started before that stage was completed (pauses only
  happen while a stage is open) and always shifts the overall due date. An open pause shifts
  nothing until it ends. A pause known only by its length (no dates) shifts every stage.
- A pause's working days are those d with started_on < d <= ended_on. A length already counted
  is kept, except for a pause that touches `recount_year` (that year's schedule was replaced).
- A date the loaded calendar does not reach is None, and the result carries the first year not
  loaded (`pending_year`): it is stored and recomputed when that year is imported. Known dates
  are never hidden by one that is not.

Stages each on their own clock (`each_on_own_clock`; policy: T2 for charging facilities, "供电企业
各责任环节办理时限分别不超过1个、3个、2个工作日" — one limit per stage, no total):
- Stage k starts on the day stage k-1 was completed (stage 1 on the event date) and is due at
  the end of working day lk + its paused days after its start. A stage whose predecessor is still
  open is projected from the predecessor's due date (shown, recomputed when it completes).
- A closed pause belongs to the stage open when it started: the first stage not completed by
  then (completed_on > started_on, or still open). A pause known only by its length belongs to
  the first stage not completed. The overall limit is not a limit of the plan here.
- A stage is late when it was completed after its own due date, whatever the others did.
- The overall due date is the governing stage's: the first open stage's (the current one); once
  every stage is completed, the first late stage's, else the last stage's. So "completed after
  the due date" means "some stage was late" and "open past the due date" means "the current
  stage is past its limit", for every report that compares the two.
- A later stage's date not computable yet does not hide the overall date (`pending_year` stays
  None, `stage_pending_year` names the year); it is recomputed when the previous stage is
  completed.

Pure: no Django import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from getelec.core.workdays import CalendarYearNotLoaded, WorkCalendar, pending_text

__all__ = [
    "PauseSpan",
    "StageSpan",
    "WorkdaySchedule",
    "pending_text",
    "workday_schedule",
]


@dataclass(frozen=True)
class StageSpan:
    """One stage of a clock: its own limit and, once done, the day it was completed."""

    limit_wd: int
    completed_on: dt.date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.limit_wd, bool) or not isinstance(self.limit_wd, int):
            raise TypeError("limit_wd must be a whole number of working days")
        if self.limit_wd < 0:
            raise ValueError("limit_wd must be >= 0")


@dataclass(frozen=True)
class PauseSpan:
    """A pause of the clock (T1: only the customer's reasons stop it).

    `started_on`/`ended_on`: its dates (`ended_on` None: still running). `paused_wd`: working
    days already counted (None: count them from the dates). A pause with no dates is known only
    by its length (`PauseSpan.of_length`): it shifts every stage.
    """

    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    paused_wd: int | None = None

    def __post_init__(self) -> None:
        if self.paused_wd is not None and self.paused_wd < 0:
            raise ValueError("paused_wd must be >= 0")
        if self.started_on is None:
            if self.ended_on is not None or self.paused_wd is None:
                raise ValueError("a pause without a start date needs its length and no end")
        elif self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError("a pause cannot end before it starts")

    @classmethod
    def of_length(cls, paused_wd: int) -> PauseSpan:
        return cls(paused_wd=paused_wd)

    @property
    def closed(self) -> bool:
        return self.started_on is None or self.ended_on is not None

    def shifts(self, completed_on: dt.date | None) -> bool:
        """Whether this (closed) pause shifts a stage completed on `completed_on` (None: open)."""
        return self.started_on is None or completed_on is None or self.started_on < completed_on

    def touches(self, year: int | None) -> bool:
        if year is None or self.started_on is None or self.ended_on is None:
            return False
        return self.started_on.year <= year <= self.ended_on.year


@dataclass(frozen=True)
class WorkdaySchedule:
    """Due dates of one clock. None: not computable on the loaded calendar yet."""

    stage_due: tuple[dt.date | None, ...]  # in the order of the stages given
    due_on: dt.date | None
    pending_year: int | None  # the year to import, set exactly when due_on is None
    paused_wd: int  # working days of the closed pauses (those countable)
    pause_wd: tuple[int | None, ...]  # per pause given; None: open, or not countable yet
    # Per stage: completed after its own due date (stages each on their own clock only).
    stage_late: tuple[bool, ...] = ()
    # The first year not loaded that a stage date needs (own clocks: may be set with due_on).
    stage_pending_year: int | None = None

    @property
    def pending(self) -> bool:
        return self.due_on is None

    @property
    def pending_text(self) -> str:
        return pending_text(self.pending_year)

    def raise_if_pending(self) -> None:
        """Raise CalendarYearNotLoaded when any date is pending (for callers that need all)."""
        if self.pending_year is not None:
            raise CalendarYearNotLoaded(self.pending_year)
        if self.stage_pending_year is not None:
            raise CalendarYearNotLoaded(self.stage_pending_year)
        if any(day is None for day in self.stage_due):  # pragma: no cover - implies the above
            raise AssertionError("a stage is pending while the overall due date is known")


def workday_schedule(
    applied_on: dt.date,
    stages: Sequence[StageSpan | int],
    time_limit_wd: int,
    calendar: WorkCalendar,
    pauses: Sequence[PauseSpan] = (),
    recount_year: int | None = None,
    each_on_own_clock: bool = False,
) -> WorkdaySchedule:
    """Every due date of one working-day clock (see the module docstring for the rules).

    `stages` are the ordered stage limits (an int is a stage not yet completed); an empty list
    gives only the overall due date (a single-deadline clock). `each_on_own_clock`: every stage
    has its own limit from the end of the previous one (T2, charging facilities). Deterministic:
    recomputing from the same inputs gives the same dates, so stored dates can be recomputed
    idempotently.
    """
    if time_limit_wd < 0:
        raise ValueError("time_limit_wd must be >= 0")
    spans = [s if isinstance(s, StageSpan) else StageSpan(s) for s in stages]
    pending: int | None = None

    pause_wd: list[int | None] = []
    for pause in pauses:
        if not pause.closed:
            pause_wd.append(None)
            continue
        if pause.paused_wd is not None and not pause.touches(recount_year):
            pause_wd.append(pause.paused_wd)
            continue
        if pause.started_on is None or pause.ended_on is None:
            raise ValueError("a closed pause needs its start and end dates")
        try:
            pause_wd.append(calendar.workdays_between(pause.started_on, pause.ended_on))
        except CalendarYearNotLoaded as exc:
            pause_wd.append(None)
            pending = pending or exc.year
    closed = [(p, wd) for p, wd in zip(pauses, pause_wd, strict=True) if p.closed]
    counted = all(wd is not None for _, wd in closed)
    total = sum(wd or 0 for _, wd in closed)
    if each_on_own_clock and spans:
        return _own_clocks(applied_on, spans, calendar, closed, total, tuple(pause_wd), pending)

    stage_due: list[dt.date | None] = []
    cumulative = 0
    for stage in spans:
        cumulative += stage.limit_wd
        relevant = [wd for p, wd in closed if p.shifts(stage.completed_on)]
        if any(wd is None for wd in relevant):
            stage_due.append(None)
            continue
        paused = sum(wd or 0 for wd in relevant)
        try:
            stage_due.append(
                calendar.add_workdays(applied_on, min(cumulative, time_limit_wd) + paused)
            )
        except CalendarYearNotLoaded as exc:
            stage_due.append(None)
            pending = pending or exc.year

    due_on: dt.date | None = None
    if counted:
        try:
            due_on = calendar.add_workdays(applied_on, time_limit_wd + total)
        except CalendarYearNotLoaded as exc:
            pending = pending or exc.year
    return WorkdaySchedule(
        stage_due=tuple(stage_due),
        due_on=due_on,
        pending_year=None if due_on is not None else pending,
        paused_wd=total,
        pause_wd=tuple(pause_wd),
    )


def _owner(pause: PauseSpan, spans: Sequence[StageSpan]) -> int:
    """The stage a closed pause belongs to: the one open when it started (a pause known only by
    its length: the first stage not completed; the last one when all are)."""
    for k, stage in enumerate(spans):
        if stage.completed_on is None:
            return k
        if pause.started_on is not None and pause.started_on < stage.completed_on:
            return k
    return len(spans) - 1


def _own_clocks(
    applied_on: dt.date,
    spans: Sequence[StageSpan],
    calendar: WorkCalendar,
    closed: Sequence[tuple[PauseSpan, int | None]],
    total: int,
    pause_wd: tuple[int | None, ...],
    pending: int | None,
) -> WorkdaySchedule:
    """Stages each on their own clock (T2): see the module docstring."""
    paused: list[int | None] = [0] * len(spans)
    for pause, wd in closed:
        k = _owner(pause, spans)
        current = paused[k]
        paused[k] = None if wd is None or current is None else current + wd

    stage_due: list[dt.date | None] = []
    late: list[bool] = []
    start: dt.date | None = applied_on
    for stage, stage_paused in zip(spans, paused, strict=True):
        due: dt.date | None = None
        if start is not None and stage_paused is not None:
            try:
                due = calendar.add_workdays(start, stage.limit_wd + stage_paused)
            except CalendarYearNotLoaded as exc:
                pending = pending or exc.year
        stage_due.append(due)
        done = stage.completed_on
        late.append(done is not None and due is not None and done > due)
        start = done if done is not None else due

    current = next((k for k, s in enumerate(spans) if s.completed_on is None), None)
    if current is None:
        current = next((k for k, is_late in enumerate(late) if is_late), len(spans) - 1)
    due_on = stage_due[current]
    missing = any(day is None for day in stage_due)
    return WorkdaySchedule(
        stage_due=tuple(stage_due),
        due_on=due_on,
        pending_year=pending if due_on is None else None,
        paused_wd=total,
        pause_wd=pause_wd,
        stage_late=tuple(late),
        stage_pending_year=pending if missing else None,
    )
