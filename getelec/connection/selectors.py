"""Scoped reads: access control lives here. Views and API start from these querysets.

Scopes (docs/security.md "Roles and what each may see"): an applicant sees their own
applications; supply-company staff see their company's applications within their region scope
(Region.scope_prefix), the province-level company's staff also their branches' (read-only
without an admin's grant); a regulator reads every application within their region; an admin reads
all; everyone else (anonymous, other roles) sees nothing. An application outside the scope is
a 404, never a 403.
"""

from __future__ import annotations

import datetime as dt
import hmac
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.db.models.fields.json import KeyTransform
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.accounts.models import Organisation, Region, User
from getelec.accounts.powers import Power, powers_of
from getelec.connection.models import (
    OPEN_STATUSES,
    Application,
    Notification,
    Pause,
    StageRecord,
    Status,
    choice_label,
)
from getelec.core.workdays import CalendarYearNotLoaded, WorkCalendar, pending_text
from getelec.documents.selectors import documents_for, reusable_documents  # noqa: F401 (L13)
from getelec.kernel import access
from getelec.kernel.access import is_active
from getelec.workcalendar.source import current_calendar


def applications_for(user: User) -> QuerySet[Application]:
    """applicant: own; staff: own company within their region (and, for the province-level
    company, its branches' read-only unless granted: getelec.accounts.powers); an organisation with
    READ_APPLICATIONS (the regulators, not a city energy authority: getelec.accounts.powers):
    all in its region (read-only); admin: all; anonymous or other roles: none."""
    qs = Application.objects.all()
    if not is_active(user):
        return qs.none()
    if user.is_platform_admin:
        return qs
    if user.is_applicant:
        return qs.filter(applicant_id=user.pk)
    if user.is_company_staff:
        q = access.company_filter(user) if access.is_company_staff(user) else None
        if q is None:
            return qs.none()
        # The province-level company also reads its branches' (READ_BRANCH_APPLICATIONS).
        branches = access.branch_filter(user)
        return qs.filter(q | branches if branches is not None else q)
    if access.sees_everything(user, Power.READ_APPLICATIONS):
        return qs.filter(access.region_filter(user))
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
    """Staff of the application's company within their region scope, or staff of the company
    above it holding an admin's grant (WORK_BRANCH_APPLICATIONS)."""
    return access.can_work_on(
        user, application.company_id, application.region_id
    ) or access.can_act_for_branch(user, application.company_id, application.region_id)


def is_owner(user: User, application: Application) -> bool:
    return is_active(user) and user.is_applicant and application.applicant_id == user.pk


def sees_personal_data(user: User, application: Application) -> bool:
    """The applicant and the staff who work the application see full personal data."""
    return is_owner(user, application) or can_work_on(user, application)


def staff_queue(user: User) -> QuerySet[Application]:
    """Open applications of the staff member's scope (for the province-level company, its
    branches' too, read-only without a grant): key projects first, then by due date
    (overdue first), pending-calendar ones last.

    Served by the partial index connection_queue_idx (company, queue_rank, due_on, id) WHERE
    status IN OPEN_STATUSES: keep the filter and ordering in step with it.
    """
    if not is_active(user) or not user.is_company_staff:
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
    company: Organisation | None = None,
    county: Region | None = None,
) -> QuerySet[Application]:
    """The list filters of the web page and the API (on an already scoped queryset)."""
    if company is not None:
        qs = qs.filter(company=company)
    if county is not None:
        qs = qs.filter(region=county)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if overdue is not None:
        today = today or timezone.localdate()
        late = overdue_q(today)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs


def overdue_q(today: dt.date) -> Q:
    """Open and past its due date on `today` with the clock running
    (getelec.core.compliance.clock_overdue as a query): an application whose open
    customer-side pause began on or before its due date is not overdue while paused."""
    paused_in_time = Exists(
        Pause.objects.filter(
            application=OuterRef("pk"), ended_on__isnull=True, started_on__lte=OuterRef("due_on")
        )
    )
    return Q(status__in=OPEN_STATUSES, due_on__lt=today) & ~Q(paused_in_time)


def open_pause_starts(applications: list[Application]) -> dict[int, dt.date]:
    """The start of each paused application's open pause (one query, paused ones only)."""
    ids = [a.pk for a in applications if a.status in (Status.PAUSED, Status.AWAITING_CONSENT)]
    if not ids:
        return {}
    return dict(
        Pause.objects.filter(application_id__in=ids, ended_on__isnull=True).values_list(
            "application_id", "started_on"
        )
    )


def open_pause_since(qs: QuerySet[Application]) -> QuerySet[Application]:
    """`qs` with `open_pause_since`: the start of the open customer-side pause, if any."""
    started = Pause.objects.filter(application=OuterRef("pk"), ended_on__isnull=True).order_by(
        "-started_on"
    )
    return qs.annotate(open_pause_since=Subquery(started.values("started_on")[:1]))


def overdue_in_queue(user: User, today: dt.date, limit: int) -> int:
    """How many of the staff member's queue are overdue, counted up to `limit` (a huge backlog
    never makes a page count the whole table)."""
    late = filter_applications(staff_queue(user), overdue=True, today=today)
    return late.values("pk")[:limit].count()


def regulator_filter_choices(user: User) -> tuple[QuerySet[Organisation], QuerySet[Region]]:
    """The supply companies and counties a reader with READ_APPLICATIONS may filter by: those
    within their region (all of them for a reader of the whole province)."""
    prefix = powers_of(user).prefix or ""
    companies = Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY)
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if prefix:
        companies = companies.filter(region__code__startswith=prefix)
        counties = counties.filter(code__startswith=prefix)
    return companies, counties


def list_columns(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Only what list pages show (no personal data columns, no decision JSON)."""
    return queryset.select_related("region", "company").only(
        "number",
        "category",
        "status",
        "current_stage",
        "due_on",
        "due_pending_year",
        "applied_on",
        "key_project",
        "grid_upgrade_committed_on",
        "capacity_kw",
        "voltage",
        "region__name",
        "region__code",
        "company__name",
        "company__short_name",
    )


def with_timeline(application: Application) -> Application:
    """Stages, pauses and documents of an application already read through the scoped
    selectors, in three queries (no N+1 in the timeline)."""
    prefetch_related_objects(
        [application],
        Prefetch("stages", queryset=StageRecord.objects.select_related("completed_by")),
        Prefetch("pauses", queryset=Pause.objects.select_related("created_by")),
        "documents",
    )
    return application


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


def platform_existing_kw(property_scope: str, exclude_pk: int | None = None) -> Decimal:
    """Capacity of open and completed applications in the same (normalised) property scope."""
    qs = Application.objects.filter(
        property_scope=property_scope, status__in=(*OPEN_STATUSES, Status.COMPLETED)
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("capacity_kw"))["total"] or Decimal("0")


def company_serving(region: Region) -> Organisation | None:
    """The supply company serving a county: a county branch if any, else the city company."""
    companies = Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY)
    for candidate in (region.code, region.parent_id):
        if candidate:
            found = companies.filter(region_id=candidate).order_by("id").first()
            if found is not None:
                return found
    return None


def stages_of(application: Application) -> list[StageRecord]:
    return list(application.stages.select_related("completed_by").order_by("seq"))


def pauses_of(application: Application) -> list[Pause]:
    return list(application.pauses.order_by("started_on", "id"))


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's in-app notices, newest first."""
    from getelec.connection.notify import IN_APP

    if not is_active(user):
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk, channel=IN_APP).select_related(
        "application"
    )


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
    # Stages each on their own clock (T2, charging): due_on is the current stage's own.
    own_clock: bool = False
    # The clauses behind the time limit and the stage limits (clause + quote; no personal data).
    time_limit_basis: list[dict[str, Any]] = field(default_factory=list)
    stages_basis: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def due_pending_text(self) -> str:
        if self.due_on is None and self.due_pending_year:
            return pending_text(self.due_pending_year)
        return ""


_DUMMY_CODE = "\x00" * 6


_PUBLIC_FIELDS = (
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
_PUBLIC_STAGE_FIELDS = ("stage", "limit_wd", "due_on", "started_on", "completed_at")


def _label(model: type[Any], field: str, value: Any) -> Any:
    return choice_label(model._meta.get_field(field), value)


_NUMBER_SENTINEL = "\x00public-progress-number\x00"


def _public_progress_queryset(number: str) -> QuerySet[Any]:
    """The application with its stages (LEFT JOIN: one row per stage) and whether it has any
    pause, as dicts."""
    stage_columns = tuple(f"stages__{name}" for name in _PUBLIC_STAGE_FIELDS)
    return (
        Application.objects.filter(number=number)
        # Only the two citation lists of the stored decision, not the whole JSON document.
        .annotate(
            time_limit_basis=KeyTransform("time_limit", KeyTransform("basis", "decision")),
            stages_basis=KeyTransform("stages", KeyTransform("basis", "decision")),
            has_pauses=Exists(Pause.objects.filter(application_id=OuterRef("pk"))),
        )
        .values(*_PUBLIC_FIELDS, "time_limit_basis", "stages_basis", "has_pauses", *stage_columns)
        .order_by("stages__seq")
    )


@dataclass(frozen=True)
class _CompiledLookup:
    """`_public_progress_queryset` compiled once per database connection: building and
    compiling that queryset costs ~0.8 ms of CPU, more than running it (the public look-up is
    the platform's hottest path). Rows go through the same converters as `.values()`."""

    sql: str
    params: tuple[Any, ...]
    number_at: int
    names: tuple[str, ...]
    compiler: Any
    converters: Any

    @classmethod
    def build(cls, using: str) -> _CompiledLookup:
        query = _public_progress_queryset(_NUMBER_SENTINEL).query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        # As django.db.models.query.ValuesIterable names the columns.
        if query.selected:
            names = tuple(query.selected)
        else:
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        return cls(
            sql=sql,
            params=tuple(params),
            number_at=list(params).index(_NUMBER_SENTINEL),
            names=names,
            compiler=compiler,
            converters=compiler.get_converters(fields),
        )

    def run(self, number: str) -> list[dict[str, Any]]:
        params = list(self.params)
        params[self.number_at] = number
        with self.compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows: Iterable[Any] = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [dict(zip(self.names, row, strict=True)) for row in rows]


_compiled_lookups: weakref.WeakKeyDictionary[Any, _CompiledLookup] = weakref.WeakKeyDictionary()


def _public_progress_rows(number: str) -> list[dict[str, Any]]:
    db = router.db_for_read(Application)
    wrapper = connections[db]  # per thread: the compiled query keeps a reference to it
    compiled = _compiled_lookups.get(wrapper)
    if compiled is None:
        compiled = _compiled_lookups[wrapper] = _CompiledLookup.build(db)
    return compiled.run(number)


def public_progress(number: str, verification_code: str) -> PublicProgress | None:
    """None unless both match (constant-time compare of the code).

    One query whether or not the number exists (the application with its stages, plus whether
    it has any pause); a second one only for the pauses of an application that has some.
    """
    if not isinstance(number, str) or not isinstance(verification_code, str):
        return None
    number, code = number.strip()[:20], verification_code.strip()[:8]
    rows = _public_progress_rows(number)
    app = rows[0] if rows else None
    expected = app["verification_code"] if app is not None else _DUMMY_CODE
    matches = hmac.compare_digest(expected.encode(), code.encode())
    if app is None or not matches or not code:
        return None
    stages = [
        {
            "stage": row["stages__stage"],
            "label": _label(StageRecord, "stage", row["stages__stage"]),
            "limit_wd": row["stages__limit_wd"],
            "due_on": row["stages__due_on"],
            "started_on": row["stages__started_on"],
            "completed_on": timezone.localdate(row["stages__completed_at"])
            if row["stages__completed_at"]
            else None,
        }
        for row in rows
        if row["stages__stage"] is not None
    ]
    pauses = (
        [
            {
                "reason": p.reason,
                "label": p.get_reason_display(),
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "paused_wd": p.paused_wd,
            }
            for p in Pause.objects.filter(application_id=app["id"]).order_by("started_on", "id")
        ]
        if app["has_pauses"]
        else []
    )
    status, stage, cause = app["status"], app["current_stage"], app["grid_upgrade_cause"]
    return PublicProgress(
        number=app["number"],
        category=app["category"],
        status=status,
        current_stage=stage,
        applied_on=app["applied_on"],
        due_on=app["due_on"],
        due_pending_year=app["due_pending_year"],
        stages=stages,
        pauses=pauses,
        category_label=_label(Application, "category", app["category"]),
        status_label=_label(Application, "status", status),
        current_stage_label=_label(Application, "current_stage", stage) if stage else "",
        completed_on=app["completed_on"],
        contracted_on=app["contracted_on"],
        grid_upgrade_cause=cause,
        grid_upgrade_cause_label=_label(Application, "grid_upgrade_cause", cause) if cause else "",
        grid_upgrade_committed_on=app["grid_upgrade_committed_on"],
        time_limit_wd=app["time_limit_wd"],
        time_limit_basis=_citations(app["time_limit_basis"]),
        own_clock=_on_own_clock(app["time_limit_basis"]),
        stages_basis=_citations(app["stages_basis"]),
    )


def _on_own_clock(values: Any) -> bool:
    """Whether a stored time-limit basis is the stages-on-own-clocks rule (T2, charging)."""
    return any(
        isinstance(v, dict) and v.get("parameter") == "own_clock_stage_lists"
        for v in (values if isinstance(values, list) else [])
    )


def _citations(values: Any) -> list[dict[str, Any]]:
    """Clause, quote (or a platform default's reason) and source of stored parameter values,
    each sentence once."""
    seen, unique = set(), []
    for value in values if isinstance(values, list) else []:
        if not isinstance(value, dict):
            continue
        key = (value.get("clause"), value.get("quote"), value.get("reason"))
        if key not in seen:
            seen.add(key)
            unique.append({k: value.get(k, "") for k in CITATION_FIELDS})
    return unique


CITATION_FIELDS = ("clause", "quote", "reason", "source", "paraphrase", "unconfirmed")
