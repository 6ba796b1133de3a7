"""Pure rules of the supply-quality desk (no Django): every threshold comes in as an argument
read from policy data by the caller (getelec.analytics.params.OutageParams for the L28 counting
rules, getelec/policy/quality.yaml for the desk's own numbers).

The L28 rule itself (sequential merge, year count, the largest count in a window, which limits
are broken) is written once, in getelec.analytics.frequent; what follows builds on it.

- `reopen_breach`: a ledger entry re-opens only when a breach includes a counted interruption
  after its rectified date (year-to-date counts never fall, so an old breach alone never does).
- `observation_end`: the observation period runs from the rectified date; a counted
  interruption inside it (that does not breach) restarts the period from that day.
- `breach_margin`: how many more counted interruptions a district can take before it breaches
  (orders the early-warning list).
- `project_planned`: would one more counted interruption at a planned time breach L28?
- `earliest_planned_start` / `notice_ok`: the public notice period of a planned outage.
- `arrival_late`, `reward_penalty`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from getelec.analytics import frequent
from getelec.analytics.frequent import breach_margin, max_in_window
from getelec.analytics.params import OutageParams

__all__ = [
    "LABEL_PARAMETERS",
    "RULE_LABELS",
    "Limits",
    "Projection",
    "arrival_late",
    "breach_date",
    "breach_margin",
    "breaches",
    "earliest_planned_start",
    "max_in_window",
    "notice_ok",
    "observation_end",
    "observation_passed",
    "project_planned",
    "reopen_breach",
    "reward_penalty",
]


def gettext_noop(message: str) -> str:
    """Marks a label for the translation catalog (makemessages extracts gettext_noop) while
    keeping this module free of Django; callers translate with gettext at display time."""
    return message


# Rule labels with the limits as placeholders; fill them with `Limits.label_values()` (the
# policy values in force), never with literals.
RULE_LABELS = {
    "year_limit": gettext_noop("一年内停电超过%(outage_year_max_count)s次（L28）"),
    "window_limit": gettext_noop(
        "连续%(outage_window_days)s天停电超过%(outage_window_max_count)s次（L28）"
    ),
}
# The policy parameters RULE_LABELS name (their placeholders).
LABEL_PARAMETERS = ("outage_year_max_count", "outage_window_days", "outage_window_max_count")


@dataclass(frozen=True)
class Limits:
    """The L28 limits, the merge rule and the problem-line threshold: the desk's part of
    OutageParams, each named as its policy parameter (getelec/policy/outages.yaml)."""

    outage_year_max_count: int
    outage_window_days: int
    outage_window_max_count: int
    outage_merge_window_hours: float
    outage_problem_line_min_districts: int

    @classmethod
    def from_params(cls, params: OutageParams) -> Limits:
        return cls(**{f.name: getattr(params, f.name) for f in fields(cls)})

    def label_values(self) -> dict[str, int]:
        """The placeholders of RULE_LABELS (the same names)."""
        return {name: getattr(self, name) for name in LABEL_PARAMETERS}


def breaches(days: Sequence[dt.date], limits: Limits) -> list[str]:
    """Rule codes (as the engine names them) that `days` of counted interruptions break."""
    return [b.rule for b in frequent.breaches_of(days, limits)]


def breach_date(days: Sequence[dt.date], limits: Limits) -> dt.date | None:
    """The day the counted interruptions first broke an L28 limit (None: never)."""
    ordered = sorted(days)
    for i in range(len(ordered)):
        if breaches(ordered[: i + 1], limits):
            return ordered[i]
    return None


def reopen_breach(
    counted: Sequence[dt.datetime], rectified_on: dt.date, limits: Limits
) -> tuple[list[str], list[dt.datetime]]:
    """Rules broken by a breach that includes a counted interruption after `rectified_on`,
    and those later interruptions. ([], [...]) when later interruptions do not breach."""
    after = sorted(t for t in counted if t.date() > rectified_on)
    if not after:
        return [], []
    days = [t.date() for t in counted]
    later_days = {t.date() for t in after}
    # The year count always includes the later ones; a window must hold one of them.
    later_windows = any(
        w.start <= d <= w.end for w in frequent.breaching_windows(days, limits) for d in later_days
    )
    fired = [c for c in breaches(days, limits) if c == "year_limit" or later_windows]
    return fired, after


def observation_end(
    rectified_on: dt.date, counted: Iterable[dt.datetime], observation_days: int
) -> dt.date:
    """The last day of the observation period: `observation_days` after the rectified date, or
    after the latest counted interruption since then (which restarts it)."""
    later = [t.date() for t in counted if t.date() > rectified_on]
    start = max([rectified_on, *later])
    return start + dt.timedelta(days=observation_days)


def observation_passed(
    rectified_on: dt.date, counted: Iterable[dt.datetime], observation_days: int, today: dt.date
) -> bool:
    return today > observation_end(rectified_on, counted, observation_days)


@dataclass(frozen=True)
class Projection:
    count_year: int
    max_count_window: int
    breaches: list[str]
    merged: bool  # the planned outage falls within the merge window of a counted one


def project_planned(
    counted: Sequence[dt.datetime],
    planned: Sequence[dt.datetime],
    new_start: dt.datetime,
    limits: Limits,
) -> Projection:
    """Add the already planned outages and `new_start` to a district's counted interruptions
    (same calendar year only, merge rule applied in time order) and check the L28 limits."""
    merge = dt.timedelta(hours=limits.outage_merge_window_hours)
    kept, _merged = frequent.merge_sequential(
        [*counted, *(p for p in planned if p.year == new_start.year)],
        limits.outage_merge_window_hours,
    )
    # Within the merge window of another start, one of the two is not counted again.
    merged = any(abs(new_start - t) < merge for t in kept)
    if not merged:
        kept = sorted([*kept, new_start])
    days = [t.date() for t in kept if t.year == new_start.year]
    return Projection(
        count_year=len(days),
        max_count_window=max_in_window(days, limits.outage_window_days)[0],
        breaches=breaches(days, limits) if not merged else [],
        merged=merged,
    )


def earliest_planned_start(announced_on: dt.date, notice_days: int) -> dt.date:
    """The first day a planned outage announced on `announced_on` may start: the notice must
    be given at least `notice_days` calendar days ahead (电力供应与使用条例 art. 28: 提前7天)."""
    return announced_on + dt.timedelta(days=notice_days)


def notice_ok(announced_on: dt.date, start_on: dt.date, notice_days: int) -> bool:
    return start_on >= earliest_planned_start(announced_on, notice_days)


def arrival_late(
    accepted_at: dt.datetime, arrived_at: dt.datetime, commitment_minutes: int
) -> tuple[int, bool]:
    """Minutes from acceptance to arrival (rounded up) and whether that exceeds the commitment."""
    seconds = (arrived_at - accepted_at).total_seconds()
    minutes = int(-(-seconds // 60))
    return minutes, minutes > commitment_minutes


def reward_penalty(
    rs1: float | None,
    frequent_districts: int,
    reward_rs1_min: float,
    penalty_rs1_below: float,
    penalty_frequent_min: int,
) -> tuple[str, list[str]]:
    """ "reward" | "penalty" | "pass" | "no_data" and the reasons (criterion codes)."""
    if rs1 is None:
        return "no_data", []
    reasons = []
    if rs1 < penalty_rs1_below:
        reasons.append("rs1_below_penalty")
    if frequent_districts >= penalty_frequent_min:
        reasons.append("frequent_districts")
    if reasons:
        return "penalty", reasons
    if rs1 >= reward_rs1_min and frequent_districts == 0:
        return "reward", ["rs1_reward", "no_frequent_districts"]
    return "pass", []
