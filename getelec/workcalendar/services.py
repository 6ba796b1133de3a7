"""Importing a year's official schedule: atomic, audited, idempotent.

- A year not in force yet is stored; deadlines pending on it are computed.
- The same days as the schedule in force change nothing, but deadlines still pending on a loaded
  year are computed (a process that read an older calendar may have left some behind).
- Different days for a year in force (shipped or imported) replace it only when confirmed: the
  unconfirmed call raises ReplacementNotConfirmed with the impact (which days change and which
  stored deadlines would move) and writes nothing; the confirmed one stores the schedule and
  recomputes every open deadline touching the year, each moved date audited with old and new.
All of it in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction

from getelec.audit.services import record
from getelec.core.workdays import CalendarYearNotLoaded, YearSchedule
from getelec.workcalendar import source
from getelec.workcalendar.models import CalendarYear
from getelec.workcalendar.signals import (
    DateMove,
    calendar_replacement_impact,
    calendar_year_imported,
)


@dataclass(frozen=True)
class Replacement:
    """What replacing the schedule in force of `year` changes."""

    year: int
    replaces: str  # where the schedule in force comes from ("chinese-calendar 1.2", "2027.json")
    holidays_added: tuple[dt.date, ...]
    holidays_removed: tuple[dt.date, ...]
    workdays_added: tuple[dt.date, ...]
    workdays_removed: tuple[dt.date, ...]
    moves: tuple[DateMove, ...] = field(default=())

    @property
    def moved_objects(self) -> int:
        """How many objects (applications) would have at least one date moved."""
        return len({move.label for move in self.moves})


class ReplacementNotConfirmed(Exception):
    """Replacing a year in force needs confirmation; nothing was changed."""

    def __init__(self, replacement: Replacement):
        self.replacement = replacement
        super().__init__(f"replacing the {replacement.year} schedule needs confirmation")


@dataclass(frozen=True)
class ImportResult:
    year: int
    changed: bool  # the stored schedule changed
    replacement: Replacement | None  # set when the days of a year in force were replaced
    recomputed: int  # objects whose stored deadlines were (re)computed and changed


def _replacement(in_force: YearSchedule, schedule: YearSchedule) -> Replacement:
    def diff(a: frozenset[dt.date], b: frozenset[dt.date]) -> tuple[dt.date, ...]:
        return tuple(sorted(a - b))

    return Replacement(
        year=schedule.year,
        replaces=in_force.source,
        holidays_added=diff(schedule.holidays, in_force.holidays),
        holidays_removed=diff(in_force.holidays, schedule.holidays),
        workdays_added=diff(schedule.workdays, in_force.workdays),
        workdays_removed=diff(in_force.workdays, schedule.workdays),
    )


def _responses(results: list[tuple[Any, Any]]) -> list[Any]:
    return [response for _receiver, response in results]


def import_year(
    schedule: YearSchedule, actor: Any, source_label: str = "", confirm: bool = False
) -> ImportResult:
    """Store `schedule` (see the module docstring); raises ReplacementNotConfirmed."""
    data = schedule.as_json()
    new = {"holidays": data["holidays"], "workdays": data["workdays"]}
    try:
        with transaction.atomic():
            # Serialises imports of the same year; the revision check makes `calendar` the one
            # committed now, whatever this process read before.
            CalendarYear.objects.select_for_update().filter(year=schedule.year).first()
            calendar = source.current_calendar(fresh=True)
            try:
                in_force: YearSchedule | None = calendar.schedule(schedule.year)
            except CalendarYearNotLoaded:
                in_force = None
            if in_force is not None and (in_force.holidays, in_force.workdays) == (
                schedule.holidays,
                schedule.workdays,
            ):
                recomputed = calendar_year_imported.send(
                    sender=CalendarYear, year=schedule.year, actor=actor, replaced=False
                )
                return ImportResult(
                    schedule.year, False, None, sum(r or 0 for r in _responses(recomputed))
                )
            replacement = None
            if in_force is not None:
                moves = calendar_replacement_impact.send(
                    sender=CalendarYear,
                    year=schedule.year,
                    calendar=calendar.with_years([schedule]),
                )
                replacement = replace(
                    _replacement(in_force, schedule),
                    moves=tuple(m for found in _responses(moves) for m in found or ()),
                )
                if not confirm:
                    raise ReplacementNotConfirmed(replacement)
            row, _ = CalendarYear.objects.update_or_create(
                year=schedule.year,
                defaults={**new, "source": source_label or schedule.source},
            )
            old = (
                {
                    "holidays": [d.isoformat() for d in sorted(in_force.holidays)],
                    "workdays": [d.isoformat() for d in sorted(in_force.workdays)],
                    "source": in_force.source,
                }
                if in_force is not None
                else {}
            )
            record(actor, "calendar.import_year", row, old, new, reason=source_label)
            transaction.on_commit(source.invalidate)
            source.invalidate()  # this process sees the new year at once (receivers too)
            recomputed = calendar_year_imported.send(
                sender=CalendarYear,
                year=schedule.year,
                actor=actor,
                replaced=replacement is not None,
            )
            return ImportResult(
                schedule.year, True, replacement, sum(r or 0 for r in _responses(recomputed))
            )
    except BaseException:
        source.invalidate()  # never keep a calendar read inside a rolled-back import
        raise
