"""The pure frequent-outage check (L28) as a table of cases, and against the engine.

L28: 严格按照“一年内停电次数不超过5次”“连续60天停电次数不超过3次”标准(因恶劣天气等不可抗力和
外力破坏造成的停电除外)进行总体管控. The 6-hour sequential merge is national practice
(`outage_merge_window_hours`, PRACTICE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from getelec.analytics.frequent import Breach, Window, frequent_status
from getelec.analytics.params import OutageParams, default_params
from getelec.analytics.tests.util import T0, day, meters_rows, outage, row, run_case

pytestmark = pytest.mark.pure

P = default_params()  # 5 a year, 3 in 60 days, 6-hour merge (the plan's values)
AMENDED = default_params(
    outage_year_max_count=7,
    outage_window_days=30,
    outage_window_max_count=2,
    outage_merge_window_hours=3,
)
AS_OF = dt.date(2026, 12, 31)


def h(*hours: float) -> list[dt.datetime]:
    return [T0 + dt.timedelta(hours=x) for x in hours]


@dataclass
class Case:
    name: str
    clause: str
    starts: Sequence[dt.date | dt.datetime]
    count_year: int
    max_count_window: int
    rule: str  # "" when not frequent
    as_of: dt.date = AS_OF
    params: OutageParams = P
    merged: int = 0


CASES = [
    Case("five in the year: at the limit", "L28", [day(30 * i) for i in range(5)], 5, 2, ""),
    Case(
        "six in the year: above 5",
        "L28",
        [day(30 * i) for i in range(6)],
        6,
        2,
        "year_limit",
    ),
    Case(
        "days 0/20/40/59: four in one 60-day window",
        "L28",
        [day(0), day(20), day(40), day(59)],
        4,
        4,
        "window_limit",
    ),
    Case(
        "days 0/20/40/60: the fourth is on day 61 of the first window",
        "L28",
        [day(0), day(20), day(40), day(60)],
        4,
        3,
        "",
    ),
    Case(
        "window boundary by the clock: 00:00 and 23:59 are days 0 and 59",
        "L28",
        [day(0, 0), day(20), day(40), day(59, 23.99)],
        4,
        4,
        "window_limit",
    ),
    Case(
        "six in 60 days break both limits",
        "L28",
        [day(10 * i) for i in range(6)],
        6,
        6,
        "year_limit,window_limit",
    ),
    Case(
        "merge: 5 h 59 min after the last counted one is merged",
        "PRACTICE",
        h(0, 5 + 59 / 60),
        1,
        1,
        "",
        merged=1,
    ),
    Case("merge: 6 h after is counted", "PRACTICE", h(0, 6), 2, 2, "", merged=0),
    Case(
        "merge is chained on the last counted start: 0/5/10 h count 0 and 10 h",
        "PRACTICE",
        h(0, 5, 10),
        2,
        2,
        "",
        merged=1,
    ),
    Case(
        "merge: every 2 h for 12 h counts 0, 6 and 12 h",
        "PRACTICE",
        h(0, 2, 4, 6, 8, 10, 12),
        3,
        3,
        "",
        merged=4,
    ),
    Case(
        "merged ones do not reach the window limit: 4 starts, 3 counted",
        "L28",
        [day(0), day(0, 13), day(20), day(40)],
        3,
        3,
        "",
        merged=1,
    ),
    Case(
        "the year is the calendar year to the as-of date (outage_period)",
        "L28",
        [dt.datetime(2025, 12, 20, 10), *[day(10 * i) for i in range(4)], day(200)],
        4,
        4,
        "window_limit",
        as_of=(T0 + dt.timedelta(days=100)).date(),
    ),
    Case(
        "dates without a time count as given (no merge)",
        "L28",
        [T0.date(), T0.date(), (T0 + dt.timedelta(days=1)).date(), day(2)],
        4,
        4,
        "window_limit",
    ),
    Case(
        "amended limits from policy data: 3 in 30 days breaks ≤ 2",
        "L28",
        [day(0), day(10), day(29)],
        3,
        3,
        "window_limit",
        params=AMENDED,
    ),
    Case(
        "amended limits: 3 h merge window",
        "L28",
        [*h(0, 3), day(31), day(40)],
        4,
        2,
        "",
        params=AMENDED,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_frequent_status(case: Case) -> None:
    got = frequent_status(case.starts, case.as_of, case.params)
    assert got.count_year == case.count_year, case.clause
    assert got.max_count_window == case.max_count_window, case.clause
    assert got.window_days == case.params.outage_window_days
    assert got.rule == case.rule, case.clause
    assert got.frequent == bool(case.rule), case.clause
    assert len(got.merged) == case.merged, case.clause
    assert all(b.clause == "L28" for b in got.breaches)


def test_the_status_names_the_window_and_the_limits_it_breaks() -> None:
    starts = [day(0), day(20), day(40), day(59), day(100), day(120)]
    got = frequent_status(starts, AS_OF, P)
    first = T0.date()
    assert got.window == Window(first, first + dt.timedelta(days=59), 4)
    assert got.breaches == (
        Breach("year_limit", "L28", 6, 5),
        Breach("window_limit", "L28", 4, 3, 60, first, first + dt.timedelta(days=59)),
    )


def test_starts_outside_the_period_are_listed_not_counted() -> None:
    before, after = dt.datetime(2025, 12, 31, 23), dt.datetime(2026, 3, 2, 0, 1)
    got = frequent_status([before, day(0), after], dt.date(2026, 3, 1), P)
    assert got.count_year == 1 and got.outside == (before, after)


def test_aware_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive local"):
        frequent_status([day(0).replace(tzinfo=dt.UTC)], AS_OF, P)


# --------------------------------------------------------------------------------------------
# The engine agrees: the same starts as 10-minute outages of one meter, through the DuckDB
# pipeline, give the same counts and rule.
# --------------------------------------------------------------------------------------------

METERS = meters_rows({"M1": ("D1", "F1"), "M2": ("D1", "F1"), "M3": ("D1", "F1")})
ENGINE_CASES = [c for c in CASES if all(isinstance(t, dt.datetime) for t in c.starts)]


def test_the_engine_cases_cover_merge_boundary_and_both_rules() -> None:
    names = " ".join(c.name for c in ENGINE_CASES)
    assert "merge" in names and "boundary" in names and "amended" in names
    assert {c.rule for c in ENGINE_CASES} >= {"", "year_limit", "window_limit"}


@pytest.mark.parametrize("case", ENGINE_CASES, ids=[c.name for c in ENGINE_CASES])
def test_the_engine_agrees_with_frequent_status(tmp_path, case: Case) -> None:
    events = [e for t in case.starts for e in outage("M1", t, 10)]  # type: ignore[arg-type]
    result = run_case(tmp_path, METERS, events, as_of=case.as_of, params=case.params)
    engine = row(result.meters, "meter_id", "M1")
    pure = frequent_status(case.starts, case.as_of, case.params)
    assert engine["count_year"] == pure.count_year, case.clause
    assert engine["max_count_window"] == pure.max_count_window, case.clause
    assert engine["window_days"] == pure.window_days
    assert engine["frequent"] == pure.frequent, case.clause
    assert (engine["rule"] or "") == pure.rule, case.clause
    assert engine["merged_count"] == len(pure.merged)
