"""Admin banner: from 1 November, ask for next year's official schedule until it is loaded."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from getelec.workcalendar.source import current_calendar


def calendar_banner(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or not getattr(user, "is_platform_admin", False):
        return {}
    today = timezone.localdate()
    next_year = today.year + 1
    if today.month < settings.CALENDAR_REMINDER_FROM_MONTH:
        return {}
    if next_year in current_calendar().years:
        return {}
    return {"calendar_missing_year": next_year}
