"""Delay filings (form A1): which filings a user reads, their outcome and history, and the
applications that should have one.

READ_FILINGS holders see the filings of applications in their region (a city energy authority
its city's), company staff their own company's; out of scope is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from getelec.accounts.masking import outside_view
from getelec.accounts.models import Organisation, User
from getelec.accounts.powers import Power, powers_of
from getelec.audit.models import AuditEvent
from getelec.connection import services as connection
from getelec.connection.models import OPEN_STATUSES, Application, Category, Status, Voltage
from getelec.kernel import access
from getelec.supervision import rules
from getelec.supervision.models import DelayFiling, FilingRevision

LV_CATEGORIES = (
    Category.LV_RESIDENTIAL,
    Category.LV_THREE_ZERO,
    Category.LV_NON_RESIDENTIAL,
    Category.LV_EV_CHARGING,
    Category.LV_EBIKE_CHARGING,
)


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
    overdue = connection.overdue_q(today) | Q(status=Status.COMPLETED, completed_on__gt=F("due_on"))
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
