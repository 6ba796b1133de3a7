"""The desk's demo content: every state has something to show, and loading twice adds nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from getelec.demo.supervision import load_demo
from getelec.supervision import rules, selectors
from getelec.supervision.models import DelayFiling, MonthlyBatch, ProgressReport

pytestmark = pytest.mark.usefixtures("frozen")
D = dt.date


def test_demo_content_covers_every_state_and_is_idempotent(
    users: dict[str, Any], blocked: Any
) -> None:
    for i in range(4):
        blocked(applied_on=D(2026, 10, 1 + i), due_on=D(2026, 12, 1))
    first = load_demo()
    assert first["filings"] == 4 and first["batches"] == 1
    filings = list(DelayFiling.objects.all())
    assert sum(f.is_draft for f in filings) == 1
    assert any(f.revisions.count() == 2 for f in filings)
    assert selectors.follow_ups(users["regulator_ndrc"])
    assert MonthlyBatch.objects.get().month == D(2026, 10, 1)
    reviews = set(ProgressReport.objects.values_list("review", flat=True))
    assert reviews == {"accepted", "returned", "pending"}
    states = {s.state for s in selectors.ledger_status(users["regulator_ndrc"])}
    assert rules.LedgerState.OVERDUE in states
    assert load_demo() == {"filings": 0, "batches": 0, "reports": 0}
