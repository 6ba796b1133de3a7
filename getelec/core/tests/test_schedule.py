"""The one working-day schedule (getelec.core.schedule.workday_schedule), no database.

Clauses: T2/L3 set the time limits in working days (LV residential and 三零 LV non-residential
≤ 5 wd without external works, ≤ 15 wd with them; LV non-三零 ≤ 6 wd; HV single ≤ 22, dual ≤ 32);
T1: only the customer's reasons pause the clock (客户原因暂停计时), and the dates shift by the
working days paused. Counting: the day of the event does not count (Civil Code art. 201).
Calendar: 2026 as published by the State Council on 2025-11-04 (PRACTICE.md), including the
make-up working days (调休上班) on Sun 9/20, Sat 10/10, Sat 2/14 and Sat 2/28; 2027 is the
invented schedule of test_workdays (元旦 1/1–1/3), loaded only where a test says so.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from getelec.core import assess as core_assess
from getelec.core.schedule import PauseSpan, StageSpan, WorkdaySchedule, workday_schedule
from getelec.core.tests.test_workdays import FAKE_2027
from getelec.core.workdays import (
    CalendarYearNotLoaded,
    WorkCalendar,
    calendar_with,
    parse_year,
    pending_text,
    shipped_calendar,
)

pytestmark = pytest.mark.pure

D = dt.date
WITH_2027 = calendar_with([parse_year(FAKE_2027)])


@dataclass(frozen=True)
class Case:
    clause: str
    applied_on: dt.date
    stages: list[StageSpan | int]
    limit: int
    expect_stages: tuple[dt.date | None, ...]
    expect_due: dt.date | None
    pending_year: int | None = None
    pauses: list[PauseSpan] = field(default_factory=list)
    expect_pause_wd: tuple[int | None, ...] = ()
    calendar: WorkCalendar = field(default_factory=shipped_calendar)
    recount_year: int | None = None


CASES = {
    "T2/L3 5 wd: the make-up Sunday 9/20 (调休) counts, 中秋 9/25 does not": Case(
        "T2/L3",
        D(2026, 9, 18),  # Fri
        [1, 2, 2],
        5,
        (D(2026, 9, 20), D(2026, 9, 22), D(2026, 9, 24)),
        D(2026, 9, 24),
    ),
    "T2/L3 5 wd across 国庆: 10/1–10/7 off, Sat 10/10 worked": Case(
        "T2/L3",
        D(2026, 9, 29),
        [1, 2, 2],
        5,
        (D(2026, 9, 30), D(2026, 10, 9), D(2026, 10, 12)),
        D(2026, 10, 12),
    ),
    "L3 6 wd, T1 pause in the middle of stage 2 shifts stage 2, 3 and the total, not stage 1": Case(
        "L3/T1",
        D(2026, 11, 2),  # Mon
        [StageSpan(1, completed_on=D(2026, 11, 3)), 3, 2],
        6,
        (D(2026, 11, 3), D(2026, 11, 10), D(2026, 11, 12)),
        D(2026, 11, 12),
        pauses=[PauseSpan(D(2026, 11, 4), D(2026, 11, 6))],  # 11/5, 11/6: 2 wd
        expect_pause_wd=(2,),
    ),
    "T1 a pause started on the day a stage was completed does not shift that stage": Case(
        "T1",
        D(2026, 11, 2),
        [StageSpan(1, completed_on=D(2026, 11, 4)), 3, 2],
        6,
        (D(2026, 11, 3), D(2026, 11, 10), D(2026, 11, 12)),
        D(2026, 11, 12),
        pauses=[PauseSpan(D(2026, 11, 4), D(2026, 11, 6))],
        expect_pause_wd=(2,),
    ),
    "T1 a pause over 春节 counts the make-up Saturday 2/14 and skips 2/15–2/23": Case(
        "T1",
        D(2026, 2, 11),  # Wed
        [StageSpan(1, completed_on=D(2026, 2, 12)), 2, 2],
        5,
        (D(2026, 2, 12), D(2026, 2, 28), D(2026, 3, 3)),  # Sat 2/28 is a make-up day too
        D(2026, 3, 3),
        pauses=[PauseSpan(D(2026, 2, 13), D(2026, 2, 27))],  # 2/14, 2/24–2/27: 5 wd
        expect_pause_wd=(5,),
    ),
    "T2/L3 15 wd, T1 pause spanning the year end (2027 loaded)": Case(
        "T2/L3/T1",
        D(2026, 12, 21),  # Mon
        [StageSpan(2, completed_on=D(2026, 12, 23)), 13],
        15,
        (D(2026, 12, 23), D(2027, 1, 22)),
        D(2027, 1, 22),
        pauses=[PauseSpan(D(2026, 12, 24), D(2027, 1, 6))],  # 12/25–12/31: 5, 1/4–1/6: 3
        expect_pause_wd=(8,),
        calendar=WITH_2027,
    ),
    "T1 pause spanning the year end, 2027 not loaded: its length is pending, stage 1 is not": Case(
        "T1",
        D(2026, 12, 21),
        [StageSpan(2, completed_on=D(2026, 12, 23)), 13],
        15,
        (D(2026, 12, 23), None),
        None,
        pending_year=2027,
        pauses=[PauseSpan(D(2026, 12, 24), D(2027, 1, 6))],
        expect_pause_wd=(None,),
    ),
    "T2/L3 due date beyond the loaded calendar: pending on 2027, earlier stages keep dates": Case(
        "T2/L3",
        D(2026, 12, 28),  # Mon
        [1, 2, 2],
        5,
        (D(2026, 12, 29), D(2026, 12, 31), None),
        None,
        pending_year=2027,
    ),
    "L3 HV dual 32 wd in 2027 once the year is loaded (元旦 1/1 skipped)": Case(
        "L3",
        D(2026, 12, 28),
        [1, 31],
        32,
        (D(2026, 12, 29), D(2027, 2, 18)),  # 春节 2/6–2/14 skipped as well
        D(2027, 2, 18),
        calendar=WITH_2027,
    ),
    "an open pause shifts nothing until it ends": Case(
        "T1",
        D(2026, 11, 2),
        [1, 3, 2],
        6,
        (D(2026, 11, 3), D(2026, 11, 6), D(2026, 11, 10)),
        D(2026, 11, 10),
        pauses=[PauseSpan(D(2026, 11, 4), None)],
        expect_pause_wd=(None,),
    ),
    "a stored pause length is kept (not recounted)": Case(
        "T1",
        D(2026, 11, 2),
        [1, 3, 2],
        6,
        (D(2026, 11, 9), D(2026, 11, 12), D(2026, 11, 16)),
        D(2026, 11, 16),
        pauses=[PauseSpan(D(2026, 11, 2), D(2026, 11, 4), paused_wd=4)],
        expect_pause_wd=(4,),
    ),
    "a stored length touching a replaced year is recounted from the dates": Case(
        "T1",
        D(2026, 11, 2),
        [1, 3, 2],
        6,
        (D(2026, 11, 5), D(2026, 11, 10), D(2026, 11, 12)),
        D(2026, 11, 12),
        pauses=[PauseSpan(D(2026, 11, 2), D(2026, 11, 4), paused_wd=4)],
        expect_pause_wd=(2,),
        recount_year=2026,
    ),
    "a pause known only by its length shifts every stage, completed or not": Case(
        "T1",
        D(2026, 11, 2),
        [StageSpan(1, completed_on=D(2026, 11, 3)), 3, 2],
        6,
        (D(2026, 11, 5), D(2026, 11, 10), D(2026, 11, 12)),
        D(2026, 11, 12),
        pauses=[PauseSpan.of_length(2)],
        expect_pause_wd=(2,),
    ),
    "stage limits summing past the overall limit end at the overall due date": Case(
        "L3",
        D(2026, 11, 2),
        [3, 3],
        5,
        (D(2026, 11, 5), D(2026, 11, 9)),
        D(2026, 11, 9),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_schedule(case: Case) -> None:
    result = workday_schedule(
        case.applied_on,
        case.stages,
        case.limit,
        case.calendar,
        case.pauses,
        recount_year=case.recount_year,
    )
    assert result.stage_due == case.expect_stages
    assert (result.due_on, result.pending_year) == (case.expect_due, case.pending_year)
    assert result.pause_wd == case.expect_pause_wd
    assert result.paused_wd == sum(wd or 0 for wd in case.expect_pause_wd)


def test_a_single_deadline_clock_has_no_stages() -> None:
    # e.g. the supervision deadlines: N working days after a quarter's or a month's end.
    result = workday_schedule(D(2026, 9, 30), [], 5, shipped_calendar())
    assert (result.stage_due, result.due_on, result.pending_year) == ((), D(2026, 10, 13), None)
    pending = workday_schedule(D(2026, 12, 31), [], 3, shipped_calendar())
    assert (pending.due_on, pending.pending_year, pending.pending) == (None, 2027, True)
    with pytest.raises(CalendarYearNotLoaded) as raised:
        pending.raise_if_pending()
    assert raised.value.year == 2027


def _by_hand(calendar: WorkCalendar, start: dt.date, n: int) -> dt.date:
    """The Nth working day after `start`, one day at a time (the oracle)."""
    day = start
    while n:
        day += dt.timedelta(days=1)
        n -= calendar.is_workday(day)
    return day


def test_random_schedules_match_counting_day_by_day() -> None:
    rng = random.Random(9)
    calendar = WITH_2027  # 2026 and 2027 loaded: dates in 2028 are pending
    for _ in range(500):
        applied_on = D(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
        limits = [rng.randrange(0, 8) for _ in range(rng.randrange(1, 5))]
        limit = max(0, sum(limits) - rng.randrange(0, 2))
        start = applied_on + dt.timedelta(days=rng.randrange(0, 20))
        end = start + dt.timedelta(days=rng.randrange(0, 30))
        completed = start + dt.timedelta(days=rng.randrange(-5, 5))
        stages: list[StageSpan | int] = [StageSpan(limits[0], completed), *limits[1:]]
        result = workday_schedule(applied_on, stages, limit, calendar, [PauseSpan(start, end)])
        try:
            days = (start + dt.timedelta(days=i + 1) for i in range((end - start).days))
            paused = sum(calendar.is_workday(d) for d in days)
            due = _by_hand(calendar, applied_on, limit + paused)
        except CalendarYearNotLoaded as exc:
            assert (result.due_on, result.pending_year) == (None, exc.year)
            continue
        assert (result.due_on, result.pending_year, result.paused_wd) == (due, None, paused)
        shift = paused if start < completed else 0  # T1: pauses while the stage was open
        first = _by_hand(calendar, applied_on, min(limits[0], limit) + shift)
        assert result.stage_due[0] == first


def test_assess_schedule_is_the_one_schedule() -> None:
    stages = [("acceptance", 1), ("scheme", 2), ("connection", 2)]
    deadlines, due = core_assess.schedule(D(2026, 9, 18), stages, 5, shipped_calendar(), 2)
    one = workday_schedule(
        D(2026, 9, 18), [1, 2, 2], 5, shipped_calendar(), [PauseSpan.of_length(2)]
    )
    assert [d.due_on for d in deadlines] == list(one.stage_due) and due == one.due_on
    with pytest.raises(CalendarYearNotLoaded):
        core_assess.schedule(D(2026, 12, 28), stages, 5, shipped_calendar())


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: StageSpan(-1), "limit_wd must be >= 0"),
        (lambda: PauseSpan(D(2026, 11, 5), D(2026, 11, 4)), "cannot end before it starts"),
        (lambda: PauseSpan(), "needs its length"),
        (lambda: PauseSpan.of_length(-1), "paused_wd must be >= 0"),
    ],
)
def test_bad_spans_are_refused(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_the_pending_text_is_written_once() -> None:
    assert pending_text(2027) == "待2027年节假日安排导入后计算"
    assert pending_text(None) == "" and pending_text(0) == ""
    assert CalendarYearNotLoaded(2027).pending_text == pending_text(2027)
    empty = WorkdaySchedule((), None, 2028, 0, ())
    assert empty.pending_text == pending_text(2028)
