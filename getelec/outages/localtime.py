"""Local wall-clock time of the quality desk: the analytics engine works in naive local time,
the database in aware datetimes."""

from __future__ import annotations

import datetime as dt
from typing import overload

from django.utils import timezone


def _tz() -> dt.tzinfo:
    return timezone.get_current_timezone()


@overload
def aware(value: dt.datetime) -> dt.datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: dt.datetime | None) -> dt.datetime | None:
    """An aware datetime (a naive one is taken as local wall-clock time)."""
    if value is None:
        return None
    return timezone.make_aware(value, _tz()) if timezone.is_naive(value) else value


def local_naive(value: dt.datetime) -> dt.datetime:
    """Naive local wall-clock time (the engine's unit)."""
    return timezone.localtime(value, _tz()).replace(tzinfo=None) if value.tzinfo else value
