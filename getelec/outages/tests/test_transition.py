"""The one transition helper of the quality desk: lock → check version and status → snapshot →
change → bump version → save → one audit row, in one transaction."""

from __future__ import annotations

from typing import Any

import pytest

from getelec.audit.models import AuditEvent
from getelec.kernel.errors import Conflict, InvalidInput
from getelec.outages.models import EntryStatus, LedgerEntry, Meter
from getelec.outages.services._transition import transition

pytestmark = pytest.mark.django_db

ACTION = "outages.test_transition"


def _audit(obj: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=ACTION, object_id=str(obj.pk)))


def _entry() -> LedgerEntry:
    return LedgerEntry.objects.get(point_id="T1")


def test_a_change_bumps_the_version_and_writes_one_audit_row(refreshed: Any) -> None:
    entry = _entry()
    with transition(
        "tester", entry, ACTION, fields=("status", "measures"), version=entry.version
    ) as change:
        change.obj.status = EntryStatus.PLANNED
        change.obj.measures = "更换配变"
    fresh = _entry()
    assert (fresh.status, fresh.measures) == ("planned", "更换配变")
    assert fresh.version == entry.version + 1
    (row,) = _audit(entry)
    assert row.old == {"status": "identified", "measures": ""}
    assert row.new == {"status": "planned", "measures": "更换配变"}


# (case, keyword arguments of transition, body raises) → Conflict/InvalidInput, nothing changed
REFUSED = [
    ("stale version (optimistic concurrency)", {"version": 0}, None, Conflict),
    ("status not allowed", {"allowed": (EntryStatus.VERIFIED,)}, None, Conflict),
    ("the body refuses: rolled back", {}, InvalidInput("no", "x"), InvalidInput),
]


@pytest.mark.parametrize(("case", "kwargs", "raise_in_body", "expected"), REFUSED)
def test_a_refused_change_saves_nothing_and_audits_nothing(
    refreshed: Any, case: str, kwargs: dict[str, Any], raise_in_body: Any, expected: type
) -> None:
    entry = _entry()
    with (
        pytest.raises(expected),
        transition("tester", entry, ACTION, fields=("status",), **kwargs) as change,
    ):
        change.obj.status = EntryStatus.CLOSED
        change.obj.save()  # even a save in the body is undone
        if raise_in_body is not None:
            raise raise_in_body
    fresh = _entry()
    assert (fresh.status, fresh.version) == (entry.status, entry.version), case
    assert _audit(entry) == [], case


def test_an_unchanged_row_is_neither_saved_nor_audited(refreshed: Any) -> None:
    entry = _entry()
    with transition("tester", entry, ACTION, fields=("status",)) as change:
        change.unchanged()
    assert _entry().version == entry.version
    assert _audit(entry) == []


def test_a_model_without_a_version_is_saved_with_the_body_s_audit_values(refreshed: Any) -> None:
    meter = Meter.objects.filter(account__isnull=True).first()
    assert meter is not None
    with transition("tester", meter, ACTION, reason="why") as change:
        change.old = {"note": "before"}
        change.obj.customer_number = "X1"
        change.new = {"note": "after"}
    assert Meter.objects.get(pk=meter.pk).customer_number == "X1"
    (row,) = _audit(meter)
    assert (row.old, row.new, row.reason) == ({"note": "before"}, {"note": "after"}, "why")
