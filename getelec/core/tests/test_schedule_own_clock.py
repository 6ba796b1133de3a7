"""Stages each on their own clock (getelec.core.schedule.workday_schedule, no database).

T2 (charging facilities): "办电环节分为业务受理、供电方案答复、装表接电3个环节，供电企业各责任环节
办理时限分别不超过1个、3个、2个工作日" — one limit per stage and no overall limit: a stage runs from
the day the previous one was completed (customer-side pauses excluded, T1) and is late when it
exceeds its own limit, whatever the others did. Calendar: November 2026 has no holiday
(Mon 11/2, Tue 11/3, … Fri 11/6, Mon 11/9, …).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from getelec.core import assess as core_assess
from getelec.core.policy import default_policy
from getelec.core.schedule import PauseSpan, StageSpan, workday_schedule
from getelec.core.workdays import CalendarYearNotLoaded, shipped_calendar

pytestmark = pytest.mark.pure

D = dt.date
T2 = "T2"


@dataclass(frozen=True)
class Case:
    clause: str
    stages: list[StageSpan]
    expect_stages: tuple[dt.date | None, ...]
    expect_late: tuple[bool, ...]
    expect_due: dt.date | None  # the governing stage's due date
    applied_on: dt.date = dt.date(2026, 11, 2)  # Mon
    pauses: list[PauseSpan] = field(default_factory=list)


def charging(*completed: dt.date | None) -> list[StageSpan]:
    """The T2 charging stages 1/3/2 with their completion days (missing: still open)."""
    days = list(completed) + [None] * (3 - len(completed))
    return [StageSpan(limit, day) for limit, day in zip((1, 3, 2), days, strict=True)]


CASES = {
    "T2 same-day intake then a 4-day 供电方案答复 is late (the running total would hide it)": Case(
        T2,
        charging(D(2026, 11, 2), D(2026, 11, 6), D(2026, 11, 9)),
        (D(2026, 11, 3), D(2026, 11, 5), D(2026, 11, 10)),
        (False, True, False),
        D(2026, 11, 5),  # completed: the first late stage's date, so completed_on > due_on
    ),
    "T2 each stage taking exactly 1, 3 and 2 working days is on time": Case(
        T2,
        charging(D(2026, 11, 3), D(2026, 11, 6), D(2026, 11, 10)),
        (D(2026, 11, 3), D(2026, 11, 6), D(2026, 11, 10)),
        (False, False, False),
        D(2026, 11, 10),
    ),
    "T2 a late intake makes the application late though the rest catch up": Case(
        T2,
        charging(D(2026, 11, 4), D(2026, 11, 9), D(2026, 11, 11)),
        (D(2026, 11, 3), D(2026, 11, 9), D(2026, 11, 11)),
        (True, False, False),
        D(2026, 11, 3),
    ),
    "T2/T1 a customer pause during 供电方案答复 is excluded from that stage only": Case(
        "T2/T1",
        charging(D(2026, 11, 3), D(2026, 11, 10)),
        # scheme: 3 wd + 2 paused (11/5, 11/6) from 11/3 → 11/10; energizing from 11/10.
        (D(2026, 11, 3), D(2026, 11, 10), D(2026, 11, 12)),
        (False, False, False),
        D(2026, 11, 12),  # open: the current stage's own date
        pauses=[PauseSpan(D(2026, 11, 4), D(2026, 11, 6))],
    ),
    "T2 without the pause the same 供电方案答复 would be late": Case(
        T2,
        charging(D(2026, 11, 3), D(2026, 11, 10)),
        (D(2026, 11, 3), D(2026, 11, 6), D(2026, 11, 12)),
        (False, True, False),
        D(2026, 11, 12),
    ),
    "T2 open: the due date is the current stage's own, from the previous completion": Case(
        T2,
        charging(D(2026, 11, 2)),
        # scheme from 11/2 → 11/5 (the running total would say 11/6); energizing projected.
        (D(2026, 11, 3), D(2026, 11, 5), D(2026, 11, 9)),
        (False, False, False),
        D(2026, 11, 5),
    ),
    "T2 a pause starting the day a stage was completed belongs to the next stage": Case(
        "T2/T1",
        charging(D(2026, 11, 3), D(2026, 11, 9)),
        (D(2026, 11, 3), D(2026, 11, 9), D(2026, 11, 11)),  # 11/4 paused: +1 for the scheme
        (False, False, False),
        D(2026, 11, 11),
        pauses=[PauseSpan(D(2026, 11, 3), D(2026, 11, 4))],
    ),
    "T2 nothing done yet: projected dates equal the running totals, due is intake's": Case(
        T2,
        charging(),
        (D(2026, 11, 3), D(2026, 11, 6), D(2026, 11, 10)),
        (False, False, False),
        D(2026, 11, 3),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_each_stage_runs_on_its_own_clock(case: Case) -> None:
    result = workday_schedule(
        case.applied_on, case.stages, 6, shipped_calendar(), case.pauses, each_on_own_clock=True
    )

    assert result.stage_due == case.expect_stages, case.clause
    assert result.stage_late == case.expect_late, case.clause
    assert result.due_on == case.expect_due, case.clause
    assert result.pending_year is None


def test_the_running_total_judges_the_same_stages_otherwise() -> None:
    # The cumulative clock (every other category) is unchanged: the 4-day scheme after a
    # same-day intake is within 1+3 wd of the application date there.
    stages = charging(D(2026, 11, 2), D(2026, 11, 6), D(2026, 11, 9))
    result = workday_schedule(D(2026, 11, 2), stages, 6, shipped_calendar())

    assert result.stage_due == (D(2026, 11, 3), D(2026, 11, 6), D(2026, 11, 10))
    assert result.due_on == D(2026, 11, 10)
    assert result.stage_late == ()


def test_a_later_stage_in_a_year_not_loaded_does_not_hide_the_current_one() -> None:
    # Applied Tue 12/29/2026: intake due 12/30; the scheme would end in 2027 (not shipped).
    result = workday_schedule(
        D(2026, 12, 29), charging(), 6, shipped_calendar(), each_on_own_clock=True
    )

    assert result.stage_due[0] == D(2026, 12, 30)
    assert result.stage_due[1:] == (None, None)
    assert (result.due_on, result.pending_year) == (D(2026, 12, 30), None)
    assert result.stage_pending_year == 2027
    with pytest.raises(CalendarYearNotLoaded):
        result.raise_if_pending()


def test_the_policy_puts_the_charging_stages_and_only_them_on_their_own_clocks() -> None:
    own = default_policy().get("own_clock_stage_lists", D(2026, 11, 26))

    assert own.value == ["stages_lv_charging"]
    assert own.citation.clause == T2
    assert "各责任环节办理时限分别不超过1个、3个、2个工作日" in own.citation.quote


BASE = {"capacity_kw": 7.0, "applied_on": "2026-11-02"}
ASSESS_CASES = [
    # clause, input, stage clock, limit, limit parameters
    ("T2/L33 EV charging", {"customer_type": "other", "purpose": "ev_charging"}, "each", 6),
    (
        "T2/L34 e-bike charging",
        {"customer_type": "other", "purpose": "ebike_charging"},
        "each",
        6,
    ),
    ("T2/L3 LV residential", {"customer_type": "residential"}, "cumulative", 5),
    (
        "L3 LV non-三零",
        {"customer_type": "small_micro_enterprise", "request_type": "increase"},
        "cumulative",
        6,
    ),
    ("L3 HV single", {"customer_type": "other", "voltage": "high"}, "cumulative", 22),
]


@pytest.mark.parametrize(
    ("clause", "fields", "clock", "limit"), ASSESS_CASES, ids=[c[0] for c in ASSESS_CASES]
)
def test_assess_says_how_the_stages_run_and_derives_the_charging_total(
    clause: str, fields: dict, clock: str, limit: int
) -> None:
    result = core_assess.assess(core_assess.parse_input({**BASE, **fields}))
    answer = result.as_json()

    assert (result.stage_clock, result.time_limit_wd) == (clock, limit), clause
    assert answer["stage_clock"] == clock
    limit_parameters = [b["parameter"] for b in answer["basis"]["time_limit"]]
    if clock == "each":
        # The total of 6 is the sum of the stage limits, not a number of the plan.
        assert limit_parameters == ["stages_lv_charging", "own_clock_stage_lists"]
        assert limit == sum(s["limit_working_days"] for s in answer["stages"])
        # Before any stage is done every stage is projected on time: 11/3, 11/6, 11/10.
        assert [s["due_on"] for s in answer["stages"]] == [
            "2026-11-03",
            "2026-11-06",
            "2026-11-10",
        ]
        assert answer["due_on"] == "2026-11-10"
    else:
        assert len(limit_parameters) == 1 and limit_parameters[0].endswith("_limit_wd")
