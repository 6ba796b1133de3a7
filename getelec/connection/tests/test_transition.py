"""The one state-change sequence (services/_transition.py): version, then status, then the
conditional UPDATE that bumps the version, and exactly one audit row, in one transaction."""

from __future__ import annotations

from typing import Any

import pytest

from getelec.audit.models import AuditEvent
from getelec.connection.models import Application, Status
from getelec.connection.services._transition import transition
from getelec.kernel.errors import Conflict, InvalidInput, InvalidState

pytestmark = pytest.mark.django_db


def _state(app: Application) -> tuple[int, str, int]:
    row = Application.objects.get(pk=app.pk)
    return row.version, row.key_project, AuditEvent.objects.filter(object_id=str(app.pk)).count()


def test_a_change_bumps_the_version_and_writes_one_audit_row_with_old_and_new(
    submit: Any, staff: Any
) -> None:
    app = submit()
    with transition(app, app.version, watch=["key_project"]) as change:
        change.update(key_project="national")
        change.audit(staff, "connection.test_change", reason="why")
    row = Application.objects.get(pk=app.pk)
    assert (row.version, row.key_project, app.version) == (2, "national", 2)
    event = AuditEvent.objects.get(action="connection.test_change")
    assert (event.old, event.new, event.reason) == (
        {"key_project": ""},
        {"key_project": "national"},
        "why",
    )


def test_a_change_without_its_audit_row_is_refused_and_rolled_back(submit: Any) -> None:
    app = submit()
    before = _state(app)
    with pytest.raises(RuntimeError), transition(app, app.version) as change:
        change.update(key_project="national")
    assert _state(app) == before


@pytest.mark.parametrize(
    ("version", "error"),
    [(2, Conflict), (None, InvalidInput), (True, InvalidInput)],
    ids=["stale", "missing", "not-a-number"],
)
def test_the_version_is_checked_first(submit: Any, version: Any, error: type) -> None:
    app = submit()
    before = _state(app)
    with pytest.raises(error), transition(app, version):
        pytest.fail("the body must not run")
    assert _state(app) == before


def test_a_status_not_allowed_is_refused_with_its_message(submit: Any) -> None:
    app = submit()
    with pytest.raises(InvalidState) as error, transition(app, 1, allowed={Status.PAUSED}):
        pytest.fail("the body must not run")
    assert error.value.field == "status"
    with (
        pytest.raises(InvalidState) as error,
        transition(app, 1, allowed={Status.PAUSED}, refusal="不在暂停"),
    ):
        pytest.fail("the body must not run")
    assert error.value.message == "不在暂停"


def test_an_update_that_matches_no_row_is_a_conflict_and_nothing_is_written(
    submit: Any, staff: Any
) -> None:
    """Someone changed the application after it was read: the conditional UPDATE (on id and
    version and the expected values) matches nothing."""
    app = submit()
    Application.objects.filter(pk=app.pk).update(version=5)
    before = _state(app)
    with pytest.raises(Conflict), transition(app, 1) as change:
        change.update(key_project="national")
        change.audit(staff, "connection.test_change")
    assert _state(app) == before
