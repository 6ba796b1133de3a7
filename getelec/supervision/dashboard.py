"""Time-limit compliance figures and the pattern detectors that look for hidden delays.

Reads only: everything starts from connection.services.applications_for(user) (connection's
scoped selector). Thresholds are
policy parameters (policy/supervision.yaml); working days come from the calendar in force, and
an application whose dates fall in a year not loaded is left out of working-day figures (and
counted as such), never guessed.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from getelec.accounts.models import User
from getelec.connection import services as connection
from getelec.connection.models import (
    OPEN_STATUSES,
    Application,
    Category,
    Pause,
    StageCode,
    StageRecord,
    Status,
)
from getelec.core.compliance import clock_overdue, on_time_rate
from getelec.core.workdays import CalendarYearNotLoaded
from getelec.kernel.policy import param
from getelec.supervision.models import DelayFiling
from getelec.supervision.selectors import cancellation_dates
from getelec.workcalendar.source import current_calendar

GROUPS = {
    "company": _("供电企业"),
    "city": _("地级市"),
    "county": _("县（市、区）"),
    "category": _("办电类别"),
}
METRICS = {
    "accepted": _("受理"),
    "completed": _("已接电"),
    "on_time": _("按期接电"),
    "kept": _("备案按承诺接电"),
    "late": _("逾期接电"),
    "overdue": _("当前逾期"),
    "paused": _("有暂停计时"),
    "filed": _("已备案"),
}


def scoped(user: User, start: dt.date, end: dt.date) -> QuerySet[Application]:
    return connection.open_pause_since(
        connection.applications_for(user)
        .filter(applied_on__gte=start, applied_on__lte=end)
        .select_related("company", "region", "region__parent")
    )


def group_key(app: Application, group: str) -> tuple[str, str]:
    if group == "company":
        return str(app.company_id), app.company.short_name or app.company.name
    if group == "city":
        city = app.region.parent if app.region.level == "county" else app.region
        return (city.code, city.name) if city else (app.region_id, app.region.name)
    if group == "county":
        return app.region_id, app.region.name
    return app.category, str(Category(app.category).label)


def taken_wd(app: Application) -> int | None:
    """Working days from application to connection, paused time excluded; None if unknown."""
    if app.completed_on is None:
        return None
    try:
        return current_calendar().workdays_between(app.applied_on, app.completed_on) - (
            app.paused_wd or 0
        )
    except CalendarYearNotLoaded:
        return None


def percentile(values: list[int], p: float) -> float | None:
    """Nearest-rank percentile (p in 0–100)."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)])


def metric_filter(metric: str, today: dt.date) -> Callable[[Application, dict[int, Any]], bool]:
    def accepted(app: Application, filings: dict[int, Any]) -> bool:
        return True

    def completed(app: Application, filings: dict[int, Any]) -> bool:
        return app.completed_on is not None

    def on_time(app: Application, filings: dict[int, Any]) -> bool:
        return (
            app.completed_on is not None
            and app.due_on is not None
            and app.completed_on <= app.due_on
            and app.pk not in filings
        )

    def late(app: Application, filings: dict[int, Any]) -> bool:
        """Connected, but neither on time nor filed-and-kept: a filing that missed its
        committed date counts as overdue like an unfiled late connection."""
        if app.completed_on is None:
            return False
        if app.pk in filings:
            return not kept(app, filings)
        return app.due_on is not None and app.completed_on > app.due_on

    def overdue(app: Application, filings: dict[int, Any]) -> bool:
        paused_since = getattr(app, "open_pause_since", None)
        return app.status in OPEN_STATUSES and clock_overdue(app.due_on, today, paused_since)

    def paused(app: Application, filings: dict[int, Any]) -> bool:
        return (app.paused_wd or 0) > 0

    def filed(app: Application, filings: dict[int, Any]) -> bool:
        return app.pk in filings

    def kept(app: Application, filings: dict[int, Any]) -> bool:
        f = filings.get(app.pk)
        return bool(
            f
            and f.first_committed_on
            and app.completed_on
            and app.completed_on <= f.first_committed_on
        )

    return {
        "accepted": accepted,
        "completed": completed,
        "on_time": on_time,
        "overdue": overdue,
        "paused": paused,
        "filed": filed,
        "kept": kept,
        "late": late,
    }[metric]


@dataclass
class GroupFigures:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    taken: list[int] = field(default_factory=list)
    limits: list[int] = field(default_factory=list)
    paused_wd: int = 0
    calendar_pending: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Connected by the statutory due date ÷ (connected + open and past due on the report
        date): getelec.core.compliance.on_time_rate, so a backlog is never hidden (a filed
        application is never "on time": it is reported as filed-and-kept or missed)."""
        c = self.counts
        return on_time_rate(c["on_time"], c["completed"], c["overdue"])

    @property
    def avg_taken(self) -> float | None:
        return round(statistics.fmean(self.taken), 1) if self.taken else None

    @property
    def p90_taken(self) -> float | None:
        return percentile(self.taken, 90)

    @property
    def avg_limit(self) -> float | None:
        return round(statistics.fmean(self.limits), 1) if self.limits else None


def figures(
    user: User, group: str, start: dt.date, end: dt.date, today: dt.date
) -> list[GroupFigures]:
    apps = list(scoped(user, start, end))
    filings = _filings(apps)
    checks = {m: metric_filter(m, today) for m in METRICS}
    groups: dict[str, GroupFigures] = {}
    for app in apps:
        key, label = group_key(app, group)
        g = groups.setdefault(key, GroupFigures(key, label))
        for metric, check in checks.items():
            g.counts[metric] += check(app, filings)
        g.paused_wd += app.paused_wd or 0
        if app.completed_on is not None:
            taken = taken_wd(app)
            if taken is None:
                g.calendar_pending += 1
            else:
                g.taken.append(taken)
                g.limits.append(app.time_limit_wd)
    return sorted(groups.values(), key=lambda g: g.label)


def _filings(apps: Iterable[Application]) -> dict[int, DelayFiling]:
    ids = [a.pk for a in apps]
    return {
        f.application_id: f
        for f in DelayFiling.objects.filter(application_id__in=ids, submitted_on__isnull=False)
    }


def drill(
    user: User,
    group: str,
    key: str,
    metric: str,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    reason: str = "",
) -> list[Application]:
    """The applications behind one figure (with `reason`, those paused for that reason)."""
    qs = scoped(user, start, end)
    if reason:
        qs = qs.filter(pk__in=Pause.objects.filter(reason=reason).values("application_id"))
    apps = [a for a in qs if key == "" or group_key(a, group)[0] == key]
    filings = _filings(apps)
    check = metric_filter(metric, today)
    return [a for a in apps if check(a, filings)]


@dataclass(frozen=True)
class PauseReasonRow:
    reason: str  # PauseReason code (the drill-down key)
    label: str
    pauses: int
    paused_wd: int
    applications: int


def pause_reasons(user: User, start: dt.date, end: dt.date) -> list[PauseReasonRow]:
    """Per reason: pauses, paused working days and applications paused, in the period."""
    rows: dict[str, list[Any]] = defaultdict(lambda: [0, 0, set()])
    labels: dict[str, str] = {}
    pauses = Pause.objects.filter(application__in=scoped(user, start, end))
    for pause in pauses:
        labels[pause.reason] = str(pause.get_reason_display())
        rows[pause.reason][0] += 1
        rows[pause.reason][1] += pause.paused_wd or 0
        rows[pause.reason][2].add(pause.application_id)
    return sorted(
        (PauseReasonRow(k, labels[k], v[0], v[1], len(v[2])) for k, v in rows.items()),
        key=lambda r: (-r.paused_wd, r.label),
    )


# --------------------------------------------------------------------------------------------
# Pattern detectors
# --------------------------------------------------------------------------------------------


@dataclass
class Finding:
    kind: str
    label: str
    application: Application
    evidence: str
    related: Application | None = None


def detect_pause_outliers(apps: list[Application], on: dt.date) -> list[Finding]:
    """Clock pauses far above the company's norm (its median over the same period)."""
    factor = param("pattern_pause_factor", on).value
    minimum = param("pattern_pause_min_wd", on).value
    by_company: dict[int, list[Application]] = defaultdict(list)
    for app in apps:
        by_company[app.company_id].append(app)
    out = []
    for company_apps in by_company.values():
        median = statistics.median(a.paused_wd or 0 for a in company_apps)
        for app in company_apps:
            paused = app.paused_wd or 0
            if paused >= minimum and paused > factor * median:
                out.append(
                    Finding(
                        "pause_outlier",
                        gettext("暂停计时远高于本企业常态"),
                        app,
                        gettext(
                            "暂停%(paused)s个工作日；本企业同期中位数%(median)s个工作日"
                            "（阈值：≥%(minimum)s且超过中位数的%(factor)s倍）"
                        )
                        % {
                            "paused": paused,
                            "median": f"{median:g}",
                            "minimum": minimum,
                            "factor": f"{factor:g}",
                        },
                    )
                )
    return out


def detect_late_registration(apps: list[Application], on: dt.date) -> list[Finding]:
    """Registered long after the customer first asked (where that date is known)."""
    limit = param("pattern_late_registration_wd", on).value
    out = []
    for app in apps:
        if app.first_requested_on is None or app.first_requested_on >= app.applied_on:
            continue
        try:
            gap = current_calendar().workdays_between(app.first_requested_on, app.applied_on)
        except CalendarYearNotLoaded:
            continue
        if gap > limit:
            out.append(
                Finding(
                    "late_registration",
                    gettext("需求提出后迟迟未登记"),
                    app,
                    gettext(
                        "客户%(asked)s首次提出需求，%(applied)s才登记申请，"
                        "相隔%(gap)s个工作日（阈值%(limit)s）"
                    )
                    % {
                        "asked": f"{app.first_requested_on:%Y-%m-%d}",
                        "applied": f"{app.applied_on:%Y-%m-%d}",
                        "gap": gap,
                        "limit": limit,
                    },
                )
            )
    return out


def detect_cancel_reapply(user: User, apps: list[Application], on: dt.date) -> list[Finding]:
    """A cancellation followed by a new application for the same property scope within a
    short window (which restarts the clock)."""
    window = param("pattern_reapply_window_days", on).value
    out = []
    scopes = {a.property_scope for a in apps}
    cancelled = list(
        connection.applications_for(user)
        .filter(status=Status.CANCELLED, property_scope__in=scopes)
        .select_related("company", "region")
    )
    dates = cancellation_dates(cancelled)
    for old in cancelled:
        when = dates[old.pk]
        for new in apps:
            if new.pk == old.pk or new.property_scope != old.property_scope:
                continue
            days = (new.applied_on - when).days
            if 0 <= days <= window:
                out.append(
                    Finding(
                        "cancel_reapply",
                        gettext("撤销后同一产权范围重新申请"),
                        new,
                        gettext(
                            "%(old)s于%(when)s撤销（申请日%(old_applied)s），"
                            "%(days)s日后同一产权范围提交%(new)s（阈值%(window)s日）"
                        )
                        % {
                            "old": old.number,
                            "when": f"{when:%Y-%m-%d}",
                            "old_applied": f"{old.applied_on:%Y-%m-%d}",
                            "days": days,
                            "new": new.number,
                            "window": window,
                        },
                        related=old,
                    )
                )
    return out


def detect_late_stages(apps: list[Application], on: dt.date) -> list[Finding]:
    """Stages on their own clocks (T2, charging: "各责任环节办理时限分别不超过1个、3个、2个工作日")
    that exceeded their own limit: completed after their due date, or open and past it on `on`
    — even when the whole application stayed within the sum of the limits."""
    own = {app.pk: app for app in apps if connection.each_on_own_clock(app)}
    if not own:
        return []
    out = []
    stages = StageRecord.objects.filter(application_id__in=own, due_on__isnull=False).order_by(
        "application_id", "seq"
    )
    for stage in stages:
        app, due = own[stage.application_id], stage.due_on
        if due is None:  # pragma: no cover - filtered out by the query
            continue
        done = timezone.localdate(stage.completed_at) if stage.completed_at else None
        open_late = (
            done is None
            and app.status in OPEN_STATUSES
            and app.current_stage == stage.stage
            and clock_overdue(due, on, getattr(app, "open_pause_since", None))
        )
        if not (open_late or (done is not None and done > due)):
            continue
        values = {
            "stage": StageCode(stage.stage).label,
            "limit": stage.limit_wd,
            "due": f"{due:%Y-%m-%d}",
            "done": f"{done:%Y-%m-%d}" if done else "",
        }
        evidence = (
            gettext("%(stage)s环节时限%(limit)s个工作日，到期日%(due)s，%(done)s才完成")
            if done
            else gettext("%(stage)s环节时限%(limit)s个工作日，到期日%(due)s，至今未完成")
        ) % values
        out.append(Finding("stage_late", gettext("办电环节超过本环节时限"), app, evidence))
    return out


def findings(user: User, start: dt.date, end: dt.date, today: dt.date) -> list[Finding]:
    apps = list(scoped(user, start, end))
    return (
        detect_late_stages(apps, today)
        + detect_pause_outliers(apps, today)
        + detect_late_registration(apps, today)
        + detect_cancel_reapply(user, apps, today)
    )


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current year to date."""
    return dt.date(today.year, 1, 1), today
