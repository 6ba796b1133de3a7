"""The calendar in force: shipped schedules plus the years imported into the database."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from getelec.core.workdays import WorkCalendar, calendar_with, shipped_calendar

_TTL_SECONDS = 60.0
_cache: tuple[float, WorkCalendar] | None = None


def _database_absent() -> bool:
    """True for a SQLite file not created yet (a fresh checkout): never create it by reading."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return False
    name = str(db["NAME"])
    return name != ":memory:" and not name.startswith("file:") and not Path(name).exists()


def load_calendar() -> WorkCalendar:
    """Shipped years plus imported ones, read now (imported years override shipped ones)."""
    if _database_absent():
        return shipped_calendar()
    from getelec.workcalendar.models import CalendarYear

    try:
        imported = [row.as_schedule() for row in CalendarYear.objects.all()]
    except DatabaseError:  # no tables yet (before migrate)
        return shipped_calendar()
    return calendar_with(imported) if imported else shipped_calendar()


def current_calendar() -> WorkCalendar:
    """Cached per process for a minute; imports call `invalidate` in their own process."""
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > _TTL_SECONDS:
        _cache = (now, load_calendar())
    return _cache[1]


def invalidate() -> None:
    global _cache
    _cache = None
