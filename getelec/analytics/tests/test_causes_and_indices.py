"""Cause assignment by scope and overlap; reliability indices on a case computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from getelec.analytics import index_block, indices_by_region_month
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
    params = default_params(outage_major_event_day_exclusion=True)
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


def test_indices_by_region_and_month_on_a_small_case(tmp_path):
    """Two regions, January and February (as of 2026-02-28: 744 h and 672 h). 640104 has 4
    meters in 1 district, 640181 has 2 meters in 1 district."""
    meters = meters_rows({f"M{i}": ("D1", "F1") for i in range(1, 5)}) + meters_rows(
        {"M5": ("D2", "F1"), "M6": ("D2", "F1")}, "640181", "rural"
    )
    jan, feb = dt.datetime(2026, 1, 1), dt.datetime(2026, 2, 1)
    events = (
        outage("M1", jan + dt.timedelta(days=4, hours=10), 60)
        + outage("M2", feb + dt.timedelta(days=2, hours=10), 30)
        + outage("M3", feb + dt.timedelta(days=3, hours=10), 90)
        + outage("M5", feb + dt.timedelta(days=5, hours=10), 3)  # momentary: MAIFI only
    )
    result = run_case(tmp_path, meters, events, as_of=dt.date(2026, 2, 28))
    lv = indices_by_region_month(result.indices)["lv"]
    assert sorted(lv) == ["640104", "640181"]
    assert sorted(lv["640104"]) == ["2026-01", "2026-02"]
    xq_jan, xq_feb = lv["640104"]["2026-01"], lv["640104"]["2026-02"]
    assert (xq_jan["users"], xq_jan["interruptions"]) == (4, 1)
    assert xq_jan["SAIDI"] == pytest.approx(60 / 4, abs=1e-6)
    assert xq_jan["RS-1"] == pytest.approx((1 - (1 / 4) / 744) * 100, abs=1e-6)
    assert (xq_feb["users"], xq_feb["interruptions"]) == (4, 2)
    assert xq_feb["SAIFI"] == pytest.approx(2 / 4, abs=1e-6)
    assert xq_feb["CAIDI"] == pytest.approx(60, abs=1e-6)  # 120 minutes over 2
    assert xq_feb["period_hours"] == 672
    rural_jan, rural_feb = lv["640181"]["2026-01"], lv["640181"]["2026-02"]
    assert (rural_jan["users"], rural_jan["SAIFI"], rural_jan["MAIFI"]) == (2, 0, 0)
    assert rural_feb["SAIFI"] == 0 and rural_feb["MAIFI"] == pytest.approx(1 / 2, abs=1e-6)


@pytest.mark.parametrize("level", ["lv", "mv"])
def test_region_by_month_adds_up_to_the_region_and_month_figures(tmp_path, level):
    meters = meters_rows({f"M{i}": (f"D{i % 3}", "F1") for i in range(1, 10)}) + meters_rows(
        {f"R{i}": (f"E{i % 2}", "F2") for i in range(1, 5)}, "640181", "rural"
    )
    events = []
    for n, meter in enumerate(["M1", "M2", "M4", "R1", "R2", "M7", "R3", "M1"]):
        events += outage(meter, dt.datetime(2026, 1 + n % 5, 3 + n, 9), 20 + 7 * n)
    result = run_case(tmp_path, meters, events, as_of=dt.date(2026, 5, 31))
    indices = result.indices[level]
    by_region_month = indices_by_region_month(result.indices)[level]
    assert set(by_region_month) == set(indices["by_region"])
    for region, by_month in by_region_month.items():
        assert set(by_month) == set(indices["by_month"])
        whole = indices["by_region"][region]
        assert {b["users"] for b in by_month.values()} == {whole["users"]}
        assert sum(b["interruptions"] for b in by_month.values()) == whole["interruptions"]
        assert sum(b["customer_hours"] for b in by_month.values()) == pytest.approx(
            whole["customer_hours"]
        )
    for month, block in indices["by_month"].items():
        assert (
            sum(by_region_month[r][month]["interruptions"] for r in by_region_month)
            == (block["interruptions"])
        )


def test_a_one_month_period_gives_each_region_its_whole_figures(tmp_path):
    meters = meters_rows({"M1": ("D1", "F1"), "M2": ("D1", "F1")}) + meters_rows(
        {"M3": ("D2", "F1")}, "640181", "rural"
    )
    events = outage("M1", day(-50), 45) + outage("M3", day(-45), 10) + outage("M2", day(-40), 2)
    result = run_case(tmp_path, meters, events, as_of=dt.date(2026, 1, 31))
    for level in ("lv", "mv"):
        by_region_month = indices_by_region_month(result.indices)[level]
        for region, whole in result.indices[level]["by_region"].items():
            assert by_region_month[region] == {"2026-01": whole}


def test_index_block_applies_the_formulas_to_the_sums():
    sums = {
        "users": 4,
        "hours": 100.0,
        "n1": 2,
        "nc": 1,
        "d1": 7200,  # 2 customer-hours
        "n2": 1,
        "d2": 3600,
        "n3": 2,
        "d3": 7200,
        "nm": 3,
        "n_nomed": 1,
        "nc_nomed": 1,
        "d_nomed": 1800,
    }
    block = index_block(sums)
    assert block["SAIFI"] == block["AITC-1"] == 0.5
    assert block["SAIDI"] == 30.0  # 120 minutes over 4 users
    assert block["AIHC-1"] == 0.5 and block["RS-1"] == 99.5
    assert block["CAIDI"] == 120.0  # the minutes over the one closed interruption
    assert block["MAIFI"] == 0.75
    assert (block["AITC-2"], block["AIHC-2"]) == (0.25, 0.25)
    assert block["SAIDI_excluding_major_event_days"] == 7.5
    assert index_block({**sums, "nc": 0})["CAIDI"] is None
    assert index_block({**sums, "users": 0}) == {"users": 0}
