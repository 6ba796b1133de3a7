"""Cause assignment by scope and overlap; reliability indices on a case computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from getelec.analytics.tests.util import day, meters_rows, outage, run_case, ts

pytestmark = pytest.mark.pure

METERS = meters_rows({"M1": ("D1", "F1"), "M2": ("D1", "F1"), "M3": ("D1", "F1")})
START, END = day(0, 10), day(0, 11)  # the interruption: 10:00–11:00


def cause_of(tmp_path, causes) -> str:
    result = run_case(tmp_path, METERS, outage("M1", START, 60), causes)
    (r,) = [r for r in result.interruptions.to_pylist() if r["level"] == "meter"]
    return r["cause"]


def rec(scope, sid, start, end, cause):
    return (scope, sid, ts(start), ts(end), cause)


@pytest.mark.parametrize(
    ("causes", "expected"),
    [
        ([], "unknown"),
        ([rec("feeder", "F1", START, END, "planned")], "planned"),
        (
            [
                rec("feeder", "F1", START, END, "planned"),
                rec("district", "D1", START, END, "fault"),
            ],
            "fault",
        ),
        (
            [
                rec("district", "D1", START, END, "fault"),
                rec("meter", "M1", day(0, 10), day(0, 10.1), "external_damage"),
            ],
            "external_damage",
        ),
        (
            [
                rec("district", "D1", day(0, 9), day(0, 10.5), "fault"),
                rec("district", "D1", day(0, 10.2), day(0, 12), "planned"),
            ],
            "planned",
        ),
        (
            [
                rec("district", "D1", day(0, 9), day(0, 10.5), "fault"),
                rec("district", "D1", day(0, 10.5), day(0, 12), "planned"),
            ],
            "fault",
        ),
        ([rec("district", "D1", day(0, 8), START, "force_majeure")], "force_majeure"),
        ([rec("district", "D1", day(0, 7), day(0, 9.99), "force_majeure")], "unknown"),
        ([rec("district", "D2", START, END, "fault")], "unknown"),
        ([rec("meter", "M2", START, END, "fault")], "unknown"),
    ],
    ids=[
        "no record",
        "feeder record",
        "district beats feeder",
        "meter beats district",
        "largest overlap within a scope",
        "equal overlap: earliest start",
        "touching counts as overlapping",
        "before it: no overlap",
        "another district",
        "another meter",
    ],
)
def test_cause_assignment(tmp_path, causes, expected):
    assert cause_of(tmp_path, causes) == expected


def test_indices_on_a_small_case(tmp_path):
    """Period 2026-01-01..31: 744 h. LV users 6, MV users (districts) 2."""
    meters = meters_rows({f"M{i}": ("D1", "F1") for i in range(1, 5)}) + meters_rows(
        {"M5": ("D2", "F1"), "M6": ("D2", "F1")}, "640181", "rural"
    )
    jan = dt.datetime(2026, 1, 1)
    events = (
        outage("M1", jan + dt.timedelta(days=4, hours=10), 60)
        + outage("M2", jan + dt.timedelta(days=9, hours=10), 30)
        + outage("M5", jan + dt.timedelta(days=11, hours=10), 3)
        + [("M6", ts(jan + dt.timedelta(days=30, hours=22)), "off")]
    )
    causes = [
        rec(
            "meter",
            "M2",
            jan + dt.timedelta(days=9),
            jan + dt.timedelta(days=10),
            "external_damage",
        )
    ]
    result = run_case(tmp_path, meters, events, causes, as_of=dt.date(2026, 1, 31))
    lv = result.indices["lv"]["overall"]
    assert lv["users"] == 6 and lv["period_hours"] == 744
    assert lv["SAIFI"] == pytest.approx(3 / 6, abs=1e-6)  # M1, M2, M6 (open: frequency only)
    assert lv["AITC-1"] == pytest.approx(3 / 6, abs=1e-6)
    assert lv["SAIDI"] == pytest.approx(90 / 6, abs=1e-6)  # minutes
    assert lv["AIHC-1"] == pytest.approx(1.5 / 6, abs=1e-6)  # hours
    assert lv["CAIDI"] == pytest.approx(45, abs=1e-6)  # 90 min over the 2 closed ones
    assert lv["MAIFI"] == pytest.approx(1 / 6, abs=1e-6)
    assert lv["RS-1"] == pytest.approx((1 - (1.5 / 6) / 744) * 100, abs=1e-6)
    assert lv["AIHC-2"] == pytest.approx(1 / 6, abs=1e-6)  # external damage left out
    assert lv["AITC-2"] == pytest.approx(2 / 6, abs=1e-6)
    assert lv["RS-3"] == lv["RS-1"]  # no supply-shortage outage
    urban = result.indices["lv"]["by_area"]["urban"]
    assert urban["users"] == 4 and urban["SAIDI"] == pytest.approx(90 / 4, abs=1e-6)
    rural = result.indices["lv"]["by_region"]["640181"]
    assert rural["users"] == 2 and rural["SAIFI"] == pytest.approx(1 / 2, abs=1e-6)
    assert rural["MAIFI"] == pytest.approx(1 / 2, abs=1e-6) and rural["SAIDI"] == 0
    assert result.indices["lv"]["by_month"]["2026-01"]["SAIFI"] == lv["SAIFI"]
    mv = result.indices["mv"]["overall"]  # D2 (k = 1): a momentary and an open episode
    assert mv["users"] == 2 and mv["SAIFI"] == pytest.approx(1 / 2, abs=1e-6)
    assert mv["MAIFI"] == pytest.approx(1 / 2, abs=1e-6) and mv["SAIDI"] == 0


def test_major_event_days_are_excluded_when_enabled(tmp_path):
    from getelec.analytics.params import default_params

    meters = meters_rows({f"M{i}": (f"D{i}", "F1") for i in range(1, 41)})
    events = []
    for d in range(0, 30):  # one 30-minute outage a day: a quiet baseline
        events += outage(f"M{d % 40 + 1}", day(d), 30 + d)
    big = day(35)
    for i in range(1, 41):  # every meter out for 10 hours: a major event day
        events += outage(f"M{i}", big, 600)
    params = default_params(med_exclusion=True)
    result = run_case(tmp_path, meters, events, params=params)
    assert result.indices["major_event_days"]["days"] == [big.date().isoformat()]
    big_rows = [
        r
        for r in result.interruptions.to_pylist()
        if r["level"] == "meter" and r["start"].date() == big.date()
    ]
    assert all(r["excluded_reason"] == "major_event_day" for r in big_rows)
    assert sum(result.meters.column("excluded_count").to_pylist()) == 0
    assert sum(result.meters.column("major_event_count").to_pylist()) == 40
