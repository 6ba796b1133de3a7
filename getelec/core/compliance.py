"""The on-time rate of connection time limits (T2/L3), one definition for every report.

A rate over completed cases only hides a backlog: a company that has connected nothing late
but holds 28 applications past their due date would show 100 %. The rate therefore counts the
open applications already past their due date on the report date as misses:

    on-time rate = completed within the limit ÷ (completed + open and past due on the report date)

Open applications not yet due are left out (their outcome is not known yet). Pure: no Django.
"""

from __future__ import annotations

import datetime as dt


def on_time_rate(on_time: int, completed: int, open_past_due: int) -> float | None:
    """The on-time rate in percent (one decimal), or None when nothing counts yet.

    `on_time`: completed within the limit (a subset of `completed`); `completed`: all completed;
    `open_past_due`: still open and past their due date on the report date.
    """
    if min(on_time, completed, open_past_due) < 0:
        raise ValueError("counts cannot be negative")
    if on_time > completed:
        raise ValueError("on-time cases are a subset of the completed ones")
    denominator = completed + open_past_due
    if denominator == 0:
        return None
    return round(100 * on_time / denominator, 1)


def clock_overdue(due_on: dt.date | None, today: dt.date, paused_since: dt.date | None) -> bool:
    """Open and past its due date on `today` with the clock running. While a customer-side pause
    is open the clock stands still (T2/L3: customer-caused time is not counted), so a paused
    application is overdue only if its due date had already passed when the pause began; the
    due date moves on by the paused working days when the clock restarts."""
    if due_on is None:
        return False
    until = today if paused_since is None else min(today, paused_since)
    return due_on < until
