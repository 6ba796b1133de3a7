"""State changes of connection applications: each one transaction + one audit row.

Views, API and CLI change applications only through these functions (import them from here;
the modules are an implementation detail). All raise ServiceError subclasses with a Chinese
message naming the field.

- `submission`: validate, assess, number and store an application (`submit_application`).
- documents (L13, `upload_document`): the kernel app getelec.documents, re-exported here.
- `workflow`: stages, the clock (pause, resume, consent), grid upgrade, contracted date, key
  project, cancellation.
- `deadlines`: due dates from the one working-day schedule; recomputed after a calendar import.
- `notifications` and `messages`: marking notices read; the notices' texts.
- `_transition`: the one sequence of a state change (check version and status, snapshot, the
  conditional UPDATE that bumps the version, the audit row).

Concurrency: every change is a conditional UPDATE on (id, version[, status, current_stage]) that
bumps `version`; when it matches no row somebody else changed the application first and the
caller gets Conflict. On PostgreSQL the loser blocks on the row lock and then sees the new
version; on SQLite (transaction_mode IMMEDIATE) writers are serialised at BEGIN.

Idempotency: asking for the state the application is already in (the same consent, grid-upgrade
mark, contracted date, key-project level, cancellation, pause reason) returns it unchanged
without a new audit row; a repeated submission with the same `submission_key` returns the first
application; a repeated stage advance is a Conflict (nothing is applied twice).
"""

from __future__ import annotations

from getelec.connection.inputs import ApplicationInput
from getelec.connection.models import Category, StageCode

# Public reads that other domains use (they never import connection.selectors): who may see
# and work on an application, and the applications in a user's scope.
from getelec.connection.selectors import (
    applications_for,
    can_work_on,
    get_application_for,
    is_owner,
    open_pause_since,
    overdue_q,
    platform_existing_kw,
    sees_personal_data,
)
from getelec.connection.services.deadlines import (
    _compute_schedule,
    deadline_moves,
    each_on_own_clock,
    recompute_pending_deadlines,
    recompute_year_deadlines,
)
from getelec.connection.services.notifications import mark_notifications_read
from getelec.connection.services.submission import (
    _decision_json,
    _next_number,
    _verification_code,
    submit_application,
    validate_input,
)
from getelec.connection.services.workflow import (
    advance_stage,
    cancel_application,
    mark_grid_upgrade,
    pause_clock,
    record_informed_consent,
    resume_clock,
    set_contracted_date,
    set_key_project,
)
from getelec.documents.services import upload_document
from getelec.kernel.errors import (
    Conflict,
    InvalidInput,
    InvalidState,
    NotAllowed,
    ServiceError,
)

# Re-exported for forms, the API and other domains (so they name one place).
__all__ = [
    "ApplicationInput",
    "Category",
    "Conflict",
    "InvalidInput",
    "InvalidState",
    "NotAllowed",
    "ServiceError",
    "StageCode",
    "_compute_schedule",
    "_decision_json",
    "_next_number",
    "_verification_code",
    "advance_stage",
    "applications_for",
    "can_work_on",
    "cancel_application",
    "deadline_moves",
    "each_on_own_clock",
    "get_application_for",
    "is_owner",
    "mark_grid_upgrade",
    "mark_notifications_read",
    "open_pause_since",
    "overdue_q",
    "pause_clock",
    "platform_existing_kw",
    "recompute_pending_deadlines",
    "recompute_year_deadlines",
    "record_informed_consent",
    "resume_clock",
    "sees_personal_data",
    "set_contracted_date",
    "set_key_project",
    "submit_application",
    "upload_document",
    "validate_input",
]
