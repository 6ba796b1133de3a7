"""Pure rules of the supply-quality desk (getelec.outages.rules): no database.

Every limit comes from policy data in force on the day; the first table pins those values to
their clauses so a change of the policy file is a visible, reviewed change of these tests.
Dates below are in 2026 (today in the project is 2026-11-26).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from getelec.analytics.params import params_from_policy
from getelec.core.policy import default_policy
from getelec.outages import rules

pytestmark = pytest.mark.pure

ON = dt.date(2026, 11, 26)
LIMITS = rules.Limits.from_params(params_from_policy(ON))


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def t(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)


def day_n(n: int) -> dt.date:
    """Day n of a window that starts on 1 March (day 0)."""
    return d(3, 1) + dt.timedelta(days=n)


# --------------------------------------------------------------------------------------------
# The values the desk reads, with their clauses
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "value", "clause"),
    [
        ("outage_year_max_count", 5, "L28"),  # ≤ 5 outages a year
        ("outage_window_days", 60, "L28"),  # in any 60 consecutive days …
        ("outage_window_max_count", 3, "L28"),  # … ≤ 3
        ("quality_observation_days", 60, "DEFAULT"),  # L30 gives no number: platform default
        ("quality_planned_notice_days", 7, "PRACTICE"),  # 电力供应与使用条例 art. 28
        ("quality_merge_lookahead_days", 30, "DEFAULT"),  # 一停多用 (L25) gives no window
        ("quality_repair_arrival_minutes", {"urban": 45, "rural": 90, "remote": 120}, "PRACTICE"),
        ("quality_reward_rs1_min_percent", 99.95, "DEFAULT"),  # L27 gives no threshold
        ("quality_penalty_rs1_below_percent", 99.8, "DEFAULT"),
        ("quality_penalty_frequent_districts_min", 3, "DEFAULT"),
        ("quality_signoff_organisation", "国家能源局西北监管局", "L30"),
    ],
)
def test_the_desk_reads_its_numbers_from_policy_data_with_a_clause(
    parameter: str, value: Any, clause: str
) -> None:
    found = default_policy().get(parameter, ON)
    assert (found.value, found.citation.clause) == (value, clause)
    assert found.citation.reason if clause == "DEFAULT" else found.citation.quote


def test_the_limits_are_the_l28_numbers() -> None:
    assert (
        LIMITS.outage_year_max_count,
        LIMITS.outage_window_days,
        LIMITS.outage_window_max_count,
    ) == (5, 60, 3)


# --------------------------------------------------------------------------------------------
# L28: breaches (year limit, 60-day window)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param([day_n(n) for n in (0, 20, 40, 59)], ["window_limit"], id="4-in-days-0..59"),
        pytest.param([day_n(n) for n in (0, 20, 40, 60)], [], id="day-60-is-outside-the-window"),
        pytest.param([day_n(n) for n in (0, 20, 40)], [], id="3-in-60-days-is-allowed"),
        pytest.param([d(m, 1) for m in (1, 3, 5, 7, 9)], [], id="5-a-year-is-allowed"),
        pytest.param([d(m, 1) for m in (1, 3, 5, 7, 9, 11)], ["year_limit"], id="6-a-year"),
        pytest.param(
            [d(1, 1), d(3, 1), d(5, 1), d(5, 2), d(5, 3), d(5, 4)],
            ["year_limit", "window_limit"],
            id="both",
        ),
    ],
)
def test_l28_breaches(days: list[dt.date], expected: list[str]) -> None:
    assert rules.breaches(days, LIMITS) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([day_n(n) for n in (0, 20, 40, 59)], day_n(59)),  # the 4th inside 60 days
        ([day_n(n) for n in (0, 20, 40, 60)], None),
        ([d(m, 1) for m in (1, 3, 5, 7, 9, 11)], d(11, 1)),  # the 6th of the year
        ([d(m, 1) for m in (11, 9, 7, 5, 3, 1)], d(11, 1)),  # order of input does not matter
    ],
)
def test_the_breach_date_is_the_day_of_the_interruption_that_broke_l28(
    days: list[dt.date], expected: dt.date | None
) -> None:
    assert rules.breach_date(days, LIMITS) == expected


# --------------------------------------------------------------------------------------------
# L28/L30: re-opening only on a breach that includes an interruption after the rectified date
# --------------------------------------------------------------------------------------------

RECTIFIED = d(6, 30)
BEFORE = [t(5, 1), t(5, 10), t(5, 20), t(6, 1)]  # 4 in 60 days: the original breach


@pytest.mark.parametrize(
    ("counted", "fired", "after"),
    [
        pytest.param(BEFORE, [], [], id="old-breach-alone-never-reopens"),
        pytest.param([*BEFORE, t(6, 30, 23)], [], [], id="the-rectified-day-itself-is-before"),
        pytest.param(
            [*BEFORE, t(7, 5)],
            ["window_limit"],  # 5/10, 5/20, 6/1, 7/5 lie within [5/10, 7/8]
            [t(7, 5)],
            id="later-one-completes-a-60-day-breach",
        ),
        pytest.param(
            [*BEFORE, t(7, 15)], [], [t(7, 15)], id="later-one-in-no-window-of-4-does-not"
        ),  # [5/20, 7/18] holds 5/20, 6/1, 7/15: three
        pytest.param(
            [t(1, 5), t(3, 5), t(5, 5), t(6, 20), t(9, 1), t(11, 1)],
            ["year_limit"],  # the 6th of the year is after the rectified date
            [t(9, 1), t(11, 1)],
            id="later-one-is-the-6th-of-the-year",
        ),
    ],
)
def test_reopen_breach(
    counted: list[dt.datetime], fired: list[str], after: list[dt.datetime]
) -> None:
    assert rules.reopen_breach(counted, RECTIFIED, LIMITS) == (fired, after)


# --------------------------------------------------------------------------------------------
# L30: the observation period (quality_observation_days, 60)
# --------------------------------------------------------------------------------------------

OBSERVATION = default_policy().get("quality_observation_days", ON).value


@pytest.mark.parametrize(
    ("counted", "end"),
    [
        pytest.param([], d(11, 10), id="60-days-after-the-rectified-date"),  # 9/11 + 60
        pytest.param([t(9, 1)], d(11, 10), id="interruptions-before-do-not-matter"),
        pytest.param([t(9, 11, 22)], d(11, 10), id="on-the-rectified-day-is-before"),
        pytest.param([t(10, 1)], d(11, 30), id="a-later-counted-one-restarts-the-period"),
        pytest.param([t(10, 1), t(9, 20)], d(11, 30), id="from-the-latest-one"),
    ],
)
def test_observation_end(counted: list[dt.datetime], end: dt.date) -> None:
    assert rules.observation_end(d(9, 11), counted, OBSERVATION) == end


@pytest.mark.parametrize(
    ("today", "passed"),
    [(d(11, 10), False), (d(11, 11), True)],  # the last day of the period must be over
)
def test_the_observation_period_has_passed_only_after_its_last_day(
    today: dt.date, passed: bool
) -> None:
    assert rules.observation_passed(d(9, 11), [], OBSERVATION, today) is passed


# --------------------------------------------------------------------------------------------
# Early warning: how many more counted interruptions until L28 is broken
# --------------------------------------------------------------------------------------------

AS_OF = d(11, 25)


@pytest.mark.parametrize(
    ("days", "margin"),
    [
        ([], 4),  # 4 inside any 60 days breaks first
        ([d(1, 5), d(3, 5)], 4),  # nothing recent, year margin 6 - 2 = 4
        ([d(1, 5), d(3, 5), d(5, 5), d(7, 5)], 2),  # year: 6 - 4
        ([d(1, 5), d(3, 5), d(5, 5), d(7, 5), d(9, 5)], 1),  # year: 6 - 5
        ([d(10, 1), d(11, 1)], 2),  # window ending 11/26 holds 2: 4 - 2
        ([d(9, 28), d(10, 1), d(11, 1)], 1),  # 9/28 is in [9/28, 11/26]
        ([d(9, 27), d(10, 1), d(11, 1)], 2),  # 9/27 dropped out of the next window
    ],
)
def test_breach_margin(days: list[dt.date], margin: int) -> None:
    assert rules.breach_margin(days, AS_OF, LIMITS) == margin


# --------------------------------------------------------------------------------------------
# Planned outages: L28 projection, merge rule (一停多用, L25), notice period (art. 28)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counted", "planned", "new", "expected"),
    [
        pytest.param([t(10, 1), t(10, 20)], [], t(12, 10), (3, 2, [], False), id="3rd-is-ok"),
        pytest.param(
            [t(10, 20), t(11, 1)],
            [t(12, 5)],
            t(12, 15),
            (4, 4, ["window_limit"], False),
            id="announced-work-counts-too",
        ),
        pytest.param(
            [t(10, 20), t(11, 1)],
            [t(12, 15, 8)],
            t(12, 15, 12),
            (3, 3, [], True),
            id="within-the-merge-window-of-planned-work-is-not-counted-again",
        ),
        pytest.param(
            [t(1, 5), t(3, 10), t(5, 15), t(7, 20), t(9, 25)],  # > 60 days apart
            [],
            t(12, 10),
            (6, 1, ["year_limit"], False),
            id="6th-of-the-year",
        ),
        pytest.param(
            [t(1, 5), t(3, 5), t(5, 5), t(7, 5), t(9, 5)],
            [],
            dt.datetime(2027, 1, 10, 10),
            (1, 1, [], False),
            id="next-year-starts-from-zero",
        ),
    ],
)
def test_project_planned(
    counted: list[dt.datetime],
    planned: list[dt.datetime],
    new: dt.datetime,
    expected: tuple[int, int, list[str], bool],
) -> None:
    p = rules.project_planned(counted, planned, new, LIMITS)
    assert (p.count_year, p.max_count_window, p.breaches, p.merged) == expected


NOTICE_DAYS = default_policy().get("quality_planned_notice_days", ON).value


@pytest.mark.parametrize(
    ("start_on", "ok"),
    [(d(12, 2), False), (d(12, 3), True), (d(12, 31), True), (d(11, 26), False)],
)
def test_a_planned_outage_is_announced_at_least_the_notice_days_ahead(
    start_on: dt.date, ok: bool
) -> None:
    assert rules.earliest_planned_start(d(11, 26), NOTICE_DAYS) == d(12, 3)
    assert rules.notice_ok(d(11, 26), start_on, NOTICE_DAYS) is ok


# --------------------------------------------------------------------------------------------
# Repair arrival against the published commitment of the area
# --------------------------------------------------------------------------------------------

COMMITMENT = default_policy().get("quality_repair_arrival_minutes", ON).value


@pytest.mark.parametrize(
    ("area", "after", "minutes", "late"),
    [
        ("urban", dt.timedelta(minutes=45), 45, False),
        ("urban", dt.timedelta(minutes=45, seconds=1), 46, True),  # rounded up
        ("rural", dt.timedelta(minutes=90), 90, False),
        ("rural", dt.timedelta(minutes=91), 91, True),
        ("remote", dt.timedelta(hours=2), 120, False),
        ("remote", dt.timedelta(hours=2, minutes=1), 121, True),
    ],
)
def test_arrival_is_late_after_the_area_commitment(
    area: str, after: dt.timedelta, minutes: int, late: bool
) -> None:
    accepted = t(11, 20, 8)
    assert rules.arrival_late(accepted, accepted + after, COMMITMENT[area]) == (minutes, late)


# --------------------------------------------------------------------------------------------
# L27: reward / penalty by region
# --------------------------------------------------------------------------------------------

CRITERIA = tuple(
    default_policy().get(name, ON).value
    for name in (
        "quality_reward_rs1_min_percent",
        "quality_penalty_rs1_below_percent",
        "quality_penalty_frequent_districts_min",
    )
)


@pytest.mark.parametrize(
    ("rs1", "frequent", "verdict", "reasons"),
    [
        (None, 0, "no_data", []),
        (99.95, 0, "reward", ["rs1_reward", "no_frequent_districts"]),
        (99.99, 1, "pass", []),  # a frequent district forbids the reward
        (99.9, 0, "pass", []),
        (99.8, 2, "pass", []),  # exactly on the penalty line is not below it
        (99.79, 0, "penalty", ["rs1_below_penalty"]),
        (99.99, 3, "penalty", ["frequent_districts"]),
        (99.0, 5, "penalty", ["rs1_below_penalty", "frequent_districts"]),
    ],
)
def test_reward_penalty(rs1: float | None, frequent: int, verdict: str, reasons: list[str]) -> None:
    assert rules.reward_penalty(rs1, frequent, *CRITERIA) == (verdict, reasons)
