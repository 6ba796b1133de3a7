"""A paused clock is not overdue (T2/L3: customer-caused time is not counted).

While a customer-side pause is open the clock stands still, so an application paused before
its due date is not overdue however long the pause lasts: not in the queue filter, the API, the
detail page's stage rows, the compliance dashboard or the unfiled-overdue list. One paused after
its due date had passed stays overdue. The application is submitted on Thu 2026-11-26
(conftest.frozen_today); a charging application's intake is due on Fri 11/27.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from getelec.connection import selectors, services
from getelec.connection.models import Application
from getelec.core.compliance import clock_overdue
from getelec.supervision import dashboard
from getelec.supervision.selectors import unfiled_overdue

D = dt.date

# (due_on, today, paused_since, overdue): T2/L3 time limits exclude customer-caused time.
CASES = [
    (D(2026, 12, 2), D(2026, 12, 1), None, False),  # running, not yet due
    (D(2026, 12, 2), D(2026, 12, 3), None, True),  # running, past due
    (D(2026, 12, 2), D(2026, 12, 20), D(2026, 11, 27), False),  # paused before due: stands still
    (D(2026, 12, 2), D(2026, 12, 20), D(2026, 12, 2), False),  # paused on the due date
    (D(2026, 12, 2), D(2026, 12, 20), D(2026, 12, 3), True),  # paused after it was late
    (None, D(2026, 12, 20), None, False),  # no due date (calendar pending)
]


@pytest.mark.parametrize(("due_on", "today", "paused_since", "expected"), CASES)
def test_clock_overdue_table(
    due_on: dt.date | None, today: dt.date, paused_since: dt.date | None, expected: bool
) -> None:
    assert clock_overdue(due_on, today, paused_since) is expected


def at(day: dt.date) -> Any:
    moment = dt.datetime(
        day.year, day.month, day.day, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))
    )
    return time_machine.travel(moment, tick=False)


def _overdue_in_filter(app: Application, today: dt.date) -> bool:
    qs = Application.objects.filter(pk=app.pk)
    return selectors.filter_applications(qs, overdue=True, today=today).exists()


@pytest.mark.django_db
def test_an_application_paused_before_its_due_date_is_overdue_nowhere(
    submit: Any, staff: Any
) -> None:
    app = submit(purpose="ev_charging", capacity_kw="7")
    assert app.due_on == D(2026, 11, 27)
    app = services.pause_clock(app, staff, "customer_works", "客户内部线路未完工", app.version)
    later = D(2026, 12, 10)
    assert not _overdue_in_filter(app, later)
    with at(later):
        row = selectors.open_pause_starts([app])
        assert row == {app.pk: D(2026, 11, 26)}
        apps = list(dashboard.scoped(staff, D(2026, 11, 1), D(2026, 11, 30)))
        assert [a.pk for a in apps] == [app.pk]
        assert not dashboard.metric_filter("overdue", later)(apps[0], {})
        assert dashboard.detect_late_stages(apps, later) == []
        assert app.pk not in {u.application.pk for u in unfiled_overdue(staff, later)}


@pytest.mark.django_db
def test_an_application_paused_after_its_due_date_stays_overdue(submit: Any, staff: Any) -> None:
    app = submit(purpose="ev_charging", capacity_kw="7")
    with at(D(2026, 11, 30)):
        app = services.pause_clock(app, staff, "customer_works", "", app.version)
    assert _overdue_in_filter(app, D(2026, 12, 10))
    with at(D(2026, 12, 10)):
        apps = list(dashboard.scoped(staff, D(2026, 11, 1), D(2026, 11, 30)))
        assert dashboard.metric_filter("overdue", D(2026, 12, 10))(apps[0], {})
