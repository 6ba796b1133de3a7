"""What customers ask for, as weighted input shapes, and their decisions computed once.

A shape is everything `getelec.core.assess` reads except the date and region. The bulk generator
draws shapes from a realistic mix (mostly residential low-voltage, some three-zero enterprises,
charging facilities, high-voltage industry) and never decides a category itself: `Decider` runs
`assess.plan` once per (shape, region, policy epoch) and the one working-day schedule
(`getelec.core.schedule.workday_schedule`) once per (applied_on, stages, pauses), so
200,000 applications cost a few thousand rule evaluations.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from getelec.core.assess import AssessInput, Plan, StageDeadline, plan
from getelec.core.policy import Policy, default_policy
from getelec.core.schedule import PauseSpan, StageSpan, workday_schedule
from getelec.core.workdays import WorkCalendar


def anchor_day(calendar: WorkCalendar, today: dt.date) -> dt.date:
    """The "today" demo histories are built up to: today, or the last day of the last loaded
    calendar year when today's year is not loaded yet (e.g. January before its schedule is
    imported), so that every working-day computation of the generators is defined."""
    last = max(calendar.years)
    return today if today.year <= last else dt.date(last, 12, 31)


@dataclass(frozen=True)
class Shape:
    customer_type: str
    capacity_kw: float
    request_type: str = "new"
    purpose: str = "general"
    voltage: str | None = None
    supply: str = "single"
    external_works: bool = False
    requested_high_voltage: bool = False
    hv_to_lv_deregistration: bool = False
    property_existing_kw: float = 0.0

    def assess_input(self, applied_on: dt.date, region: str) -> AssessInput:
        return AssessInput(**asdict(self), region=region, applied_on=applied_on)


def _residential(rng: random.Random) -> Shape:
    return Shape(
        "residential",
        rng.choice((4.0, 6.0, 6.0, 8.0, 8.0, 12.0)),
        external_works=rng.random() < 0.3,
    )


def _three_zero(rng: random.Random) -> Shape:
    return Shape(
        rng.choice(("small_micro_enterprise", "private_org")),
        rng.choice((15.0, 30.0, 50.0, 80.0, 100.0, 160.0)),
        external_works=rng.random() < 0.45,
    )


def _lv_non_residential(rng: random.Random) -> Shape:
    kind = rng.random()
    if kind < 0.5:  # other organisations (schools, hospitals, public bodies): not three-zero
        return Shape(
            "other", rng.choice((20.0, 40.0, 63.0, 100.0, 150.0)), external_works=rng.random() < 0.3
        )
    if kind < 0.8:  # capacity increase: three-zero covers new connections only
        return Shape(
            rng.choice(("small_micro_enterprise", "private_org")),
            rng.choice((20.0, 30.0, 50.0)),
            request_type="increase",
        )
    return Shape(
        rng.choice(("small_micro_enterprise", "private_org", "residential")),
        rng.choice((10.0, 30.0, 60.0)),
        request_type="temporary",
    )


def _ev(rng: random.Random) -> Shape:
    return Shape(
        rng.choice(("residential", "residential", "small_micro_enterprise", "other")),
        rng.choice((7.0, 7.0, 14.0, 60.0, 120.0)),
        purpose="ev_charging",
    )


def _ebike(rng: random.Random) -> Shape:
    return Shape("other", rng.choice((10.0, 20.0, 30.0, 50.0)), purpose="ebike_charging")


def _hv_single(rng: random.Random) -> Shape:
    kind = rng.random()
    if kind < 0.12:  # asked for HV although eligible at LV: informed consent (T1 c)
        return Shape(
            rng.choice(("small_micro_enterprise", "private_org")),
            rng.choice((80.0, 100.0, 125.0)),
            requested_high_voltage=True,
        )
    if kind < 0.2:  # split: the same property scope would exceed the cap (T1 a)
        return Shape(
            "small_micro_enterprise",
            rng.choice((60.0, 80.0)),
            property_existing_kw=rng.choice((120.0, 150.0)),
        )
    return Shape(
        rng.choice(("small_micro_enterprise", "private_org", "other")),
        rng.choice((200.0, 315.0, 400.0, 630.0, 1000.0, 1600.0, 2500.0)),
        external_works=rng.random() < 0.5,
    )


def _hv_dual(rng: random.Random) -> Shape:
    return Shape(
        "other", rng.choice((1600.0, 2500.0, 4000.0, 8000.0)), supply="dual", external_works=True
    )


# (weight, generator, expected category): the expectation only documents the intent; the
# category always comes from assess.plan.
SHAPE_MIX = [
    (52, _residential, "lv_residential"),
    (14, _three_zero, "lv_three_zero"),
    (7, _lv_non_residential, "lv_non_residential"),
    (8, _ev, "lv_ev_charging"),
    (5, _ebike, "lv_ebike_charging"),
    (11, _hv_single, "hv_single"),
    (3, _hv_dual, "hv_dual"),
]
_WEIGHTS = [w for w, _, _ in SHAPE_MIX]


def draw_shape(rng: random.Random) -> Shape:
    ((_, generator, _),) = rng.choices(SHAPE_MIX, weights=_WEIGHTS)
    return generator(rng)


@dataclass(frozen=True)
class Schedule:
    stages: list[StageDeadline | tuple[str, int, int, None]]
    due_on: dt.date | None
    pending_year: int | None
    paused_wd: int = 0  # working days of the closed pauses

    def stage_due(self, index: int) -> dt.date | None:
        stage = self.stages[index]
        return stage.due_on if isinstance(stage, StageDeadline) else None


class Decider:
    """Memoised `assess.plan` and `workday_schedule` (identical results, computed once)."""

    def __init__(self, calendar: WorkCalendar, policy: Policy | None = None):
        self.policy = policy or default_policy()
        self.calendar = calendar
        # A parameter's value can only change on one of these dates: between two of them every
        # plan is the same for the same shape and region.
        self._epochs = sorted(
            {v.effective for name in self.policy.names() for v in self.policy.history(name)}
        )
        self._plans: dict[tuple[Shape, str, int], Plan] = {}
        self._schedules: dict[tuple[object, ...], Schedule] = {}
        self.plan_calls = 0
        self.schedule_calls = 0

    def plan(self, shape: Shape, region: str, applied_on: dt.date) -> Plan:
        key = (shape, region, bisect_right(self._epochs, applied_on))
        decided = self._plans.get(key)
        if decided is None:
            self.plan_calls += 1
            decided = self._plans[key] = plan(shape.assess_input(applied_on, region), self.policy)
        return decided

    def schedule(
        self,
        decided: Plan,
        applied_on: dt.date,
        pauses: Sequence[PauseSpan] = (),
        completed: Sequence[dt.date] = (),
    ) -> Schedule:
        """The dates of `decided`'s stages with these closed pauses; `completed` are the days
        the first stages were completed (on a cumulative clock they matter only to which pauses
        shift which stage; on own clocks each stage starts when the previous one was done)."""
        spans = tuple(pauses)
        # Without pauses, completion changes nothing on a cumulative clock; on own clocks (T2,
        # charging) each stage runs from the previous one's completion.
        done = tuple(completed) if spans or decided.each_on_own_clock else ()
        key = (
            applied_on,
            tuple(decided.stages),
            decided.time_limit_wd,
            decided.stage_clock,
            spans,
            done,
        )
        found = self._schedules.get(key)
        if found is None:
            self.schedule_calls += 1
            found = self._schedules[key] = self._schedule(decided, applied_on, spans, done)
        return found

    def _schedule(
        self,
        decided: Plan,
        applied_on: dt.date,
        pauses: tuple[PauseSpan, ...],
        completed: tuple[dt.date, ...],
    ) -> Schedule:
        # One working-day schedule for the services, the core and the demo: a stage in a year
        # not loaded is pending while the earlier stages keep their dates.
        dates = workday_schedule(
            applied_on,
            [
                StageSpan(limit, completed[k] if k < len(completed) else None)
                for k, (_, limit) in enumerate(decided.stages)
            ],
            decided.time_limit_wd,
            self.calendar,
            pauses,
            each_on_own_clock=decided.each_on_own_clock,
        )
        stages: list[StageDeadline | tuple[str, int, int, None]] = []
        cumulative = 0
        for (stage, limit), due in zip(decided.stages, dates.stage_due, strict=True):
            cumulative += limit
            stages.append(
                StageDeadline(stage, limit, cumulative, due)
                if due is not None
                else (stage, limit, cumulative, None)
            )
        return Schedule(stages, dates.due_on, dates.pending_year, dates.paused_wd)
