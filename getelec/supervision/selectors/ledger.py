"""The ledger of 附件2: which rows a user sees and reports on, and each row's state.

The region regulators (and admins) read every row (READ_LEDGER_ALL); every other organisation
sees only the rows it is responsible for, and reports only on those. Out of scope is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from getelec.accounts.models import User
from getelec.accounts.powers import Power, powers_of
from getelec.kernel import access
from getelec.kernel.policy import param
from getelec.supervision import rules
from getelec.supervision.models import (
    SECTION_ORDER,
    LedgerAssignment,
    LedgerTask,
    ProgressReport,
    ReportAttachment,
    ReportProgress,
    Section,
)
from getelec.workcalendar.source import current_calendar


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
