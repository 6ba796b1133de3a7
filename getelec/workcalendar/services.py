"""Importing a year's official schedule: atomic, audited, idempotent."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from getelec.audit.services import record
from getelec.core.workdays import YearSchedule
from getelec.workcalendar import source
from getelec.workcalendar.models import CalendarYear
from getelec.workcalendar.signals import calendar_year_imported


def import_year(schedule: YearSchedule, actor: Any, source_label: str = "") -> bool:
    """Store the schedule; returns False when the same schedule is already stored (no change).

    Deadlines pending on this year are recomputed in the same transaction (signal receivers).
    """
    data = schedule.as_json()
    with transaction.atomic():
        existing = CalendarYear.objects.select_for_update().filter(year=schedule.year).first()
        old = {"holidays": existing.holidays, "workdays": existing.workdays} if existing else {}
        new = {"holidays": data["holidays"], "workdays": data["workdays"]}
        if old == new:
            return False
        row, _ = CalendarYear.objects.update_or_create(
            year=schedule.year,
            defaults={**new, "source": source_label or schedule.source},
        )
        record(actor, "calendar.import_year", row, old, new, reason=source_label)
        transaction.on_commit(source.invalidate)
        source.invalidate()
        calendar_year_imported.send(sender=CalendarYear, year=schedule.year, actor=actor)
    return True
