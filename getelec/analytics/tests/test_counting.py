"""Counting rules for one supply point, hand-checked (L28 and national practice)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from getelec.analytics.tests.util import T0, day, meters_rows, outage, row, run_case, ts

pytestmark = pytest.mark.pure

METERS = meters_rows(
    {"M1": ("D1", "F1"), "M2": ("D1", "F1"), "M3": ("D1", "F1"), "M4": ("D1", "F1")}
)  # M1 alone never makes a district outage (k = 2)


@dataclass
class Case:
    name: str
    clause: str
    starts: list[dt.datetime]  # each interruption lasts `minutes` unless given in `durations`
    count_year: int
    max_count_window: int
    rule: str | None
    warning: str | None
    momentary: int = 0
    excluded: int = 0
    merged: int = 0
    durations: list[float] = field(default_factory=list)
    causes: list[str | None] = field(default_factory=list)
    as_of: dt.date = dt.date(2026, 12, 31)
    minutes: float = 30


def hours(*h: float) -> list[dt.datetime]:
    return [T0 + dt.timedelta(hours=x) for x in h]


AS_OF_60 = (T0 + dt.timedelta(days=60)).date()  # 2026-04-30: the 50-day window starts day 11

CASES = [
    Case(
        "window edges 0/20/40/59: four in one 60-day window",
        "L28",
        [day(0), day(20), day(40), day(59)],
        4,
        4,
        "window_limit",
        None,
    ),
    Case(
        "window edges 0/20/40/60: the fourth is on day 61 of the window",
        "L28",
        [day(0), day(20), day(40), day(60)],
        4,
        3,
        None,
        "warn_year",
    ),
    Case(
        "six in a year, none close",
        "L28",
        [day(0), day(61), day(122), day(183), day(244), day(305)],
        6,
        1,
        "year_limit",
        None,
    ),
    Case(
        "five in a year is allowed (warning)",
        "L28",
        [day(0), day(61), day(122), day(183), day(244)],
        5,
        1,
        None,
        "warn_year",
    ),
    Case(
        "both limits",
        "L28",
        [day(0), day(1), day(2), day(3), day(100), day(200)],
        6,
        4,
        "year_limit,window_limit",
        None,
    ),
    Case(
        "previous year not counted: the window never reaches back",
        "PRACTICE",
        [
            dt.datetime(2025, 12, 20, 10),
            dt.datetime(2025, 12, 28, 10),
            dt.datetime(2026, 1, 3, 10),
            dt.datetime(2026, 1, 20, 10),
        ],
        2,
        2,
        None,
        None,
    ),
    Case(
        "interruptions after the as-of date are not seen",
        "PRACTICE",
        [day(0), day(5), day(20)],
        2,
        2,
        None,
        "warn_short",
        as_of=dt.date(2026, 3, 10),
    ),
    Case(
        "merge: 5 h 59 min 59 s after the last counted start merges",
        "PRACTICE",
        hours(0, 6 - 1 / 3600),
        1,
        1,
        None,
        None,
        merged=1,
        minutes=10,
    ),
    Case(
        "merge: exactly 6 h after the last counted start counts again",
        "PRACTICE",
        hours(0, 6),
        2,
        2,
        None,
        None,
        minutes=10,
    ),
    Case(
        "merge is sequential: 0, 5, 10, 15 h count 0 h and 10 h",
        "PRACTICE",
        hours(0, 5, 10, 15),
        2,
        2,
        None,
        None,
        merged=2,
        minutes=10,
    ),
    Case(
        "chattering every 2 h for 48 h counts once per 6 h",
        "PRACTICE",
        hours(*range(0, 49, 2)),
        9,
        9,
        "year_limit,window_limit",
        None,
        merged=16,
        minutes=10,
    ),
    Case(
        "momentary cut-off: 4 min 59 s and 5 min are momentary, 5 min 1 s counts",
        "PRACTICE (IEEE 1366-2012: sustained = more than five minutes)",
        [day(0), day(10), day(20)],
        1,
        1,
        None,
        None,
        momentary=2,
        durations=[299 / 60, 5, 301 / 60],
    ),
    Case(
        "force majeure and external damage are excluded",
        "L28",
        [day(0), day(10), day(20)],
        1,
        1,
        None,
        None,
        excluded=2,
        causes=["force_majeure", "external_damage", "planned"],
    ),
    Case(
        "a momentary interruption is momentary whatever its cause",
        "PRACTICE",
        [day(0)],
        0,
        0,
        None,
        None,
        momentary=1,
        durations=[2],
        causes=["force_majeure"],
    ),
    Case(
        "an excluded interruption does not start a merge window",
        "L28",
        hours(0, 3),
        1,
        1,
        None,
        None,
        excluded=1,
        causes=["external_damage", None],
    ),
    Case(
        "momentary ones do not start a merge window either",
        "PRACTICE",
        hours(0, 3),
        1,
        1,
        None,
        None,
        momentary=1,
        durations=[1, 30],
    ),
    Case(
        "warning: exactly 3 in the 50 days to the as-of date",
        "PRACTICE",
        [day(11), day(30), day(60)],
        3,
        3,
        None,
        "warn_long",
        as_of=AS_OF_60,
    ),
    Case(
        "warning: as-of − 50 is outside the 50-day window",
        "PRACTICE",
        [day(10), day(30), day(60)],
        3,
        3,
        None,
        None,
        as_of=AS_OF_60,
    ),
    Case(
        "warning: exactly 2 in the 30 days to the as-of date",
        "PRACTICE",
        [day(31), day(60)],
        2,
        2,
        None,
        "warn_short",
        as_of=AS_OF_60,
    ),
    Case(
        "warning: as-of − 30 is outside the 30-day window",
        "PRACTICE",
        [day(30), day(60)],
        2,
        2,
        None,
        None,
        as_of=AS_OF_60,
    ),
    Case(
        "warning: all three rules",
        "PRACTICE",
        [day(-40), day(11), day(40), day(60)],
        4,
        3,
        None,
        "warn_year,warn_long,warn_short",
        as_of=AS_OF_60,
    ),
    Case(
        "a frequent point has no warning",
        "L28",
        [day(20), day(40), day(50), day(60)],
        4,
        4,
        "window_limit",
        None,
        as_of=AS_OF_60,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_counting_rule(tmp_path, case: Case):
    events, causes = [], []
    for i, start in enumerate(case.starts):
        minutes = case.durations[i] if case.durations else case.minutes
        events += outage("M1", start, minutes)
        cause = case.causes[i] if case.causes else None
        if cause:
            end = start + dt.timedelta(minutes=minutes)
            causes.append(("meter", "M1", ts(start), ts(end), cause))
    result = run_case(tmp_path, METERS, events, causes, as_of=case.as_of)
    got = row(result.meters, "meter_id", "M1")
    assert got["count_year"] == case.count_year, case.clause
    assert got["max_count_window"] == case.max_count_window, case.clause
    assert got["frequent"] == (case.rule is not None), case.clause
    assert got["rule"] == case.rule, case.clause
    assert got["warning"] == case.warning, case.clause
    assert got["momentary_count"] == case.momentary
    assert got["excluded_count"] == case.excluded
    assert got["merged_count"] == case.merged


def test_counting_uses_only_meters_with_interruptions(tmp_path):
    result = run_case(tmp_path, METERS, outage("M1", day(0), 30))
    assert result.meters.column("meter_id").to_pylist() == ["M1"]


def test_interruption_flags_tell_why(tmp_path):
    events = outage("M1", day(0, 0), 10) + outage("M1", day(0, 5), 10) + outage("M1", day(1), 2)
    events += outage("M1", day(2), 30)
    causes = [("meter", "M1", ts(day(2)), ts(day(2, 11)), "force_majeure")]
    result = run_case(tmp_path, METERS, events, causes)
    rows = [r for r in result.interruptions.to_pylist() if r["level"] == "meter"]
    flags = [
        (r["counted"], r["merged"], r["momentary"], r["excluded"], r["excluded_reason"])
        for r in rows
    ]
    assert flags == [
        (True, False, False, False, None),
        (False, True, False, False, None),
        (False, False, True, False, None),
        (False, False, False, True, "cause"),
    ]
    assert [r["minutes"] for r in rows] == [10, 10, 2, 30]
    assert rows[3]["cause"] == "force_majeure" and rows[0]["cause"] == "unknown"


# PRACTICE (policy outage_momentary_below_minutes = 5): IEEE 1366-2012 calls an interruption
# sustained when it lasts more than five minutes; five minutes or less is momentary. One rule
# for the L28 counts and for the indices (SAIFI/SAIDI count sustained ones, MAIFI momentary).
MOMENTARY_BOUNDARY = [
    # (seconds, momentary, counted under L28)
    (299, True, False),
    (300, True, False),
    (301, False, True),
]


@pytest.mark.parametrize(("seconds", "momentary", "counted"), MOMENTARY_BOUNDARY)
def test_momentary_boundary_is_more_than_five_minutes(tmp_path, seconds, momentary, counted):
    """IEEE 1366-2012 (sustained interruption: more than five minutes), policy PRACTICE."""
    result = run_case(tmp_path, METERS, outage("M1", day(0), seconds / 60))
    (r,) = [x for x in result.interruptions.to_pylist() if x["level"] == "meter"]
    assert (r["momentary"], r["counted"]) == (momentary, counted)
    assert r["minutes"] == pytest.approx(seconds / 60)
    got = row(result.meters, "meter_id", "M1")
    assert (got["momentary_count"], got["count_year"]) == (int(momentary), int(counted))
    lv = result.indices["lv"]["overall"]  # 4 registered meters
    assert lv["SAIFI"] == pytest.approx(0 if momentary else 1 / 4, abs=1e-6)
    assert lv["SAIDI"] == pytest.approx(0 if momentary else seconds / 60 / 4, abs=1e-6)
    assert lv["MAIFI"] == pytest.approx(1 / 4 if momentary else 0, abs=1e-6)
