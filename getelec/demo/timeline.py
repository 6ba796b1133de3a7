"""One bulk application's history on the working-day clock (getelec.demo.bulk): how long each
stage takes, the customer-side pauses, a cancellation, and what had happened by today."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from getelec.connection import models as m
from getelec.core.assess import Plan


@dataclass
class Timeline:
    """One application's history in working-day offsets after `applied_on`: completion offset
    of each completed stage, the pauses ([start, end or None (open), reason, shifts the
    clock]), whether it ran late or was cancelled."""

    calendar: Any
    applied_on: dt.date
    elapsed: int
    late: bool
    cancelled: bool
    done: list[int]
    pauses: list[list[Any]]
    open_pause: list[Any] | None

    def day(self, off: int) -> dt.date:
        return self.calendar.add_workdays(self.applied_on, off)  # type: ignore[no-any-return]


def simulate(
    rng: random.Random, decided: Plan, applied_on: dt.date, calendar: Any, today: dt.date
) -> Timeline:
    """How long each stage takes, the pauses, a cancellation, and what happened by today."""
    n = len(decided.stages)
    elapsed = calendar.workdays_between(applied_on, today)
    late = rng.random() < 0.04
    actual = [max(1, round(limit * rng.uniform(0.3, 1.0))) for _, limit in decided.stages]
    if late:
        k = rng.randrange(n)
        actual[k] = decided.stages[k][1] * rng.choice((2, 3)) + rng.randrange(0, 6)
    # Pauses: (stage index it starts at, working days, reason); the T1 consent wait first.
    planned: list[tuple[int, int, str]] = []
    if decided.informed_consent_required:
        planned.append((0, rng.choice((1, 1, 2, 3)), m.PauseReason.AWAITING_CONSENT))
    if rng.random() < 0.10 and n > 1:
        reason = rng.choice(
            (
                m.PauseReason.CUSTOMER_WORKS,
                m.PauseReason.CUSTOMER_WORKS,
                m.PauseReason.MISSING_DOCUMENTS,
                m.PauseReason.CUSTOMER_REQUEST,
                m.PauseReason.CUSTOMER_UNREACHABLE,
            )
        )
        planned.append((rng.randrange(1, n), rng.choice((2, 3, 5, 8, 12, 20)), reason))
    # A few applications are withdrawn part-way (the clock stops that day).
    horizon = elapsed
    cancelled = rng.random() < 0.025 and elapsed > 1
    if cancelled:
        horizon = rng.randrange(1, min(elapsed, sum(actual) + sum(p[1] for p in planned)))

    # Walk the timeline up to the horizon: pauses, then the stage's own work.
    offset = 0
    done: list[int] = []  # completion offset of each completed stage
    pauses: list[list[Any]] = []  # [start, end or None (open), reason, shifts the clock]
    for k in range(n):
        for at, wd, reason in planned:
            if at == k and offset <= horizon:
                end = offset + wd
                pauses.append([offset, end if end <= horizon else None, reason, True])
                offset = end
        if offset > horizon or offset + actual[k] > horizon:
            break
        offset += actual[k]
        done.append(offset)

    open_pause = next((p for p in pauses if p[1] is None), None)
    if cancelled and open_pause is not None:
        # cancel_application closes the open pause that day without moving any due date.
        open_pause[1], open_pause[3] = horizon, False
    return Timeline(
        calendar=calendar,
        applied_on=applied_on,
        elapsed=elapsed,
        late=late,
        cancelled=cancelled,
        done=done,
        pauses=pauses,
        open_pause=open_pause,
    )
