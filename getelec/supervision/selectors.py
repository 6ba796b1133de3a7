"""Scoped reads of the regulator's desk: access control lives here.

Powers come from the user's organisation (getelec.accounts.powers), never the role flag:
- The region regulators (and admins) read every ledger row (READ_LEDGER_ALL); every other
  organisation sees only the rows it is responsible for, and reports only on those.
- Filings: READ_FILINGS holders see those of applications in their region (a city energy
  authority its city's), company staff their own company's; batches likewise (READ_BATCHES:
  batches of companies in the region and batches concerning an application in it, read-only;
  the recipients are the two region regulators only, T2).
Anything out of scope is a 404, never a 403.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from getelec.accounts.masking import outside_view
from getelec.accounts.models import Organisation, User
from getelec.accounts.powers import Power, powers_of
from getelec.audit.models import AuditEvent
from getelec.connection import services as connection
from getelec.connection.models import (
    OPEN_STATUSES,
    Application,
    Category,
    GridUpgradeCause,
    Status,
    Voltage,
)
from getelec.kernel import access
from getelec.kernel.policy import param
from getelec.supervision import rules
from getelec.supervision.models import (
    SECTION_ORDER,
    DelayFiling,
    FilingRevision,
    LedgerAssignment,
    LedgerTask,
    MonthlyBatch,
    ProgressReport,
    ReportAttachment,
    ReportProgress,
    Section,
)
from getelec.workcalendar.source import current_calendar

LV_CATEGORIES = (
    Category.LV_RESIDENTIAL,
    Category.LV_THREE_ZERO,
    Category.LV_NON_RESIDENTIAL,
    Category.LV_EV_CHARGING,
    Category.LV_EBIKE_CHARGING,
)


def sees_everything(user: Any) -> bool:
    """The region regulators and admins read the whole ledger (READ_LEDGER_ALL)."""
    return access.sees_everything(user, Power.READ_LEDGER_ALL)


# --------------------------------------------------------------------------------------------
# Ledger scoping
# --------------------------------------------------------------------------------------------


def assignments_for(user: User) -> QuerySet[LedgerAssignment]:
    qs = LedgerAssignment.objects.select_related("task", "organisation")
    powers = powers_of(user)
    if powers.has(Power.READ_LEDGER_ALL):
        return qs
    if not powers.has(Power.REPORT_PROGRESS) or powers.organisation_id is None:
        return qs.none()
    return qs.filter(organisation_id=powers.organisation_id)


def ledger_tasks_for(user: User) -> QuerySet[LedgerTask]:
    qs = LedgerTask.objects.all()
    if sees_everything(user):
        return qs
    return qs.filter(assignments__in=assignments_for(user)).distinct()


def reports_for(user: User) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(assignment__in=assignments_for(user)).select_related(
        "assignment__task", "assignment__organisation", "submitted_by", "reviewed_by"
    )


def get_task_for(user: User, number: int) -> LedgerTask:
    task = ledger_tasks_for(user).filter(number=number).first()
    if task is None:
        raise Http404("未找到该任务")
    return task


def get_report_for(user: User, pk: int) -> ProgressReport:
    report = reports_for(user).filter(pk=pk).first()
    if report is None:
        raise Http404("未找到该报告")
    return report


def task_reports(user: User, task: LedgerTask) -> QuerySet[ProgressReport]:
    """The reports on a task the user may see, newest first, with their attachments."""
    return (
        reports_for(user)
        .filter(assignment__task=task)
        .prefetch_related("attachments")
        .order_by("-submitted_at", "-id")
    )


def assignment_for(user: User, task: LedgerTask, pk: int) -> LedgerAssignment | None:
    """One of the task's assignments the user may report on, or None."""
    return assignments_for(user).filter(pk=pk, task=task).first()


def get_attachment_for(user: User, pk: int) -> ReportAttachment:
    """An attachment of a report the user may see; otherwise 404."""
    att = ReportAttachment.objects.filter(pk=pk, report__in=reports_for(user)).first()
    if att is None:
        raise Http404(gettext("未找到该附件"))
    return att


def can_report(user: User, assignment: LedgerAssignment) -> bool:
    """A responsible unit reports only on its own rows."""
    powers = powers_of(user)
    return (
        powers.has(Power.REPORT_PROGRESS)
        and powers.organisation_id is not None
        and powers.organisation_id == assignment.organisation_id
    )


def can_review(user: User | AnonymousUser, report: ProgressReport) -> bool:
    """A region regulator reviews reports of units in its region, never its own."""
    powers = powers_of(user)
    unit = report.assignment.organisation
    return (
        powers.has(Power.REVIEW_REPORTS)
        and powers.organisation_id != unit.pk
        and powers.in_scope(unit.region_id)
    )


# --------------------------------------------------------------------------------------------
# Ledger states
# --------------------------------------------------------------------------------------------


@dataclass
class AssignmentStatus:
    assignment: LedgerAssignment
    state: rules.LedgerState
    quarters: list[rules.QuarterState] = field(default_factory=list)
    latest: ProgressReport | None = None

    @property
    def label(self) -> str:
        return gettext(rules.LEDGER_STATE_LABELS[self.state])

    @property
    def overdue_quarters(self) -> list[rules.QuarterState]:
        return [q for q in self.quarters if q.state == rules.LedgerState.OVERDUE]


@dataclass
class TaskStatus:
    task: LedgerTask
    units: list[AssignmentStatus]
    state: rules.LedgerState

    @property
    def label(self) -> str:
        return gettext(rules.LEDGER_STATE_LABELS[self.state])

    @property
    def latest(self) -> ProgressReport | None:
        reports = [u.latest for u in self.units if u.latest is not None]
        return max(reports, key=lambda r: (r.submitted_at, r.pk)) if reports else None


def _facts(reports: list[ProgressReport]) -> list[rules.ReportFact]:
    return [
        rules.ReportFact(
            rules.Quarter(r.year, r.quarter),
            r.submitted_on,
            r.review,
            r.progress == ReportProgress.COMPLETED,
        )
        for r in reports
    ]


def assignment_status(
    assignment: LedgerAssignment, reports: list[ProgressReport], today: dt.date
) -> AssignmentStatus:
    task = assignment.task
    latest = max(reports, key=lambda r: (r.submitted_at, r.pk)) if reports else None
    if task.due_on is not None:
        state = rules.dated_state(task.due_on, _facts(reports), today)
        return AssignmentStatus(assignment, state, [], latest)
    start = rules.Quarter.parse(param("ledger_reporting_start_quarter", today).value)
    due_wd = param("ledger_quarterly_report_due_wd", today).value
    quarters = rules.ongoing_quarters(current_calendar(), start, _facts(reports), today, due_wd)
    return AssignmentStatus(assignment, rules.ongoing_state(quarters), quarters, latest)


def ledger_status(
    user: User, today: dt.date | None = None, tasks: QuerySet[LedgerTask] | None = None
) -> list[TaskStatus]:
    """Every task the user may see with its state (worst of its units); a unit user gets only
    their own units on each row."""
    today = today or timezone.localdate()
    assignments = assignments_for(user).prefetch_related(
        Prefetch("reports", queryset=ProgressReport.objects.order_by("-submitted_at", "-id"))
    )
    tasks = ledger_tasks_for(user) if tasks is None else tasks
    by_task: dict[int, list[AssignmentStatus]] = defaultdict(list)
    for a in assignments.filter(task__in=tasks):
        by_task[a.task_id].append(assignment_status(a, list(a.reports.all()), today))
    out = []
    for task in tasks.order_by("number"):
        units = by_task.get(task.pk, [])
        out.append(TaskStatus(task, units, rules.worst(u.state for u in units)))
    return out


def task_status(user: User, task: LedgerTask, today: dt.date | None = None) -> TaskStatus:
    """The ledger row of one task the user may see (`get_task_for`)."""
    (status,) = ledger_status(user, today, tasks=LedgerTask.objects.filter(pk=task.pk))
    return status


def ledger_by_section(statuses: list[TaskStatus]) -> list[tuple[str, str, list[TaskStatus]]]:
    groups: dict[str, list[TaskStatus]] = defaultdict(list)
    for status in statuses:
        groups[status.task.section].append(status)
    return [
        (code, str(Section(code).label), groups[code])
        for code in sorted(groups, key=lambda c: SECTION_ORDER[c])
    ]


def reportable_quarters(today: dt.date, count: int = 4) -> list[rules.Quarter]:
    """The current quarter and the ones before it (newest first)."""
    q = rules.Quarter.of(today)
    out = [q]
    while len(out) < count:
        q = rules.Quarter(q.year - 1, 4) if q.q == 1 else rules.Quarter(q.year, q.q - 1)
        out.append(q)
    return out


# --------------------------------------------------------------------------------------------
# Cancellation dates
# --------------------------------------------------------------------------------------------

# The audit action the connection service writes when an application is withdrawn.
CANCEL_ACTION = "connection.cancel_application"


def cancellation_dates(applications: Iterable[Application]) -> dict[int, dt.date]:
    """The day (Asia/Shanghai) each cancelled application was withdrawn.

    Application has no `cancelled_on` column: the date lives in the append-only audit row
    that `connection.services.cancel_application` writes (action CANCEL_ACTION). This is the
    only place the desk reads it: one query for all the applications given, the earliest such
    row per application. An application cancelled without that row (data loaded in bulk)
    falls back to its last change (`updated_at`), which is never earlier than the
    cancellation. Applications not cancelled are left out.
    """
    cancelled = {a.pk: a for a in applications if a.status == Status.CANCELLED}
    if not cancelled:
        return {}
    out: dict[int, dt.date] = {}
    events = (
        AuditEvent.objects.filter(
            object_type=Application._meta.label_lower,
            object_id__in=[str(pk) for pk in cancelled],
            action=CANCEL_ACTION,
        )
        .order_by("at", "id")
        .values_list("object_id", "at")
    )
    for object_id, at in events:
        out.setdefault(int(object_id), timezone.localtime(at).date())
    for pk, app in cancelled.items():
        if pk not in out:
            out[pk] = timezone.localtime(app.updated_at).date()
    return out


# What a reader sees for each audited change of a filing (the audit log keeps the code).
FILING_ACTION_LABELS = {
    "supervision.create_filing": gettext_lazy("新建备案"),
    "supervision.update_draft_filing": gettext_lazy("修改草稿"),
    "supervision.submit_filing": gettext_lazy("提交备案"),
    "supervision.revise_filing": gettext_lazy("修订备案"),
}


def filing_history(filing: DelayFiling) -> list[AuditEvent]:
    """Every audited change of a filing (create, edit, submit, revise), oldest first, each with
    `action_label` in the reader's language."""
    events = list(
        AuditEvent.objects.filter(
            object_type=DelayFiling._meta.label_lower, object_id=str(filing.pk)
        ).order_by("at", "id")
    )
    for event in events:
        event.action_label = str(FILING_ACTION_LABELS.get(event.action, event.action))
    return events


# --------------------------------------------------------------------------------------------
# Filings
# --------------------------------------------------------------------------------------------


def filing_applications_for(user: User) -> QuerySet[Application]:
    """The applications whose filings the user may read: the own company's (FILE_FILINGS,
    through connection's scope) or every one in the region (READ_FILINGS)."""
    powers = powers_of(user)
    if powers.has(Power.FILE_FILINGS):
        return connection.applications_for(user)
    if powers.has(Power.READ_FILINGS):
        return Application.objects.filter(access.region_filter(user))
    return Application.objects.none()


def filings_for(user: User) -> QuerySet[DelayFiling]:
    return DelayFiling.objects.filter(application__in=filing_applications_for(user)).select_related(
        "application", "application__region", "company"
    )


def get_filing_for(user: User, pk: int) -> DelayFiling:
    filing = filings_for(user).filter(pk=pk).first()
    if filing is None:
        raise Http404("未找到该备案")
    return filing


def current_revision(filing: DelayFiling, on: dt.date | None = None) -> FilingRevision | None:
    """The revision in force: the latest submitted (on or before `on`), else the draft."""
    revisions = list(filing.revisions.all())
    submitted = [r for r in revisions if r.submitted_on and (on is None or r.submitted_on <= on)]
    if submitted:
        return max(submitted, key=lambda r: r.number)
    if on is None and revisions:
        return revisions[0]
    return None


def filing_outcome(
    filing: DelayFiling, today: dt.date, as_of: dt.date | None = None
) -> rules.FilingOutcome:
    """Against the committed date of the first submitted revision (a later revision that
    postpones the date is visible in the history, but does not turn a miss into a keep)."""
    app = filing.application
    committed = filing.first_committed_on
    if committed is None:  # a draft: judged against what it proposes
        revision = current_revision(filing)
        if revision is None:
            raise RuntimeError(f"draft filing {filing.pk} has no revision")
        committed = revision.committed_on
    completed = (
        app.completed_on
        if as_of is None or (app.completed_on and app.completed_on <= as_of)
        else None
    )
    cancelled = app.status == Status.CANCELLED and as_of is None
    return rules.filing_outcome(committed, completed, cancelled, as_of or today)


def blocked_unfiled(user: User) -> QuerySet[Application]:
    """LV applications marked as blocked that still have no filing (the company's to-do)."""
    return (
        filing_applications_for(user)
        .filter(voltage=Voltage.LOW, status__in=OPEN_STATUSES)
        .exclude(grid_upgrade_cause="")
        .filter(delay_filing__isnull=True)
        .select_related("region", "company")
    )


@dataclass
class FollowUp:
    filing: DelayFiling
    outcome: rules.FilingOutcome
    committed_on: dt.date


def follow_ups(user: User, today: dt.date | None = None) -> list[FollowUp]:
    """Filings whose committed date passed without connection: flagged until closed."""
    today = today or timezone.localdate()
    qs = (
        filings_for(user)
        .filter(
            submitted_on__isnull=False,
            application__status__in=OPEN_STATUSES,
            first_committed_on__lt=today,
        )
        .prefetch_related("revisions")
    )
    # first_committed_on__lt already leaves out filings without a date; the test narrows the type
    return [
        FollowUp(f, rules.FilingOutcome.FOLLOW_UP, f.first_committed_on)
        for f in qs
        if f.first_committed_on is not None
    ]


@dataclass
class UnfiledOverdue:
    application: Application
    filing: DelayFiling | None  # a late filing, or None when never filed

    @property
    def kind(self) -> str:
        return "filed_late" if self.filing is not None else "unfiled"

    @property
    def label(self) -> str:
        return gettext("逾期后才备案") if self.filing is not None else gettext("逾期未备案")


def unfiled_overdue(user: User, today: dt.date | None = None) -> list[UnfiledOverdue]:
    """LV applications past their statutory due date with no filing made in time."""
    today = today or timezone.localdate()
    overdue = Q(status__in=OPEN_STATUSES, due_on__lt=today) | Q(
        status=Status.COMPLETED, completed_on__gt=F("due_on")
    )
    qs = (
        filing_applications_for(user)
        .filter(category__in=LV_CATEGORIES, due_on__isnull=False)
        .filter(overdue)
        .select_related("region", "company")
        .order_by("company__name", "due_on")
    )
    filings = {
        f.application_id: f
        for f in DelayFiling.objects.filter(application__in=qs).select_related("application")
    }
    out = []
    for app in qs:
        filing = filings.get(app.pk)
        if filing is not None and filing.submitted_on and not filing.late:
            continue
        out.append(UnfiledOverdue(app, filing if filing and filing.submitted_on else None))
    return out


@dataclass
class CompanyFilingSummary:
    company: Organisation
    filed: int = 0
    late_filed: int = 0
    kept: int = 0
    missed: int = 0
    follow_up: int = 0
    open: int = 0
    unfiled_overdue: int = 0


def filing_summary(user: User, today: dt.date | None = None) -> list[CompanyFilingSummary]:
    """Per company: filed, filed-and-kept, missed (overdue), follow-up, unfiled overdue."""
    today = today or timezone.localdate()
    summaries: dict[int, CompanyFilingSummary] = {}

    def of(company: Organisation) -> CompanyFilingSummary:
        return summaries.setdefault(company.pk, CompanyFilingSummary(company))

    for filing in (
        filings_for(user).filter(submitted_on__isnull=False).prefetch_related("revisions")
    ):
        s = of(filing.company)
        s.filed += 1
        s.late_filed += filing.late
        outcome = filing_outcome(filing, today)
        if outcome == rules.FilingOutcome.KEPT:
            s.kept += 1
        elif outcome == rules.FilingOutcome.MISSED:
            s.missed += 1
        elif outcome == rules.FilingOutcome.FOLLOW_UP:
            s.follow_up += 1
        elif outcome == rules.FilingOutcome.OPEN:
            s.open += 1
    for item in unfiled_overdue(user, today):
        of(item.application.company).unfiled_overdue += 1
    return sorted(summaries.values(), key=lambda s: s.company.name)


# --------------------------------------------------------------------------------------------
# Monthly batches
# --------------------------------------------------------------------------------------------


def batches_for(user: User) -> QuerySet[MonthlyBatch]:
    qs = MonthlyBatch.objects.select_related("company", "submitted_by").prefetch_related(
        "recipients"
    )
    powers = powers_of(user)
    if powers.has(Power.FILE_FILINGS):
        return qs.filter(company_id=powers.organisation_id)
    if powers.has(Power.READ_BATCHES) and powers.prefix is not None:
        if powers.admin:
            return qs
        in_region = Q(company__region__code__startswith=powers.prefix)
        concerning = MonthlyBatch.objects.filter(regions__code__startswith=powers.prefix).values(
            "pk"
        )
        return qs.filter(in_region | Q(pk__in=concerning))
    return qs.none()


def batch_rows(batch: MonthlyBatch) -> list[dict[str, Any]]:
    """A batch's rows as they leave the company (page, API and the A1 workbook): masked as seen
    from outside it. Rows are masked when the batch is made; this also masks those frozen
    before that (their full customer names are looked up to find them in the text)."""
    numbers = [row.get("application") for row in batch.rows]
    customers = {
        number: (name, kind)
        for number, name, kind in Application.objects.filter(number__in=numbers).values_list(
            "number", "customer_name", "customer_type"
        )
    }
    return [
        outside_view(
            row,
            *customers.get(row.get("application"), ("", row.get("customer_type", ""))),
        )
        for row in batch.rows
    ]


def revisions_for(user: User, filing: DelayFiling) -> list[FilingRevision]:
    """The filing's revisions, newest first, for display: masked in memory (never saved) for
    anybody but the serving company's staff."""
    revisions = list(filing.revisions.order_by("-number"))
    if connection.sees_personal_data(user, filing.application):
        return revisions
    for revision in revisions:
        masked = outside_view(
            {f: getattr(revision, f) for f in MASKED_REVISION_FIELDS},
            revision.customer_name,
            revision.customer_type,
        )
        for key, value in masked.items():
            setattr(revision, key, value)
        revision.save = _never_saved  # type: ignore[method-assign]  # display-only instance
    return revisions


# The text fields of a revision a page shows (masked for outsiders).
MASKED_REVISION_FIELDS = (
    "project_name",
    "customer_name",
    "address",
    "cause_detail",
    "upgrade_project",
    "measures",
    "customer_informed_how",
    "late_reason",
    "contact",
    "reason",
)


def _never_saved(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("a masked revision is for display only")


def get_batch_for(user: User, pk: int) -> MonthlyBatch:
    batch = batches_for(user).filter(pk=pk).first()
    if batch is None:
        raise Http404("未找到该月度报送")
    return batch


def companies_for(user: User) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY)
    powers = powers_of(user)
    if powers.has(Power.FILE_FILINGS):
        if powers.organisation_id is None:  # pk=None would match nothing either
            return qs.none()
        return qs.filter(pk=powers.organisation_id)
    if powers.has(Power.READ_BATCHES) and powers.prefix is not None:
        if powers.admin:
            return qs
        in_scope = filing_applications_for(user).values("company_id")
        return qs.filter(Q(region__code__startswith=powers.prefix) | Q(pk__in=in_scope))
    return qs.none()


def company_for(user: User, pk: int | None) -> Organisation | None:
    """A supply company within the user's scope, or None."""
    return None if pk is None else companies_for(user).filter(pk=pk).first()


def preview_company(user: User, pk: int | None) -> Organisation | None:
    """The company whose month is previewed: the one asked for, within scope; else a filer's
    own company."""
    companies = companies_for(user)
    asked = None if pk is None else companies.filter(pk=pk).first()
    return asked or (companies.first() if powers_of(user).has(Power.FILE_FILINGS) else None)


def batch_of(user: User, company: Organisation, month: dt.date) -> MonthlyBatch | None:
    """The company's batch for the month, if the user may see it."""
    return batches_for(user).filter(company=company, month=month).first()


@dataclass
class BatchPreview:
    company: Organisation
    month: dt.date
    deadline: rules.Deadline
    rows: list[dict[str, Any]]
    regions: list[str]  # the company's region and its rows' (who may read it), not recipients
    basis: dict[str, Any]


def revision_row(revision: FilingRevision, full: bool = False) -> dict[str, Any]:
    """One filing revision as a JSON row (the batch keeps these as submitted). Unless `full`
    (only for the serving company's staff), as seen from outside the company: a natural
    person's name and the address below the building masked (accounts.masking.outside_view)."""
    row = _revision_values(revision)
    if full:
        return row
    return outside_view(row, revision.customer_name, revision.customer_type)


def _revision_values(revision: FilingRevision) -> dict[str, Any]:
    return {
        "revision": revision.number,
        "project_name": revision.project_name,
        "customer_name": revision.customer_name,
        "customer_type": revision.customer_type,
        "address": revision.address,
        "region_name": revision.region_name,
        "category": revision.category,
        "category_label": str(Category(revision.category).label),
        "capacity_kw": str(revision.capacity_kw),
        "applied_on": revision.applied_on.isoformat(),
        "statutory_due_on": revision.statutory_due_on.isoformat()
        if revision.statutory_due_on
        else None,
        "statutory_limit_wd": revision.statutory_limit_wd,
        "cause": revision.cause,
        "cause_label": str(GridUpgradeCause(revision.cause).label),
        "cause_detail": revision.cause_detail,
        "upgrade_project": revision.upgrade_project,
        "committed_on": revision.committed_on.isoformat(),
        "measures": revision.measures,
        "customer_informed_on": revision.customer_informed_on.isoformat(),
        "customer_informed_how": revision.customer_informed_how,
        "late_reason": revision.late_reason,
        "contact": revision.contact,
        "reason": revision.reason,
        "submitted_on": revision.submitted_on.isoformat() if revision.submitted_on else None,
    }


CHANGE_LABELS = {"new": "本月新增", "revised": "本月修订", "open": "在途跟踪"}


def batch_preview(company: Organisation, month: dt.date, today: dt.date) -> BatchPreview:
    """What the company's batch for `month` contains: the filings first submitted or revised
    in the month, plus the status at month end of every filing still open then."""
    month = rules.month_start(month)
    end = rules.month_end(month)
    due_wd = param("filing_batch_due_wd", end)
    deadline = month_batch_deadline(month)
    filings = list(
        DelayFiling.objects.filter(company=company, submitted_on__lte=end)
        .select_related("application", "application__region")
        .prefetch_related("revisions")
        .order_by("submitted_on", "pk")
    )
    cancelled_on = cancellation_dates(f.application for f in filings)
    rows, regions = [], set()
    for filing in filings:
        app = filing.application
        cancelled = cancelled_on.get(app.pk)
        in_month = [
            r for r in filing.revisions.all() if r.submitted_on and month <= r.submitted_on <= end
        ]
        closed_before = (app.completed_on is not None and app.completed_on < month) or (
            cancelled is not None and cancelled < month
        )
        still_open = not (app.completed_on is not None and app.completed_on <= end) and not (
            cancelled is not None and cancelled <= end
        )
        if not in_month and (closed_before or not still_open):
            continue
        revision = current_revision(filing, end)
        if revision is None:
            continue
        if in_month and any(r.number == 1 for r in in_month):
            change = "new"
        elif in_month:
            change = "revised"
        else:
            change = "open"
        outcome = filing_outcome(filing, today, as_of=end)
        if app.status == Status.CANCELLED and not still_open:
            outcome = rules.FilingOutcome.CANCELLED
        rows.append(
            {
                "filing_id": filing.pk,
                "application": app.number,
                "change": change,
                "change_label": CHANGE_LABELS[change],
                "revisions_in_month": [r.number for r in in_month],
                "late_filed": filing.late,
                "first_submitted_on": filing.submitted_on.isoformat()
                if filing.submitted_on
                else None,
                "first_committed_on": filing.first_committed_on.isoformat()
                if filing.first_committed_on
                else None,
                "status_at_month_end": outcome.value,
                "status_label": rules.FILING_OUTCOME_LABELS[outcome],
                "completed_on": app.completed_on.isoformat()
                if app.completed_on and app.completed_on <= end
                else None,
                **revision_row(revision),
            }
        )
        regions.add(app.region_id)
    if company.region_id:
        regions.add(company.region_id)
    basis = {
        "period": param("filing_batch_period", end).as_dict(),
        "due": due_wd.as_dict(),
    }
    return BatchPreview(company, month, deadline, rows, sorted(regions), basis)


@dataclass
class BatchFlag:
    company: Organisation
    month: dt.date
    deadline: rules.Deadline
    batch: MonthlyBatch | None
    state: str  # submitted / late / missing / due / pending_calendar

    @property
    def label(self) -> str:
        pending = self.deadline.pending_text or gettext("待报送")
        return {
            "submitted": gettext("按期报送"),
            "late": gettext("逾期报送"),
            "missing": gettext("逾期未报送"),
            "due": gettext("待报送"),
            "pending_calendar": pending,
        }[self.state]


def month_batch_deadline(month: dt.date) -> rules.Deadline:
    """When the batch of `month` is due, on the calendar in force (the parameter in force at the
    month's end, the last day the batch covers)."""
    month = rules.month_start(month)
    due_wd = param("filing_batch_due_wd", rules.month_end(month)).value
    return rules.batch_deadline(current_calendar(), month, due_wd)


def batch_deadline_of(batch: MonthlyBatch) -> rules.Deadline:
    """A batch's deadline: the date stored when it was submitted or, when it was pending then,
    computed on the calendar in force (a date once its year is imported, else pending)."""
    if batch.due_on:
        return rules.Deadline(batch.due_on)
    return month_batch_deadline(batch.month)


def batch_flags(user: User, today: dt.date | None = None) -> list[BatchFlag]:
    """For each company in scope and each ended month from its first filing on: the batch
    submitted (on time or late), or a flag when it is missing or still due."""
    today = today or timezone.localdate()
    out: list[BatchFlag] = []
    last_month = rules.month_start(rules.month_start(today) - dt.timedelta(days=1))
    for company in companies_for(user).order_by("name"):
        first = (
            DelayFiling.objects.filter(company=company, submitted_on__isnull=False)
            .order_by("submitted_on")
            .values_list("submitted_on", flat=True)
            .first()
        )
        if first is None:
            continue
        batches = {b.month: b for b in MonthlyBatch.objects.filter(company=company)}
        month = rules.month_start(first)
        while month <= last_month:
            batch = batches.get(month)
            if batch is not None:
                deadline = batch_deadline_of(batch)
                late = batch.late or (deadline.on is not None and batch.submitted_on > deadline.on)
                out.append(
                    BatchFlag(company, month, deadline, batch, "late" if late else "submitted")
                )
            else:
                preview = batch_preview(company, month, today)
                if preview.rows:
                    d = preview.deadline
                    if d.on is None:  # d.pending
                        state = "pending_calendar"
                    else:
                        state = "missing" if today > d.on else "due"
                    out.append(BatchFlag(company, month, d, None, state))
            month = rules.next_month(month)
    return sorted(out, key=lambda f: (f.month, f.company.name), reverse=True)


def translated(labels: dict[Any, str]) -> dict[Any, str]:
    """A label table of `rules` (marked with gettext_noop) in the active language."""
    return {key: gettext(label) for key, label in labels.items()}
