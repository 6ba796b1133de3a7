"""Web pages of the regulator's desk. Thin: parse, call a selector or service, render.

One module per topic: desk (shared helpers, home page), progress (ledger and progress reports),
delay_filings (form A1), monthly_batches, compliance (the regulators' dashboard). Every page
and public helper is re-exported here (getelec.supervision.urls names them as views.<name>).
"""

from __future__ import annotations

from getelec.supervision.views.compliance import dashboard, drill
from getelec.supervision.views.delay_filings import (
    filing_detail,
    filing_edit,
    filing_new,
    filing_submit,
    filings,
)
from getelec.supervision.views.desk import (
    DESK_ROLES,
    XLSX,
    desk_view,
    index,
    show_error,
    xlsx_response,
)
from getelec.supervision.views.monthly_batches import (
    batch_detail,
    batch_export,
    batch_preview,
    batch_submit,
    batches,
)
from getelec.supervision.views.progress import (
    attachment,
    file_report,
    ledger,
    ledger_export,
    review,
    task_detail,
)

__all__ = [
    "DESK_ROLES",
    "XLSX",
    "attachment",
    "batch_detail",
    "batch_export",
    "batch_preview",
    "batch_submit",
    "batches",
    "dashboard",
    "desk_view",
    "drill",
    "file_report",
    "filing_detail",
    "filing_edit",
    "filing_new",
    "filing_submit",
    "filings",
    "index",
    "ledger",
    "ledger_export",
    "review",
    "show_error",
    "task_detail",
    "xlsx_response",
]
