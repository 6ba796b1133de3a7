"""Charging applications: every stage on its own clock through the services (T2).

T2: "办电环节分为业务受理、供电方案答复、装表接电3个环节，供电企业各责任环节办理时限分别不超过1个、
3个、2个工作日". The application is submitted on Thu 2026-11-26 (conftest.frozen_today); working
days after it: Fri 11/27, Mon 11/30, Tue 12/1, Wed 12/2, Thu 12/3, Fri 12/4.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from getelec.audit.models import AuditEvent
from getelec.connection import selectors, services
from getelec.connection.models import Application, Status
from getelec.supervision import dashboard

pytestmark = pytest.mark.django_db

D = dt.date


def at(day: dt.date) -> Any:
    moment = dt.datetime(
        day.year, day.month, day.day, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))
    )
    return time_machine.travel(moment, tick=False)


def dues(app: Application) -> dict[str, dt.date | None]:
    return dict(app.stages.order_by("seq").values_list("stage", "due_on"))


def overdue(app: Application, today: dt.date) -> bool:
    qs = Application.objects.filter(pk=app.pk)
    return selectors.filter_applications(qs, overdue=True, today=today).exists()


@pytest.fixture
def charging(submit: Any) -> Application:
    app = submit(purpose="ev_charging", capacity_kw="7")
    assert (app.category, app.decision["stage_clock"], app.time_limit_wd) == (
        "lv_ev_charging",
        "each",
        6,
    )
    return app


def test_an_open_charging_application_is_due_at_its_current_stages_own_limit(
    charging: Application,
) -> None:
    # Intake 1 wd from the application; the later stages projected on time.
    assert dues(charging) == {
        "intake": D(2026, 11, 27),
        "supply_scheme": D(2026, 12, 2),
        "energizing": D(2026, 12, 4),
    }
    assert charging.due_on == D(2026, 11, 27)  # not the running total 12/4
    assert overdue(charging, D(2026, 11, 30))


def test_same_day_intake_then_a_4_day_scheme_is_late_though_the_total_is_kept(
    charging: Application, staff: Any
) -> None:
    app = services.advance_stage(charging, staff, "intake", charging.version)  # on 11/26
    # 供电方案答复 runs from 11/26: due 12/1 (the running total gave 12/2).
    assert dues(app)["supply_scheme"] == D(2026, 12, 1)
    assert app.due_on == D(2026, 12, 1)
    assert not overdue(app, D(2026, 12, 1))
    assert overdue(app, D(2026, 12, 2))

    with at(D(2026, 12, 2)):
        app = services.advance_stage(app, staff, "supply_scheme", app.version)
    # 装表接电 runs from 12/2: due 12/4; the application is due at its current stage's date.
    assert dues(app)["energizing"] == D(2026, 12, 4)
    assert app.stages.get(stage="energizing").started_on == D(2026, 12, 2)
    assert app.due_on == D(2026, 12, 4)
    audit = AuditEvent.objects.filter(action="connection.advance_stage").order_by("-id").first()
    assert audit is not None
    assert (audit.old["due_on"], audit.new["due_on"]) == ("2026-12-01", "2026-12-04")

    with at(D(2026, 12, 3)):
        app = services.advance_stage(app, staff, "energizing", app.version)
    # Connected 5 wd after the application (within 1+3+2), yet the scheme took 4 of its 3 wd:
    # the application is late, and every report comparing completion and due date says so.
    assert app.status == Status.COMPLETED and app.completed_on == D(2026, 12, 3)
    assert app.due_on == D(2026, 12, 1)
    assert app.completed_on > app.due_on
    on_time = dashboard.metric_filter("on_time", D(2026, 12, 3))
    late = dashboard.metric_filter("late", D(2026, 12, 3))
    assert (on_time(app, {}), late(app, {})) == (False, True)
    found = dashboard.detect_late_stages([app], D(2026, 12, 3))
    assert [(f.kind, f.application.pk) for f in found] == [("stage_late", app.pk)]
    assert "2026-12-01" in found[0].evidence and "2026-12-02" in found[0].evidence


def test_each_stage_exactly_at_its_limit_is_on_time(charging: Application, staff: Any) -> None:
    app = charging
    for stage, day in (
        ("intake", D(2026, 11, 27)),
        ("supply_scheme", D(2026, 12, 2)),
        ("energizing", D(2026, 12, 4)),
    ):
        with at(day):
            app = services.advance_stage(app, staff, stage, app.version)
    assert app.status == Status.COMPLETED
    assert app.due_on == D(2026, 12, 4) == app.completed_on
    assert dashboard.metric_filter("on_time", D(2026, 12, 4))(app, {})
    assert dashboard.detect_late_stages([app], D(2026, 12, 4)) == []


def test_a_customer_pause_is_excluded_from_the_stage_it_falls_in(
    charging: Application, staff: Any
) -> None:
    with at(D(2026, 11, 27)):
        app = services.advance_stage(charging, staff, "intake", charging.version)
        app = services.pause_clock(app, staff, "customer_works", "客户内部线路未完工", app.version)
    with at(D(2026, 12, 1)):
        app = services.resume_clock(app, staff, app.version)  # 11/30, 12/1: 2 wd paused
    # 供电方案答复 from 11/27: 3 wd + 2 paused → 12/4.
    assert dues(app)["supply_scheme"] == D(2026, 12, 4)
    assert app.due_on == D(2026, 12, 4)
    with at(D(2026, 12, 4)):
        app = services.advance_stage(app, staff, "supply_scheme", app.version)
    assert app.stages.get(stage="supply_scheme").due_on == D(2026, 12, 4)
    assert not overdue(app, D(2026, 12, 4))


def test_other_categories_keep_the_running_total(submit: Any, staff: Any) -> None:
    app = submit()  # LV residential, 5 wd: stages due 11/27, 12/1, 12/3
    app = services.advance_stage(app, staff, "intake", app.version)
    with at(D(2026, 12, 2)):
        app = services.advance_stage(app, staff, "supply_scheme", app.version)
    assert app.due_on == D(2026, 12, 3)
    assert dues(app) == {
        "intake": D(2026, 11, 27),
        "supply_scheme": D(2026, 12, 1),
        "energizing": D(2026, 12, 3),
    }
    assert dashboard.detect_late_stages([app], D(2026, 12, 2)) == []
