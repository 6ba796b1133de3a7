"""Signals between the calendar and the domains that store deadlines computed on it.

The calendar app does not know those domains: it asks them through these signals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal

# Sent after a year's schedule is imported (inside the import's transaction), with `year`,
# `actor` and `replaced` (True when the days of a year already in force changed). Also sent when
# the import changed nothing, so deadlines left pending on that year (a process that computed
# them on an older calendar) are computed now. Receivers recompute their deadlines — those
# pending on a loaded year, and when `replaced` every open one touching `year` — auditing each
# moved date, and return how many objects changed.
calendar_year_imported = Signal()

# Sent before a year in force is replaced, with `year` and `calendar` (the calendar as it would
# be after the replacement). Receivers change nothing and return the dates that would move, as a
# list of DateMove.
calendar_replacement_impact = Signal()


@dataclass(frozen=True)
class DateMove:
    """One stored date that a calendar change moves (e.g. an application's overall due date)."""

    label: str  # the object, as users know it (e.g. an application number)
    field: str  # which date, e.g. "due_on" or a stage code
    old: dt.date | None  # None: pending (the calendar lacked a year)
    new: dt.date | None
    field_label: str = ""  # the date's name for users (e.g. "全过程到期日")
