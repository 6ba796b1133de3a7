"""Changes to an application after submission: stages, the clock (pause, resume, the customer's
consent), the grid-upgrade mark, the contracted date, the key-project level, cancellation.

Each is one transaction with one audit row (services._transition.transition). Asking for the
state the application is already in returns it unchanged without an audit row; a repeated
stage advance is a Conflict (nothing is applied twice).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.accounts.models import User
from getelec.connection import validators as check
from getelec.connection.models import (
    OPEN_STATUSES,
    Application,
    GridUpgradeCause,
    KeyProject,
    Pause,
    PauseReason,
    StageRecord,
    Status,
)
from getelec.connection.selectors import can_work_on, is_owner
from getelec.connection.services import deadlines, messages
from getelec.connection.services._transition import (
    Change,
    _fresh,
    _require_worker,
    _today,
    transition,
)
from getelec.core.workdays import CalendarYearNotLoaded
from getelec.kernel.errors import Conflict, InvalidInput, InvalidState, NotAllowed

# --- the clock: consent, pause, resume ---------------------------------------------------------

_CLOCK_FIELDS = ["status", "due_on", "due_pending_year", "paused_wd"]


def record_informed_consent(application: Application, actor: User, version: int) -> Application:
    """T1: the customer signed the 三零 notice; the clock paused while waiting resumes."""
    app = _fresh(application)
    if not (is_owner(actor, app) or can_work_on(actor, app)):
        raise NotAllowed(_("只有申请人本人或受理该申请的工作人员可以登记签字确认"))
    if app.informed_consent_at is not None:
        return app
    if not app.informed_consent_required:
        raise InvalidState(_("该申请无须签字确认三零政策告知"), "status")
    with transition(app, version, allowed={Status.AWAITING_CONSENT}, watch=_CLOCK_FIELDS) as change:
        _resume(
            change,
            actor,
            _today(),
            action="connection.record_informed_consent",
            extra={"informed_consent_at": timezone.now()},
        )
    app.refresh_from_db()
    return app


def pause_clock(
    application: Application,
    actor: User,
    reason: str,
    note: str,
    version: int,
    on: dt.date | None = None,
) -> Application:
    """Stop the clock for a customer-side reason (shown to everyone)."""
    app = _fresh(application)
    _require_worker(actor, app)
    staff_reasons = [r for r in PauseReason if r != PauseReason.AWAITING_CONSENT]
    reason = check.choice("reason", _("暂停原因"), reason, staff_reasons)
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput(_("说明过长（不超过2000个字符）"), "note")
    today = _today()
    day = today if on in (None, "") else check.as_date("on", _("暂停日期"), on)
    if day > today:
        raise InvalidInput(_("暂停日期不能晚于今天"), "on")
    if day < app.applied_on:
        raise InvalidInput(_("暂停日期不能早于申请日"), "on")
    if app.status == Status.PAUSED:
        open_pause = app.pauses.filter(ended_on__isnull=True).first()
        if open_pause is not None and open_pause.reason == reason:
            return app  # already paused for this reason
    with transition(app, version, allowed={Status.IN_PROGRESS}, watch=["status"]) as change:
        last_end = app.pauses.filter(ended_on__isnull=False).order_by("-ended_on").first()
        if last_end is not None and last_end.ended_on and day < last_end.ended_on:
            raise InvalidInput(_("暂停日期不能早于上一次恢复计时的日期"), "on")
        change.update({"status": Status.IN_PROGRESS}, status=Status.PAUSED)
        pause = Pause.objects.create(
            application=app, reason=reason, note=note, started_on=day, created_by=actor
        )
        change.audit(
            actor,
            "connection.pause_clock",
            {"status": Status.PAUSED, "pause": pause.pk, "reason": reason, "started_on": day},
            reason=note,
        )
        messages.tell(app, messages.paused(app, pause))
    app.refresh_from_db()
    return app


def _resume(
    change: Change,
    actor: User,
    day: dt.date,
    action: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """Close the open pause on `day`; shift the open stages and the due date (inside the
    transition; `change` watches _CLOCK_FIELDS)."""
    app = change.app
    stages = list(app.stages.order_by("seq"))
    pauses = list(app.pauses.order_by("started_on", "id"))
    open_pause = next((p for p in pauses if p.ended_on is None), None)
    if open_pause is None:
        raise InvalidState(_("该申请没有进行中的暂停"), "status")
    if day < open_pause.started_on:
        raise InvalidInput(_("恢复日期不能早于暂停日期"), "on")
    open_pause.ended_on = day
    schedule = deadlines._compute_schedule(app, stages, pauses, deadlines.calendar())
    change.update(
        {"status": app.status},
        status=Status.IN_PROGRESS,
        due_on=schedule.due_on,
        due_pending_year=schedule.pending_year,
        paused_wd=schedule.paused_wd,
        **(extra or {}),
    )
    Pause.objects.filter(pk=open_pause.pk).update(ended_on=day)
    deadlines._save_schedule(stages, pauses, schedule)
    paused = schedule.pause_wd.get(open_pause.pk)
    change.audit(
        actor,
        action,
        {**change.new(), **(extra or {}), "pause": open_pause.pk, "pause_wd": paused},
    )
    if open_pause.reason == PauseReason.AWAITING_CONSENT:
        messages.tell(app, messages.consent_recorded(app, day))
    else:
        messages.tell(app, messages.resumed(app, day, paused))
    deadlines._notify_due(app, change.old["due_on"], change.old["due_pending_year"])


def resume_clock(
    application: Application, actor: User, version: int, on: dt.date | None = None
) -> Application:
    """Restart the clock: paused working days = workdays_between(start, end); dates shift."""
    app = _fresh(application)
    _require_worker(actor, app)
    today = _today()
    day = today if on in (None, "") else check.as_date("on", _("恢复日期"), on)
    if day > today:
        raise InvalidInput(_("恢复日期不能晚于今天"), "on")
    refusal = _("该申请未处于暂停计时状态") if app.status in OPEN_STATUSES else None
    with transition(
        app, version, allowed={Status.PAUSED}, refusal=refusal, watch=_CLOCK_FIELDS
    ) as change:
        _resume(change, actor, day, "connection.resume_clock")
    app.refresh_from_db()
    return app


# --- stages -----------------------------------------------------------------------------------

_STAGE_FIELDS = ["status", "current_stage", "completed_on"]
_OWN_CLOCK_FIELDS = ["due_on", "due_pending_year"]  # recomputed at each stage (T2, charging)


def advance_stage(
    application: Application, actor: User, expected_stage: str, version: int, note: str = ""
) -> Application:
    """Complete the current stage and start the next (the last one completes the application)."""
    app = _fresh(application)
    _require_worker(actor, app)
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput(_("办理意见过长（不超过2000个字符）"), "note")
    today, now = _today(), timezone.now()
    watch = _STAGE_FIELDS + (_OWN_CLOCK_FIELDS if deadlines.each_on_own_clock(app) else [])
    with transition(app, version, allowed={Status.IN_PROGRESS}, watch=watch) as change:
        if app.current_stage != expected_stage:
            raise Conflict(
                _("当前环节已是“%(stage)s”，请刷新页面后重试")
                % {"stage": app.get_current_stage_display()},
                "expected_stage",
            )
        stages = list(app.stages.order_by("seq"))
        index = next(i for i, s in enumerate(stages) if s.stage == expected_stage)
        current = stages[index]
        following = stages[index + 1] if index + 1 < len(stages) else None
        expect = {"status": Status.IN_PROGRESS, "current_stage": expected_stage}
        dates = _dates_after_advance(app, stages, current, following, now, today)
        if following is not None:
            change.update(expect, current_stage=following.stage, **dates)
        else:
            change.update(
                expect, current_stage="", status=Status.COMPLETED, completed_on=today, **dates
            )
        StageRecord.objects.filter(pk=current.pk).update(
            completed_at=now, completed_by=actor, note=note
        )
        if following is not None:
            StageRecord.objects.filter(pk=following.pk).update(started_on=today)
        change.audit(actor, "connection.advance_stage", reason=note)
        if following is not None:
            messages.tell(app, messages.stage_changed(app, current, following))
        else:
            messages.tell(app, messages.completed(app, today))
    app.refresh_from_db()
    return app


def _dates_after_advance(
    app: Application,
    stages: list[StageRecord],
    current: StageRecord,
    following: StageRecord | None,
    now: dt.datetime,
    today: dt.date,
) -> dict[str, Any]:
    """On own clocks (T2, charging) the next stage starts today and is due at its own limit from
    today: its date (and the later ones', and the overall date: the current stage's, or once
    all are done the first late stage's) is recomputed and saved. On a cumulative clock the
    completion moves nothing, and nothing is written. Returns the changed application fields."""
    if not deadlines.each_on_own_clock(app):
        return {}
    current.completed_at = now
    if following is not None:
        following.started_on = today
    pauses = list(app.pauses.order_by("started_on", "id"))
    schedule = deadlines._compute_schedule(app, stages, pauses, deadlines.calendar())
    deadlines._save_schedule(stages, pauses, schedule)
    return {
        name: value
        for name, value in (
            ("due_on", schedule.due_on),
            ("due_pending_year", schedule.pending_year),
        )
        if getattr(app, name) != value
    }


# --- marks: grid upgrade, contracted date, key project ---------------------------------------

_GRID_FIELDS = [
    "grid_upgrade_cause",
    "grid_upgrade_project",
    "grid_upgrade_committed_on",
    "grid_upgrade_marked_on",
    "customer_informed_on",
]


def mark_grid_upgrade(
    application: Application,
    actor: User,
    cause: str,
    project: str,
    committed_on: dt.date,
    customer_informed_on: dt.date,
    version: int,
    reason: str = "",
) -> Application:
    """T2/L4: the limit is unreachable (grid upgrade, approval, obstruction): the committed
    completion date is recorded, shown to the customer and kept for the monthly filing (A1).
    The statutory due date is unchanged (the filing explains the delay)."""
    app = _fresh(application)
    _require_worker(actor, app)
    cause = check.choice("cause", _("原因"), cause, GridUpgradeCause)
    project = check.required_text("project", _("配套电网工程"), project, 200)
    today = _today()
    committed = check.as_date("committed_on", _("承诺完成日期"), committed_on)
    if committed < today:
        raise InvalidInput(_("承诺完成日期不能早于今天"), "committed_on")
    informed = check.as_date("customer_informed_on", _("告知客户日期"), customer_informed_on)
    if informed > today:
        raise InvalidInput(_("告知客户日期不能晚于今天"), "customer_informed_on")
    if informed < app.applied_on:
        raise InvalidInput(_("告知客户日期不能早于申请日"), "customer_informed_on")
    reason = (reason or "").strip()
    if (
        app.grid_upgrade_cause,
        app.grid_upgrade_project,
        app.grid_upgrade_committed_on,
        app.customer_informed_on,
    ) == (cause, project, committed, informed):
        return app
    with transition(app, version, watch=_GRID_FIELDS) as change:
        change.update(
            grid_upgrade_cause=cause,
            grid_upgrade_project=project,
            grid_upgrade_committed_on=committed,
            customer_informed_on=informed,
            grid_upgrade_marked_on=app.grid_upgrade_marked_on or today,
        )
        change.audit(
            actor,
            "connection.mark_grid_upgrade",
            {**change.new(), "due_on": app.due_on},
            reason=reason,
        )
        messages.tell(app, messages.grid_upgrade(app))
    app.refresh_from_db()
    return app


def set_contracted_date(
    application: Application, actor: User, contracted_on: dt.date | None, version: int
) -> Application:
    """L8: the connection date agreed with the customer; tracked like a deadline, it never
    extends the statutory due date (due_on is not touched)."""
    app = _fresh(application)
    _require_worker(actor, app)
    day = None
    if contracted_on not in (None, ""):
        day = check.as_date("contracted_on", _("约定接电日期"), contracted_on)
        if day < app.applied_on:
            raise InvalidInput(_("约定接电日期不能早于申请日"), "contracted_on")
    if app.contracted_on == day:
        return app
    with transition(app, version, watch=["contracted_on"]) as change:
        change.update(contracted_on=day)
        change.audit(actor, "connection.set_contracted_date")
        messages.tell(app, messages.contracted_date(app))
    app.refresh_from_db()
    return app


def set_key_project(application: Application, actor: User, level: str, version: int) -> Application:
    """L6 green channel: national or provincial key projects go first in the queue."""
    app = _fresh(application)
    if not (can_work_on(actor, app) or getattr(actor, "is_platform_admin", False)):
        raise NotAllowed(_("只有受理该申请的工作人员或管理员可以标记重大项目"))
    level = check.choice("level", _("重大项目级别"), level or "", KeyProject)
    if app.key_project == level:
        return app
    with transition(app, version, watch=["key_project"]) as change:
        change.update(key_project=level)
        change.audit(actor, "connection.set_key_project")
    app.refresh_from_db()
    return app


# --- cancellation -----------------------------------------------------------------------------


def cancel_application(
    application: Application, actor: User, reason: str, version: int
) -> Application:
    """Withdraw an open application (the applicant or its staff); an open pause ends today."""
    app = _fresh(application)
    if not (is_owner(actor, app) or can_work_on(actor, app)):
        raise NotAllowed(_("只有申请人本人或受理该申请的工作人员可以撤销申请"))
    reason = check.required_text("reason", _("撤销原因"), reason, 2000)
    today = _today()
    if app.status == Status.CANCELLED:
        return app
    with transition(app, version, watch=["status"]) as change:
        change.update({"status": app.status}, status=Status.CANCELLED, cancelled_reason=reason)
        for pause in app.pauses.filter(ended_on__isnull=True):
            try:
                wd: int | None = deadlines.calendar().workdays_between(pause.started_on, today)
            except CalendarYearNotLoaded:
                wd = None
            Pause.objects.filter(pk=pause.pk).update(ended_on=today, paused_wd=wd)
        change.audit(actor, "connection.cancel_application", reason=reason)
        messages.tell(app, messages.cancelled(app, reason))
    app.refresh_from_db()
    return app
