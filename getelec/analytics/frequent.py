"""The frequent-outage rule (L28) for a handful of interruptions, in plain Python.

L28: 严格按照“一年内停电次数不超过5次”“连续60天停电次数不超过3次”标准(因恶劣天气等不可抗力和
外力破坏造成的停电除外)进行总体管控. The engine (getelec.analytics.pipeline: `count_level`,
`point_stats`, `point_rules`) applies the same rule in SQL to millions of points; this module is
its reference for one point, tested against it (tests/test_frequent.py), and the one Python copy
of the rule: the supply-quality desk (getelec.outages.rules) and the assistant call it.

For one supply point, with the interruptions that count under L28 (momentary ones and excluded
causes already left out), as of a date:

- the period is the calendar year of the as-of date up to its end (`outage_period`);
- sequential merge (`outage_merge_window_hours`): an interruption starting less than that many
  hours after the start of the last *counted* one is merged into it, in time order;
- `count_year`: the counted interruptions; `year_limit` when above `outage_year_max_count`;
- `max_count_window`: the most counted interruptions starting within any `window_days`
  consecutive days [d, d + window_days − 1] (`outage_window_days`); `window_limit` when above
  `outage_window_max_count`.

Times are naive local wall-clock time (the engine's unit); a day is a calendar date. A plain
`date` stands for an interruption whose time is unknown: it is counted as given (no merge can
be decided for it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

# The clause behind each rule code (codes as the engine names them, in the engine's order).
RULE_CLAUSES: dict[str, str] = {"year_limit": "L28", "window_limit": "L28"}


class FrequentLimits(Protocol):
    """The L28 values in force, named as their policy parameters: OutageParams
    (getelec.analytics.params) or anything with them."""

    @property
    def outage_year_max_count(self) -> int: ...
    @property
    def outage_window_days(self) -> int: ...
    @property
    def outage_window_max_count(self) -> int: ...
    @property
    def outage_merge_window_hours(self) -> float: ...


@dataclass(frozen=True)
class Breach:
    """One L28 rule broken: its code, clause, the count found and the limit it exceeds."""

    rule: str  # year_limit | window_limit
    clause: str
    count: int
    limit: int
    window_days: int | None = None  # window_limit: the window length, and where it lies
    window_start: dt.date | None = None
    window_end: dt.date | None = None


@dataclass(frozen=True)
class Window:
    """A window [start, end] of `days` days and the counted interruptions starting in it."""

    start: dt.date
    end: dt.date
    count: int


@dataclass(frozen=True)
class FrequentStatus:
    as_of: dt.date
    count_year: int
    max_count_window: int
    window_days: int
    window: Window | None  # the first window holding max_count_window (None: nothing counted)
    breaches: tuple[Breach, ...]
    counted: tuple[dt.date | dt.datetime, ...]  # in time order
    merged: tuple[dt.datetime, ...]  # merged into an earlier counted interruption
    outside: tuple[dt.date | dt.datetime, ...]  # not in the period (other year, after as-of)

    @property
    def frequent(self) -> bool:
        return bool(self.breaches)

    @property
    def rule(self) -> str:
        """The engine's `rule` column: codes joined by commas, "" when not frequent."""
        return ",".join(b.rule for b in self.breaches)


def _day(t: dt.date | dt.datetime) -> dt.date:
    return t.date() if isinstance(t, dt.datetime) else t


def merge_sequential(
    starts: Iterable[dt.datetime], merge_window_hours: float
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """(counted, merged): in time order, a start less than `merge_window_hours` after the last
    counted start is merged into it (chained: the reference is always the last counted one)."""
    window = dt.timedelta(hours=merge_window_hours)
    counted: list[dt.datetime] = []
    merged: list[dt.datetime] = []
    for t in sorted(starts):
        if counted and t - counted[-1] < window:
            merged.append(t)
        else:
            counted.append(t)
    return counted, merged


def windows(days: Sequence[dt.date], window_days: int) -> list[Window]:
    """For each counted day d (in order, once), the window [d, d + window_days − 1] and its
    count. A window that starts on a counted day holds as many as any other, so these suffice."""
    ordered = sorted(days)
    out = []
    for i, first in enumerate(ordered):
        if i and ordered[i - 1] == first:
            continue
        last = first + dt.timedelta(days=window_days - 1)
        out.append(Window(first, last, sum(1 for d in ordered[i:] if d <= last)))
    return out


def max_in_window(days: Sequence[dt.date], window_days: int) -> tuple[int, dt.date | None]:
    """The largest number of `days` inside any [d, d + window_days − 1], and that window's start
    (the earliest start among equals)."""
    best = max(windows(days, window_days), key=lambda w: w.count, default=None)
    return (best.count, best.start) if best else (0, None)


def breaching_windows(days: Sequence[dt.date], limits: FrequentLimits) -> list[Window]:
    """The windows holding more counted interruptions than `window_max_count`."""
    return [
        w
        for w in windows(days, limits.outage_window_days)
        if w.count > limits.outage_window_max_count
    ]


def breaches_of(days: Sequence[dt.date], limits: FrequentLimits) -> tuple[Breach, ...]:
    """The L28 rules broken by the counted interruptions on `days` (one period)."""
    found = []
    if len(days) > limits.outage_year_max_count:
        found.append(
            Breach(
                "year_limit", RULE_CLAUSES["year_limit"], len(days), limits.outage_year_max_count
            )
        )
    count, start = max_in_window(days, limits.outage_window_days)
    if start is not None and count > limits.outage_window_max_count:
        found.append(
            Breach(
                "window_limit",
                RULE_CLAUSES["window_limit"],
                count,
                limits.outage_window_max_count,
                limits.outage_window_days,
                start,
                start + dt.timedelta(days=limits.outage_window_days - 1),
            )
        )
    return tuple(found)


def frequent_status(
    starts: Iterable[dt.date | dt.datetime], as_of: dt.date, params: FrequentLimits
) -> FrequentStatus:
    """Is a supply point with interruptions starting at `starts` frequent (L28) as of `as_of`?

    `starts`: the interruptions that count under L28 (not momentary, not of an excluded cause),
    as naive local datetimes (merged by the sequential rule) or dates (counted as given).
    `params`: the L28 values in force on `as_of` (`params_from_policy(as_of)`)."""
    if isinstance(as_of, dt.datetime):
        raise TypeError("as_of is a date")
    period_start = dt.date(as_of.year, 1, 1)
    timed: list[dt.datetime] = []
    dated: list[dt.date] = []
    outside: list[dt.date | dt.datetime] = []
    for t in starts:
        if isinstance(t, dt.datetime) and t.tzinfo is not None:
            raise ValueError("interruption starts are naive local times (the engine's unit)")
        if not period_start <= _day(t) <= as_of:
            outside.append(t)
        elif isinstance(t, dt.datetime):
            timed.append(t)
        else:
            dated.append(t)
    counted_times, merged = merge_sequential(timed, params.outage_merge_window_hours)
    counted: list[dt.date | dt.datetime] = [*counted_times, *dated]
    counted.sort(key=lambda t: (_day(t), t if isinstance(t, dt.datetime) else dt.datetime.min))
    days = [_day(t) for t in counted]
    count, start = max_in_window(days, params.outage_window_days)
    window = (
        Window(start, start + dt.timedelta(days=params.outage_window_days - 1), count)
        if start is not None
        else None
    )
    return FrequentStatus(
        as_of=as_of,
        count_year=len(days),
        max_count_window=count,
        window_days=params.outage_window_days,
        window=window,
        breaches=breaches_of(days, params),
        counted=tuple(counted),
        merged=tuple(merged),
        outside=tuple(sorted(outside, key=_day)),
    )


def breach_margin(counted_days: Sequence[dt.date], as_of: dt.date, limits: FrequentLimits) -> int:
    """How many further counted interruptions (from the day after `as_of`) would breach L28:
    the smaller of the year margin and the margin of the window ending tomorrow."""
    year_margin = limits.outage_year_max_count + 1 - len(counted_days)
    window_start = as_of + dt.timedelta(days=1) - dt.timedelta(days=limits.outage_window_days - 1)
    recent = sum(1 for d in counted_days if d >= window_start)
    window_margin = limits.outage_window_max_count + 1 - recent
    return max(0, min(year_margin, window_margin))
