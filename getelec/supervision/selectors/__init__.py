"""Scoped reads of the regulator's desk: access control lives here.

Powers come from the user's organisation (getelec.accounts.powers), never the role flag:
- The region regulators (and admins) read every ledger row (READ_LEDGER_ALL); every other
  organisation sees only the rows it is responsible for, and reports only on those.
- Filings: READ_FILINGS holders see those of applications in their region (a city energy
  authority its city's), company staff their own company's; batches likewise (READ_BATCHES:
  batches of companies in the region and batches concerning an application in it, read-only;
  the recipients are the two region regulators only, T2).
Anything out of scope is a 404, never a 403.

One module per topic (ledger, filings, batches, labels); every name is re-exported here.
"""

from __future__ import annotations

from getelec.supervision.selectors.batches import (
    CHANGE_LABELS,
    BatchFlag,
    BatchPreview,
    batch_deadline_of,
    batch_flags,
    batch_of,
    batch_preview,
    batch_rows,
    batches_for,
    companies_for,
    company_for,
    get_batch_for,
    month_batch_deadline,
    preview_company,
    revision_row,
)
from getelec.supervision.selectors.filings import (
    CANCEL_ACTION,
    FILING_ACTION_LABELS,
    LV_CATEGORIES,
    MASKED_REVISION_FIELDS,
    CompanyFilingSummary,
    FollowUp,
    UnfiledOverdue,
    blocked_unfiled,
    cancellation_dates,
    current_revision,
    filing_applications_for,
    filing_history,
    filing_outcome,
    filing_summary,
    filings_for,
    follow_ups,
    get_filing_for,
    revisions_for,
    unfiled_overdue,
)
from getelec.supervision.selectors.labels import (
    translated,
)
from getelec.supervision.selectors.ledger import (
    AssignmentStatus,
    TaskStatus,
    assignment_for,
    assignment_status,
    assignments_for,
    can_report,
    can_review,
    get_attachment_for,
    get_report_for,
    get_task_for,
    ledger_by_section,
    ledger_status,
    ledger_tasks_for,
    reportable_quarters,
    reports_for,
    sees_everything,
    task_reports,
    task_status,
)

__all__ = [
    "CANCEL_ACTION",
    "CHANGE_LABELS",
    "FILING_ACTION_LABELS",
    "LV_CATEGORIES",
    "MASKED_REVISION_FIELDS",
    "AssignmentStatus",
    "BatchFlag",
    "BatchPreview",
    "CompanyFilingSummary",
    "FollowUp",
    "TaskStatus",
    "UnfiledOverdue",
    "assignment_for",
    "assignment_status",
    "assignments_for",
    "batch_deadline_of",
    "batch_flags",
    "batch_of",
    "batch_preview",
    "batch_rows",
    "batches_for",
    "blocked_unfiled",
    "can_report",
    "can_review",
    "cancellation_dates",
    "companies_for",
    "company_for",
    "current_revision",
    "filing_applications_for",
    "filing_history",
    "filing_outcome",
    "filing_summary",
    "filings_for",
    "follow_ups",
    "get_attachment_for",
    "get_batch_for",
    "get_filing_for",
    "get_report_for",
    "get_task_for",
    "ledger_by_section",
    "ledger_status",
    "ledger_tasks_for",
    "month_batch_deadline",
    "preview_company",
    "reportable_quarters",
    "reports_for",
    "revision_row",
    "revisions_for",
    "sees_everything",
    "task_reports",
    "task_status",
    "translated",
    "unfiled_overdue",
]
