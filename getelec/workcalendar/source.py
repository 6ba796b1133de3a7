"""The calendar in force: shipped schedules plus the years imported into the database.

Every process (each web worker, the CLI, cron) keeps the calendar in memory, keyed by the
revision token of `CalendarRevision`, which every change of an imported year replaces. A read
checks the token at most every `_CHECK_SECONDS`; a service about to store a deadline asks for
`current_calendar(fresh=True)`, which checks it on every call (one primary-key query). So an
import made by another process is seen within a second by reads and at once by writes, instead
of after a fixed cache lifetime.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from getelec.core.workdays import WorkCalendar, calendar_with, shipped_calendar

# How long a read may trust the in-memory calendar without asking for the revision token.
_CHECK_SECONDS = 1.0


class _Cached:
    __slots__ = ("calendar", "checked", "token")

    def __init__(self, calendar: WorkCalendar, token: uuid.UUID | None, checked: float):
        self.calendar, self.token, self.checked = calendar, token, checked


_cache: _Cached | None = None


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


def revision() -> uuid.UUID | None:
    """The current revision token (None without a database or before migrate)."""
    if _database_absent():
        return None
    from getelec.workcalendar.models import CalendarRevision

    try:
        return CalendarRevision.objects.filter(pk=1).values_list("token", flat=True).first()
    except DatabaseError:
        return None


def bump_revision() -> None:
    """Give the imported years a new revision token (inside the changing transaction)."""
    from getelec.workcalendar.models import CalendarRevision

    token = uuid.uuid4()
    if not CalendarRevision.objects.filter(pk=1).update(token=token):
        CalendarRevision.objects.update_or_create(pk=1, defaults={"token": token})


def current_calendar(fresh: bool = False) -> WorkCalendar:
    """The calendar in force; `fresh=True` checks the revision token now (before storing dates)."""
    global _cache
    now = time.monotonic()
    cached = _cache
    if cached is not None and not fresh and now - cached.checked <= _CHECK_SECONDS:
        return cached.calendar
    token = revision()
    if cached is not None and token == cached.token:
        cached.checked = now
        return cached.calendar
    calendar = load_calendar()
    _cache = _Cached(calendar, token, now)
    return calendar


def invalidate() -> None:
    """Forget this process's copy (the next read loads the calendar again)."""
    global _cache
    _cache = None
