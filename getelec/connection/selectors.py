"""Scoped reads: access control lives here. Views and API start from these querysets.

Scopes (issue 2): an applicant sees their own applications; supply-company staff see their
company's applications within their region scope (Region.scope_prefix); a regulator reads every
application within their region; an admin reads all; everyone else (anonymous, other roles) sees
nothing. An application outside the scope is a 404, never a 403.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.accounts.models import Organisation, Region, User
from getelec.connection.models import (
    OPEN_STATUSES,
    Application,
    Document,
    Notification,
    Pause,
    StageRecord,
)
from getelec.core.workdays import CalendarYearNotLoaded, WorkCalendar
from getelec.workcalendar.source import current_calendar


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def scope_region(user: User) -> Region | None:
    """The region a staff member or regulator works in: their own, else their organisation's."""
    if user.region_id:
        return user.region
    if user.organisation_id:
        return user.organisation.region
    return None


def applications_for(user: User) -> QuerySet[Application]:
    """applicant: own; staff: own company within their region; regulator: all in their
    region (read-only); admin: all; anonymous or other roles: none."""
    qs = Application.objects.all()
    if not _active(user):
        return qs.none()
    if user.is_platform_admin:
        return qs
    if user.is_applicant:
        return qs.filter(applicant_id=user.pk)
    if user.is_company_staff:
        org = user.organisation
        region = scope_region(user)
        if org is None or org.kind != Organisation.Kind.SUPPLY_COMPANY or region is None:
            return qs.none()
        return qs.filter(company_id=org.pk, region__code__startswith=region.scope_prefix)
    if user.is_regulator:
        region = scope_region(user)
        if region is None:
            return qs.none()
        return qs.filter(region__code__startswith=region.scope_prefix)
    return qs.none()


def get_application_for(user: User, number: str) -> Application:
    """The application if `user` may see it, else Http404 (never 403: existence stays hidden)."""
    found = (
        applications_for(user)
        .select_related("region", "region__parent", "company", "applicant")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise Http404(_("未找到该申请"))
    return found


def can_work_on(user: User, application: Application) -> bool:
    """Staff of the application's company within their region scope."""
    if not _active(user) or not user.is_company_staff or not user.organisation_id:
        return False
    if user.organisation_id != application.company_id:
        return False
    region = scope_region(user)
    return region is not None and application.region_id.startswith(region.scope_prefix)


def is_owner(user: User, application: Application) -> bool:
    return _active(user) and user.is_applicant and application.applicant_id == user.pk


def sees_personal_data(user: User, application: Application) -> bool:
    """The applicant and the staff who work the application see full personal data."""
    return is_owner(user, application) or can_work_on(user, application)


def staff_queue(user: User) -> QuerySet[Application]:
    """Open applications the staff member may work: key projects first, then by due date
    (overdue first), pending-calendar ones last.

    Served by the partial index connection_queue_idx (company, queue_rank, due_on, id) WHERE
    status IN OPEN_STATUSES: keep the filter and ordering in step with it.
    """
    if not _active(user) or not user.is_company_staff:
        return Application.objects.none()
    return (
        applications_for(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("region", "company")
        .order_by("queue_rank", F("due_on").asc(nulls_last=True), "id")
    )


def filter_applications(
    qs: QuerySet[Application],
    status: str | None = None,
    category: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[Application]:
    """The list filters of the web page and the API (on an already scoped queryset)."""
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if overdue is not None:
        today = today or timezone.localdate()
        late = Q(status__in=OPEN_STATUSES, due_on__lt=today)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs


def remaining_workdays(
    applications: Iterable[Application],
    today: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> dict[int, int | None]:
    """Working days from today to each open application's due date (negative: overdue by that
    many working days; 0: due today). None for closed applications and pending due dates.
    One calendar for the whole list, no queries.
    """
    today = today or timezone.localdate()
    calendar = calendar or current_calendar()
    result: dict[int, int | None] = {}
    for app in applications:
        if app.due_on is None or app.status not in OPEN_STATUSES:
            result[app.pk] = None
            continue
        try:
            result[app.pk] = calendar.workdays_between(today, app.due_on)
        except CalendarYearNotLoaded:
            result[app.pk] = None
    return result


def stages_of(application: Application) -> list[StageRecord]:
    return list(application.stages.select_related("completed_by").order_by("seq"))


def pauses_of(application: Application) -> list[Pause]:
    return list(application.pauses.order_by("started_on", "id"))


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's in-app notices, newest first."""
    from getelec.connection.notify import IN_APP

    if not _active(user):
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk, channel=IN_APP).select_related(
        "application"
    )


def documents_for(user: User) -> QuerySet[Document]:
    """The user's own documents (L13 archive)."""
    if not _active(user):
        return Document.objects.none()
    return Document.objects.filter(owner_id=user.pk)


def reusable_documents(user: User, on: dt.date | None = None) -> QuerySet[Document]:
    """Own documents still valid on `on` (default today): offered instead of a new upload."""
    on = on or timezone.localdate()
    return documents_for(user).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))


@dataclass(frozen=True)
class PublicProgress:
    """What the public lookup shows: no personal data."""

    number: str
    category: str
    status: str
    current_stage: str
    applied_on: Any
    due_on: Any
    due_pending_year: int | None
    stages: list[dict[str, Any]]
    pauses: list[dict[str, Any]]
    category_label: str = ""
    status_label: str = ""
    current_stage_label: str = ""
    completed_on: Any = None
    contracted_on: Any = None
    grid_upgrade_cause: str = ""
    grid_upgrade_cause_label: str = ""
    grid_upgrade_committed_on: Any = None
    time_limit_wd: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def due_pending_text(self) -> str:
        if self.due_on is None and self.due_pending_year:
            return CalendarYearNotLoaded(self.due_pending_year).pending_text
        return ""


_DUMMY_CODE = "\x00" * 6


def public_progress(number: str, verification_code: str) -> PublicProgress | None:
    """None unless both match (constant-time compare of the code)."""
    if not isinstance(number, str) or not isinstance(verification_code, str):
        return None
    number, code = number.strip()[:20], verification_code.strip()[:8]
    app = (
        Application.objects.filter(number=number)
        .only(
            "id",
            "number",
            "verification_code",
            "category",
            "status",
            "current_stage",
            "applied_on",
            "due_on",
            "due_pending_year",
            "completed_on",
            "contracted_on",
            "grid_upgrade_cause",
            "grid_upgrade_committed_on",
            "time_limit_wd",
        )
        .first()
    )
    expected = app.verification_code if app is not None else _DUMMY_CODE
    matches = hmac.compare_digest(expected.encode(), code.encode())
    if app is None or not matches or not code:
        return None
    stages = [
        {
            "stage": s.stage,
            "label": s.get_stage_display(),
            "limit_wd": s.limit_wd,
            "due_on": s.due_on,
            "started_on": s.started_on,
            "completed_on": timezone.localdate(s.completed_at) if s.completed_at else None,
        }
        for s in StageRecord.objects.filter(application_id=app.pk).order_by("seq")
    ]
    pauses = [
        {
            "reason": p.reason,
            "label": p.get_reason_display(),
            "started_on": p.started_on,
            "ended_on": p.ended_on,
            "paused_wd": p.paused_wd,
        }
        for p in Pause.objects.filter(application_id=app.pk).order_by("started_on", "id")
    ]
    return PublicProgress(
        number=app.number,
        category=app.category,
        status=app.status,
        current_stage=app.current_stage,
        applied_on=app.applied_on,
        due_on=app.due_on,
        due_pending_year=app.due_pending_year,
        stages=stages,
        pauses=pauses,
        category_label=app.get_category_display(),
        status_label=app.get_status_display(),
        current_stage_label=app.get_current_stage_display() if app.current_stage else "",
        completed_on=app.completed_on,
        contracted_on=app.contracted_on,
        grid_upgrade_cause=app.grid_upgrade_cause,
        grid_upgrade_cause_label=(
            app.get_grid_upgrade_cause_display() if app.grid_upgrade_cause else ""
        ),
        grid_upgrade_committed_on=app.grid_upgrade_committed_on,
        time_limit_wd=app.time_limit_wd,
    )
