"""Due dates of applications: computed from their base data with the one working-day schedule
(getelec.core.schedule.workday_schedule), stored, and recomputed after a calendar import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.connection.models import OPEN_STATUSES, Application, Pause, StageCode, StageRecord
from getelec.connection.services import messages
from getelec.connection.services._transition import Change
from getelec.core.policy import PolicyValueMissing
from getelec.core.schedule import PauseSpan, StageSpan, workday_schedule
from getelec.core.workdays import WorkCalendar
from getelec.kernel.policy import param
from getelec.workcalendar.signals import DateMove
from getelec.workcalendar.source import current_calendar


def calendar() -> WorkCalendar:
    """The calendar in force, re-read (another process may have imported a year)."""
    return current_calendar(fresh=True)


@dataclass
class _Schedule:
    stage_due: dict[int, dt.date | None]  # StageRecord.seq -> due date
    due_on: dt.date | None
    pending_year: int | None
    paused_wd: int
    pause_wd: dict[int, int | None]  # Pause.pk -> working days paused (closed pauses)


def each_on_own_clock(app: Application) -> bool:
    """Whether `app`'s stages run each on its own clock (T2, charging facilities): as decided at
    submission (`decision.stage_clock`); for a decision stored before that was recorded, whether
    its stage list is one the policy puts on own clocks."""
    decision = app.decision if isinstance(app.decision, dict) else {}
    clock = decision.get("stage_clock")
    if clock is not None:
        return bool(clock == "each")
    basis = decision.get("basis") or {}
    names = {b.get("parameter") for b in basis.get("stages") or [] if isinstance(b, dict)}
    try:
        own = param("own_clock_stage_lists", app.applied_on).value
    except PolicyValueMissing:
        return False
    return any(name in own for name in names)


def _compute_schedule(
    app: Application,
    stages: Sequence[StageRecord],
    pauses: Sequence[Pause],
    calendar: WorkCalendar,
    recount_year: int | None = None,
) -> _Schedule:
    """Every due date of `app` from its base data: applied_on, stage limits, closed pauses.

    The dates come from getelec.core.schedule.workday_schedule (the one working-day schedule):
    a stage counts the pauses that started before it was completed, the overall due date every
    closed pause, an open pause nothing until it ends; stages on their own clocks (T2,
    charging) run each from the previous one's completion, the overall date being the current
    stage's. Deterministic, so recomputing is idempotent. A closed pause keeps the working days
    stored when it ended, except one overlapping `recount_year` (a replaced schedule).
    """
    dates = workday_schedule(
        app.applied_on,
        [
            StageSpan(
                stage.limit_wd,
                timezone.localdate(stage.completed_at) if stage.completed_at else None,
            )
            for stage in stages
        ],
        app.time_limit_wd,
        calendar,
        [PauseSpan(p.started_on, p.ended_on, p.paused_wd) for p in pauses],
        recount_year,
        each_on_own_clock=each_on_own_clock(app),
    )
    return _Schedule(
        stage_due={stage.seq: due for stage, due in zip(stages, dates.stage_due, strict=True)},
        due_on=dates.due_on,
        pending_year=dates.pending_year,
        paused_wd=dates.paused_wd,
        pause_wd={
            p.pk: wd for p, wd in zip(pauses, dates.pause_wd, strict=True) if p.ended_on is not None
        },
    )


def _save_schedule(
    stages: Sequence[StageRecord], pauses: Sequence[Pause], schedule: _Schedule
) -> None:
    for stage in stages:
        new = schedule.stage_due.get(stage.seq)
        if stage.due_on != new:
            stage.due_on = new
            StageRecord.objects.filter(pk=stage.pk).update(due_on=new)
    for pause in pauses:
        if pause.pk in schedule.pause_wd and pause.paused_wd != schedule.pause_wd[pause.pk]:
            pause.paused_wd = schedule.pause_wd[pause.pk]
            Pause.objects.filter(pk=pause.pk).update(paused_wd=pause.paused_wd)


def _notify_due(app: Application, old_due: dt.date | None, old_pending: int | None) -> None:
    if (old_due, old_pending) == (app.due_on, app.due_pending_year):
        return
    messages.tell(app, messages.due_changed(app))


# --- recomputing after a calendar import -------------------------------------------------------


def _deadline_changes(
    app: Application, stages: Sequence[StageRecord], schedule: _Schedule
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored values `schedule` changes, old and new (only those that differ)."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name, value in (
        ("due_on", schedule.due_on),
        ("due_pending_year", schedule.pending_year),
        ("paused_wd", schedule.paused_wd),
    ):
        if getattr(app, name) != value:
            old[name], new[name] = getattr(app, name), value
    stage_old = {s.stage: s.due_on for s in stages if s.due_on != schedule.stage_due.get(s.seq)}
    if stage_old:
        old["stage_due"] = stage_old
        new["stage_due"] = {
            s.stage: schedule.stage_due.get(s.seq) for s in stages if s.stage in stage_old
        }
    return old, new


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _touching_year(year: int) -> QuerySet[Application]:
    """Open applications whose stored dates may depend on `year`'s schedule: applied by its end
    and due in it or later (or pending), or with a stage due in it or later (on own clocks a
    later stage is due after the overall date, the current stage's), or with a closed pause
    overlapping it (otherwise a stage's due date is never after the overall one)."""
    first, last = _year_bounds(year)
    return Application.objects.filter(status__in=OPEN_STATUSES, applied_on__lte=last).filter(
        Q(due_on__isnull=True)
        | Q(due_on__gte=first)
        | Q(stages__due_on__gte=first)
        | Q(pauses__ended_on__gte=first, pauses__started_on__lte=last)
    )


def _pending_on_loaded_years(calendar: WorkCalendar) -> QuerySet[Application]:
    return Application.objects.filter(due_pending_year__in=calendar.years)


_CHUNK = 500


def _in_chunks(candidates: QuerySet[Application], lock: bool) -> Iterator[Application]:
    """The candidates with stages and pauses loaded, a chunk at a time (locked when writing)."""
    ids = list(candidates.order_by("id").values_list("id", flat=True).distinct())
    for i in range(0, len(ids), _CHUNK):
        rows = Application.objects.filter(pk__in=ids[i : i + _CHUNK])
        if lock:
            rows = rows.select_for_update(of=("self",))
        yield from (
            rows.select_related("applicant")
            .prefetch_related(
                Prefetch("stages", queryset=StageRecord.objects.order_by("seq")),
                Prefetch("pauses", queryset=Pause.objects.order_by("started_on", "id")),
            )
            .order_by("id")
        )


def deadline_moves(calendar: WorkCalendar, year: int) -> list[DateMove]:
    """Stored dates of open applications that `calendar` (a replaced `year`) would move.

    Reads only. Each moved overall or stage due date is one DateMove (None: pending)."""
    moves: list[DateMove] = []
    for app in _in_chunks(_touching_year(year), lock=False):
        stages, pauses = list(app.stages.all()), list(app.pauses.all())
        schedule = _compute_schedule(app, stages, pauses, calendar, recount_year=year)
        old, new = _deadline_changes(app, stages, schedule)
        if "due_on" in old:
            label = str(Application._meta.get_field("due_on").verbose_name)
            moves.append(DateMove(app.number, "due_on", old["due_on"], new["due_on"], label))
        for stage, was in old.get("stage_due", {}).items():
            label = str(StageCode(stage).label)
            moves.append(DateMove(app.number, stage, was, new["stage_due"][stage], label))
    return moves


def _recompute(
    candidates: QuerySet[Application], actor: Any, reason: str, recount_year: int | None = None
) -> int:
    """Inside the caller's transaction: each candidate locked, recomputed, and when a date
    moved changed (version bumped) with one audit row and a notice."""
    in_force = calendar()
    changed = 0
    for app in _in_chunks(candidates, lock=True):
        stages, pauses = list(app.stages.all()), list(app.pauses.all())
        schedule = _compute_schedule(app, stages, pauses, in_force, recount_year)
        old, new = _deadline_changes(app, stages, schedule)
        _save_schedule(stages, pauses, schedule)
        if not old:
            continue
        before = (app.due_on, app.due_pending_year)
        change = Change(app, app.version)  # the row is locked: the version cannot move
        change.update(**{k: v for k, v in new.items() if k != "stage_due"})
        change.audit(actor, "connection.recompute_deadline", new, old=old, reason=reason)
        if app.status in OPEN_STATUSES:
            _notify_due(app, *before)
        changed += 1
    return changed


def recompute_pending_deadlines(actor: Any) -> int:
    """Compute due dates that were pending on a year the calendar now has; returns how many.

    Run by every calendar import (even one that changes nothing) and by the periodic check
    (`getelec filings check`), so none stays pending after its year is loaded. Each changed
    application gets one audit row with the moved dates, old and new; idempotent."""
    candidates = _pending_on_loaded_years(calendar())
    with transaction.atomic():
        return _recompute(candidates, actor, _("节假日安排导入后计算到期日"))


def recompute_year_deadlines(actor: Any, year: int) -> int:
    """After `year`'s schedule was replaced: recompute every open application whose dates touch
    it (pauses overlapping it recounted) and every one pending on a loaded year; returns how
    many changed. One audit row per changed application with the moved dates, old and new."""
    with transaction.atomic():
        changed = _recompute(
            _touching_year(year), actor, _("节假日安排更正后重新计算到期日"), recount_year=year
        )
        return changed + recompute_pending_deadlines(actor)
