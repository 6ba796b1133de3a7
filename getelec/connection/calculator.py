"""The rules calculator as `getelec assess` and POST /api/v1/assess serve it: JSON in, JSON out.

`getelec.core.assess` is pure (it takes a calendar); this adds the calendar in force (the
shipped years plus those imported into the database), so the CLI and the API give the same
answer and the API never imports the CLI. Each reason's text is in the active language (the
API's request language; the CLI's default, Chinese).
"""

from __future__ import annotations

from typing import Any

from getelec.connection.reason_text import reason_text
from getelec.core.assess import AssessError, assess, parse_input
from getelec.core.workdays import CalendarYearNotLoaded
from getelec.workcalendar.source import current_calendar


def assess_json(data: object) -> dict[str, Any]:
    """Validate `data`, assess it on the best calendar available; AssessError names the field."""
    application = parse_input(data)
    try:
        result = assess(application, calendar=current_calendar())
    except CalendarYearNotLoaded as exc:
        raise AssessError("applied_on", f"due date falls in {exc}") from None
    return result.as_json(render=reason_text)
