"""District (台区) and feeder outages from meter interruptions; problem lines."""

from __future__ import annotations

import datetime as dt

import pytest

from getelec.analytics.params import default_params
from getelec.analytics.tests.util import T0, day, meters_rows, outage, row, run_case, ts

pytestmark = pytest.mark.pure


def at(h: float, m: float = 0) -> dt.datetime:
    return T0 + dt.timedelta(hours=h, minutes=m)


def district_rows(result, district="D1"):
    return [
        r
        for r in result.interruptions.to_pylist()
        if r["level"] == "district" and r["id"] == district
    ]


FOUR = meters_rows({f"M{i}": ("D1", "F1") for i in range(1, 5)})  # share 0.5 → 2 of 4


def test_episode_runs_from_share_reached_to_share_lost(tmp_path):
    # L21/L22: off at 10:00, 10:20, 10:30; on at 10:40 (M2), 11:00 (M1), 12:00 (M3)
    events = outage("M1", at(10), 60) + outage("M2", at(10, 20), 20) + outage("M3", at(10, 30), 90)
    (ep,) = district_rows(run_case(tmp_path, FOUR, events))
    assert ep["start"] == at(10, 20) and ep["end"] == at(11) and ep["minutes"] == 40
    assert ep["members"] == 3


@pytest.mark.parametrize(
    ("meters", "off", "expected"),
    [(3, 2, 1), (3, 1, 0), (5, 2, 0), (5, 3, 1), (1, 1, 1), (2, 1, 1)],
    ids=[
        "2 of 3 (half of 3 rounds up to 2)",
        "1 of 3",
        "2 of 5 (needs 3)",
        "3 of 5",
        "1 of 1",
        "1 of 2",
    ],
)
def test_share_is_half_rounded_up(tmp_path, meters, off, expected):
    spec = meters_rows({f"M{i}": ("D1", "F1") for i in range(1, meters + 1)})
    events = [e for i in range(1, off + 1) for e in outage(f"M{i}", at(10, i), 30)]
    assert len(district_rows(run_case(tmp_path, spec, events))) == expected


def test_share_lost_and_regained_makes_two_episodes(tmp_path):
    events = outage("M1", at(10), 30) + outage("M2", at(10), 60) + outage("M1", at(10, 45), 60)
    eps = district_rows(run_case(tmp_path, FOUR, events))
    assert [(e["start"], e["end"]) for e in eps] == [(at(10), at(10, 30)), (at(10, 45), at(11))]


def test_a_restore_and_an_off_at_the_same_second_do_not_split_an_episode(tmp_path):
    events = outage("M1", at(10), 60) + outage("M2", at(10), 30) + outage("M3", at(10, 30), 60)
    eps = district_rows(run_case(tmp_path, FOUR, events))
    assert [(e["start"], e["end"]) for e in eps] == [(at(10), at(11))]


def test_episode_cause_is_the_majority_of_members(tmp_path):
    events = outage("M1", at(10), 60) + outage("M2", at(10, 1), 60) + outage("M3", at(10, 2), 60)
    causes = [
        ("meter", "M1", ts(at(10)), ts(at(11)), "planned"),
        ("meter", "M2", ts(at(10)), ts(at(11)), "fault"),
        ("meter", "M3", ts(at(10)), ts(at(11)), "fault"),
    ]
    (ep,) = district_rows(run_case(tmp_path, FOUR, events, causes))
    assert ep["cause"] == "fault"


def test_episode_cause_tie_goes_to_the_first_member_off(tmp_path):
    events = outage("M2", at(10, 5), 60) + outage("M1", at(10), 60)
    causes = [
        ("meter", "M1", ts(at(10)), ts(at(11)), "planned"),
        ("meter", "M2", ts(at(10)), ts(at(12)), "fault"),
    ]
    (ep,) = district_rows(run_case(tmp_path, FOUR, events, causes))
    assert ep["cause"] == "planned"


def test_district_open_at_the_as_of_moment(tmp_path):
    events = [
        ("M1", ts(dt.datetime(2026, 3, 1, 22)), "off"),
        ("M2", ts(dt.datetime(2026, 3, 1, 22, 1)), "off"),
    ]
    (ep,) = district_rows(run_case(tmp_path, FOUR, events, as_of=dt.date(2026, 3, 1)))
    assert ep["open"] and ep["end"] is None


def _district_outages(meters: list[str], days: list[int]) -> list[tuple[str, str, str]]:
    return [e for d in days for m in meters for e in outage(m, day(d), 30)]


def test_problem_line_needs_two_frequent_districts(tmp_path):
    # F1: D1 and D2 each with 4 outages in 60 days (frequent); F2: only D3 frequent
    spec = meters_rows(
        {
            "A1": ("D1", "F1"),
            "A2": ("D1", "F1"),
            "B1": ("D2", "F1"),
            "B2": ("D2", "F1"),
            "C1": ("D3", "F2"),
            "C2": ("D3", "F2"),
            "E1": ("D4", "F2"),
            "E2": ("D4", "F2"),
        }
    )
    days = [0, 10, 20, 30]
    events = (
        _district_outages(["A1", "A2"], days)
        + _district_outages(["B1", "B2"], days)
        + _district_outages(["C1", "C2"], days)
        + _district_outages(["E1", "E2"], [0])
    )
    result = run_case(tmp_path, spec, events)
    d1 = row(result.districts, "district_id", "D1")
    assert d1["frequent"] and d1["rule"] == "window_limit" and d1["frequent_meters"] == 2
    assert d1["feeder_id"] == "F1"
    lines = {
        r["feeder_id"]: (r["frequent_districts"], r["problem_line"])
        for r in result.feeders.to_pylist()
    }
    assert lines == {"F1": (2, True), "F2": (1, False)}  # PRACTICE: ≥ 2 districts
    stricter = run_case(
        tmp_path, spec, events, params=default_params(outage_problem_line_min_districts=3)
    )
    assert not any(stricter.feeders.column("problem_line").to_pylist())


def test_feeder_outage_from_its_districts(tmp_path):
    spec = meters_rows(
        {"A1": ("D1", "F1"), "A2": ("D1", "F1"), "B1": ("D2", "F1"), "B2": ("D2", "F1")}
    )
    events = _district_outages(["A1", "A2", "B1", "B2"], [0])
    result = run_case(tmp_path, spec, events)
    feeders = [r for r in result.interruptions.to_pylist() if r["level"] == "feeder"]
    assert len(feeders) == 1 and feeders[0]["members"] == 2
