"""Changes of the calendar in force and the deadlines stored on it (hardening items 2 and 14).

- Another process's import is seen without that process telling this one (revision token).
- No deadline stays pending on a loaded year: every import (even an unchanged one) and the
  periodic check (`getelec filings check`) compute those left behind.
- Replacing a year in force needs confirmation, shows what would move, then recomputes every
  open application touching the year with one audit row per application listing each moved
  date old and new (never a row with old == new).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from getelec.audit.models import AuditEvent
from getelec.cli import main
from getelec.connection import services as connection_services
from getelec.connection.models import Application, StageRecord
from getelec.connection.services import deadlines as connection_deadlines
from getelec.core.workdays import CalendarYearNotLoaded, parse_year, shipped_calendar
from getelec.workcalendar import source
from getelec.workcalendar.models import CalendarYear
from getelec.workcalendar.services import ReplacementNotConfirmed, import_year

pytestmark = pytest.mark.django_db

D = dt.date
FAKE_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "workdays": [],
}
# The shipped 2026 with one more day off on Tuesday 1 December (an invented correction).
SHIPPED_2026 = shipped_calendar().schedule(2026)
CORRECTED_2026 = {
    **SHIPPED_2026.as_json(),
    "holidays": sorted([*SHIPPED_2026.as_json()["holidays"], "2026-12-01"]),
}


def hv_dual(submit: Any) -> Any:
    """HV dual source, 32 wd from 2026-11-26: due 2027-01-12 once 2027 is loaded."""
    return submit(customer_type="other", capacity_kw="800", supply="dual", voltage="high")


def iso(day: dt.date | None) -> str | None:
    """A date as the audit log stores it (None for a pending date)."""
    return None if day is None else day.isoformat()


def recompute_rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="connection.recompute_deadline").order_by("id"))


def as_another_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports from here on behave as in another process: this one's cache is not told."""
    monkeypatch.setattr(source, "invalidate", lambda: None)


# --- another process's import ---------------------------------------------------------------------


def test_a_submission_sees_an_import_made_by_another_process_at_once(
    submit: Any, admin_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert 2027 not in source.current_calendar().years  # this process has read the calendar
    as_another_process(monkeypatch)
    import_year(parse_year(FAKE_2027), admin_user)

    application = hv_dual(submit)

    assert (application.due_on, application.due_pending_year) == (D(2027, 1, 12), None)


def test_a_read_sees_another_process_import_within_the_check_interval(
    admin_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(source.time, "monotonic", lambda: clock[0])
    assert 2027 not in source.current_calendar().years
    # Another process writes the year (through the ORM, as every import path does).
    CalendarYear.objects.create(year=2027, holidays=FAKE_2027["holidays"], workdays=[])

    clock[0] += source._CHECK_SECONDS + 0.01

    assert 2027 in source.current_calendar().years


def test_an_unchanged_revision_keeps_the_calendar_in_memory(
    django_assert_num_queries: Any,
) -> None:
    first = source.current_calendar(fresh=True)

    with django_assert_num_queries(1):  # the revision token only
        assert source.current_calendar(fresh=True) is first
    with django_assert_num_queries(0):  # within the check interval: nothing at all
        assert source.current_calendar() is first


def test_a_rolled_back_import_leaves_no_trace_in_the_calendar_in_force(
    admin_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> int:
        assert 2027 in source.current_calendar(fresh=True).years  # read inside the import
        raise RuntimeError("recompute failed")

    monkeypatch.setattr(connection_services, "recompute_pending_deadlines", fail)

    with pytest.raises(RuntimeError):
        import_year(parse_year(FAKE_2027), admin_user)

    assert not CalendarYear.objects.exists()
    with pytest.raises(CalendarYearNotLoaded):
        source.current_calendar().schedule(2027)


# --- deadlines left pending -------------------------------------------------------------------


@pytest.fixture
def left_pending(submit: Any, admin_user: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """2027 is imported, but a web worker still on the old calendar stores a pending due date."""
    import_year(parse_year(FAKE_2027), admin_user)
    with monkeypatch.context() as patch:
        patch.setattr(
            connection_deadlines, "current_calendar", lambda fresh=False: shipped_calendar()
        )
        application = hv_dual(submit)
    assert (application.due_on, application.due_pending_year) == (None, 2027)
    return application


def test_reimporting_an_unchanged_year_computes_the_deadlines_left_pending(
    left_pending: Any, admin_user: Any
) -> None:
    result = import_year(parse_year(FAKE_2027), admin_user)

    left_pending.refresh_from_db()
    assert (result.changed, result.recomputed) == (False, 1)
    assert (left_pending.due_on, left_pending.due_pending_year) == (D(2027, 1, 12), None)
    assert AuditEvent.objects.filter(action="calendar.import_year").count() == 1
    (row,) = recompute_rows()
    assert (row.old["due_on"], row.new["due_on"]) == (None, "2027-01-12")
    assert (row.old["due_pending_year"], row.new["due_pending_year"]) == (2027, None)


def test_the_cli_says_what_an_unchanged_reimport_computed(
    left_pending: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    path = tmp_path / "2027.json"
    path.write_text(json.dumps(FAKE_2027), encoding="utf-8")

    assert main(["calendar", "import", str(path)]) == 0

    out = capsys.readouterr().out
    assert "2027: unchanged" in out and "deadlines left pending computed for 1 application" in out


def test_the_periodic_check_computes_the_deadlines_left_pending(
    left_pending: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["filings", "check"])

    left_pending.refresh_from_db()
    assert (left_pending.due_on, left_pending.due_pending_year) == (D(2027, 1, 12), None)
    assert "recomputed\t1 due dates that were pending" in capsys.readouterr().out
    (row,) = recompute_rows()
    assert row.actor_label == "getelec filings check (cron)"
    main(["filings", "check"])  # idempotent: nothing more to do, no new audit row
    assert len(recompute_rows()) == 1


def test_the_periodic_check_leaves_deadlines_pending_on_a_year_not_loaded(
    submit: Any,
) -> None:
    application = hv_dual(submit)

    assert connection_services.recompute_pending_deadlines("cron") == 0

    application.refresh_from_db()
    assert (application.due_on, application.due_pending_year) == (None, 2027)
    assert recompute_rows() == []


# --- replacing a year in force ----------------------------------------------------------------


@pytest.fixture
def open_in_december(submit: Any) -> Any:
    """8 kW residential, 5 wd from Thursday 2026-11-26: due Thursday 2026-12-03."""
    application = submit()
    assert application.due_on == D(2026, 12, 3)
    return application


def test_replacing_a_shipped_year_without_confirmation_shows_the_impact_and_changes_nothing(
    open_in_december: Any, admin_user: Any
) -> None:
    stages_before = list(StageRecord.objects.values_list("due_on", flat=True).order_by("id"))

    with pytest.raises(ReplacementNotConfirmed) as caught:
        import_year(parse_year(CORRECTED_2026), admin_user)

    impact = caught.value.replacement
    assert impact.holidays_added == (D(2026, 12, 1),)
    assert impact.replaces.startswith("chinese-calendar")
    assert impact.moved_objects == 1
    due = [m for m in impact.moves if m.field == "due_on"]
    assert [(m.label, m.old, m.new) for m in due] == [
        (open_in_december.number, D(2026, 12, 3), D(2026, 12, 4))
    ]
    assert not CalendarYear.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()
    open_in_december.refresh_from_db()
    assert open_in_december.due_on == D(2026, 12, 3)
    assert list(StageRecord.objects.values_list("due_on", flat=True).order_by("id")) == (
        stages_before
    )
    assert source.current_calendar().is_workday(D(2026, 12, 1))


def test_a_confirmed_replacement_recomputes_open_due_dates_and_audits_each_moved_date(
    open_in_december: Any, submit: Any, admin_user: Any, applicant_a: Any
) -> None:
    cancelled = submit(property_scope="撤销的")
    connection_services.cancel_application(cancelled, applicant_a, "测试撤销", cancelled.version)
    preview = None
    try:
        import_year(parse_year(CORRECTED_2026), admin_user)
    except ReplacementNotConfirmed as exc:
        preview = exc.replacement

    result = import_year(parse_year(CORRECTED_2026), admin_user, "2026-corrected.json", True)

    open_in_december.refresh_from_db()
    assert open_in_december.due_on == D(2026, 12, 4)
    assert result.replacement is not None and preview is not None
    assert result.replacement.moves == preview.moves and result.recomputed == 1
    (row,) = recompute_rows()
    assert row.object_id == str(open_in_december.pk)
    assert (row.old["due_on"], row.new["due_on"]) == ("2026-12-03", "2026-12-04")
    stage_moves = [m for m in preview.moves if m.field != "due_on"]
    assert row.old["stage_due"] == {m.field: iso(m.old) for m in stage_moves}
    assert row.new["stage_due"] == {m.field: iso(m.new) for m in stage_moves}
    assert stage_moves  # the last stage ends with the application
    cancelled.refresh_from_db()
    assert cancelled.due_on == D(2026, 12, 3)  # closed applications keep their dates
    event = AuditEvent.objects.get(action="calendar.import_year")
    assert "2026-12-01" not in event.old["holidays"] and "2026-12-01" in event.new["holidays"]


def test_a_replacement_that_moves_only_a_stage_date_audits_that_date_alone(
    open_in_december: Any, admin_user: Any
) -> None:
    # Friday 27 November off and Saturday 28 November worked instead: the first stage (due on
    # the 27th) moves to the 28th; the later stages and the overall due date do not move.
    assert open_in_december.stages.get(seq=1).due_on == D(2026, 11, 27)
    data = {
        **SHIPPED_2026.as_json(),
        "holidays": sorted([*SHIPPED_2026.as_json()["holidays"], "2026-11-27"]),
        "workdays": sorted([*SHIPPED_2026.as_json()["workdays"], "2026-11-28"]),
    }

    import_year(parse_year(data), admin_user, confirm=True)

    (row,) = recompute_rows()
    assert (row.old, row.new) == (
        {"stage_due": {"intake": "2026-11-27"}},
        {"stage_due": {"intake": "2026-11-28"}},
    )
    assert open_in_december.stages.get(seq=1).due_on == D(2026, 11, 28)
    assert Application.objects.get(pk=open_in_december.pk).due_on == D(2026, 12, 3)


def test_a_recompute_never_writes_an_audit_row_with_old_equal_to_new(
    open_in_december: Any, admin_user: Any
) -> None:
    # Replacing with different days that move nothing (a make-up day in October, long past).
    data = {
        **SHIPPED_2026.as_json(),
        "workdays": sorted([*SHIPPED_2026.as_json()["workdays"], "2026-10-31"]),
    }

    with pytest.raises(ReplacementNotConfirmed) as caught:
        import_year(parse_year(data), admin_user)
    result = import_year(parse_year(data), admin_user, confirm=True)

    assert caught.value.replacement.moves == ()
    assert result.recomputed == 0 and recompute_rows() == []
    assert Application.objects.get(pk=open_in_december.pk).due_on == D(2026, 12, 3)
