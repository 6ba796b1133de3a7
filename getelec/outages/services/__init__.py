"""State changes of the supply-quality desk, by topic; each one transaction and audit rows.

- `sync`: `refresh`, the daily run of the analytics engine, and the ledger, district statuses and
  reliability snapshot it updates from the result (`apply_result`).
- `ledger`: the ledger lifecycle (L28, L30): plan, record the rectification, verify, close.
- `planned`: planned outages (L25, 电力供应与使用条例 art. 28) with their notices (L48).
- `repairs`: repair tickets (L24, L47) with their notices (L48).
- `meters`: binding a meter to a customer's account.

Every change of an existing row goes through `_transition.transition` (lock → check version and
status → snapshot → change → bump version → audit). Reads live in `getelec.outages.selectors`,
labels in `getelec.outages.labels`, notification texts in `getelec.outages.messages`; the names
below are re-exported so `from getelec.outages import services` keeps working.
"""

from __future__ import annotations

from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed, ServiceError
from getelec.outages.labels import (
    CAUSE_LABELS,
    entry_rule_text,
    entry_rule_values,
    rule_text,
    rule_values,
)
from getelec.outages.selectors import (
    WarningRow,
    counted_since_rectified,
    observation_end,
    warning_list,
)
from getelec.outages.services._common import affected_districts
from getelec.outages.services.ledger import (
    close_entry,
    entry_number,
    plan_rectification,
    record_rectification,
    verify_entry,
)
from getelec.outages.services.meters import bind_meter
from getelec.outages.services.planned import (
    PlannedCheck,
    cancel_planned_outage,
    check_planned,
    create_planned_outage,
)
from getelec.outages.services.repairs import STAGE_FIELD, advance_repair, open_repair
from getelec.outages.services.sync import (
    LEDGER_BASIS_PARAMETERS,
    REFRESH_ACTOR,
    REFRESH_LOCK,
    RefreshSummary,
    apply_result,
    default_as_of,
    refresh,
)

__all__ = [
    "CAUSE_LABELS",
    "LEDGER_BASIS_PARAMETERS",
    "REFRESH_ACTOR",
    "REFRESH_LOCK",
    "STAGE_FIELD",
    "Conflict",
    "InvalidInput",
    "NotAllowed",
    "PlannedCheck",
    "RefreshSummary",
    "ServiceError",
    "WarningRow",
    "advance_repair",
    "affected_districts",
    "apply_result",
    "bind_meter",
    "cancel_planned_outage",
    "check_planned",
    "close_entry",
    "counted_since_rectified",
    "create_planned_outage",
    "default_as_of",
    "entry_number",
    "entry_rule_text",
    "entry_rule_values",
    "observation_end",
    "open_repair",
    "plan_rectification",
    "record_rectification",
    "refresh",
    "rule_text",
    "rule_values",
    "verify_entry",
    "warning_list",
]
