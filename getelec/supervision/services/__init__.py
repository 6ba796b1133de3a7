"""State changes of the regulator's desk: each one transaction + one audit row.

Ledger (services.ledger): load_ledger. Progress reports (services.reports): file_progress_report,
review_report. Filings, form A1 (services.filings): create_filing, update_draft_filing,
submit_filing, revise_filing. Monthly batches (services.batches): submit_batch.
A change of an existing row goes through services._transition.transition (lock, version,
change, audit). Errors: the kernel's ServiceError family (getelec.kernel.errors), messages naming
the field. Every public name is re-exported here.
"""

from __future__ import annotations

from getelec.supervision.services.batches import submit_batch
from getelec.supervision.services.filings import (
    FIELD_LABELS,
    FilingInput,
    create_filing,
    default_project_name,
    revise_filing,
    submit_filing,
    update_draft_filing,
)
from getelec.supervision.services.ledger import (
    PROVINCE_CODE,
    PROVINCE_NAME,
    REGULATOR_NAMES,
    LoadResult,
    load_ledger,
    regulator_organisations,
    supply_companies,
)
from getelec.supervision.services.reports import (
    ATTACHMENT_TYPES,
    TEXT_MAX,
    file_progress_report,
    review_report,
)

__all__ = [
    "ATTACHMENT_TYPES",
    "FIELD_LABELS",
    "PROVINCE_CODE",
    "PROVINCE_NAME",
    "REGULATOR_NAMES",
    "TEXT_MAX",
    "FilingInput",
    "LoadResult",
    "create_filing",
    "default_project_name",
    "file_progress_report",
    "load_ledger",
    "regulator_organisations",
    "review_report",
    "revise_filing",
    "submit_batch",
    "submit_filing",
    "supply_companies",
    "update_draft_filing",
]
