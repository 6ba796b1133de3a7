"""Monthly batches of filings: which batches and companies a user sees, what a month's batch
contains, when it is due, and the months missing one.

READ_BATCHES holders see the batches of companies in their region and the batches concerning an
application in it (read-only); the recipients are the two region regulators only (T2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from getelec.accounts.masking import outside_view
from getelec.accounts.models import Organisation, User
from getelec.accounts.powers import Power, powers_of
from getelec.connection.models import Application, Category, GridUpgradeCause, Status
from getelec.kernel.policy import param
from getelec.supervision import rules
from getelec.supervision.models import DelayFiling, FilingRevision, MonthlyBatch
from getelec.supervision.selectors.filings import (
    cancellation_dates,
    current_revision,
    filing_applications_for,
    filing_outcome,
)
from getelec.workcalendar.source import current_calendar


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
