"""The problem ledger (L28, L30): refresh, lifecycle, observation, re-opening, early warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from getelec.audit.models import AuditEvent
from getelec.outages import services
from getelec.outages.models import DistrictStatus, EntryStatus, LedgerEntry, ReliabilitySnapshot
from getelec.outages.tests.conftest import at

pytestmark = pytest.mark.django_db


def _state() -> list[tuple[Any, ...]]:
    rows = [
        tuple(v for k, v in e.items() if k != "created_at")
        for e in LedgerEntry.objects.order_by("pk").values()
    ]
    rows += list(DistrictStatus.objects.order_by("pk").values_list())
    rows += list(ReliabilitySnapshot.objects.values_list("year", "as_of", "indices"))
    return rows


def test_refresh_puts_every_frequent_district_and_problem_line_in_the_ledger(
    refreshed: Any,
) -> None:
    entries = {e.point_id: e for e in LedgerEntry.objects.all()}
    assert set(entries) == {"T1", "T2", "F1"}
    assert entries["T1"].rule == "year_limit" and entries["T1"].count_year == 6
    assert entries["T2"].rule == "window_limit" and entries["T2"].max_count_window == 4
    assert entries["T2"].window_days == 60  # outage_window_days in force (L28)
    assert entries["F1"].level == "line" and entries["F1"].frequent_districts == 2
    assert all(e.status == EntryStatus.IDENTIFIED for e in entries.values())
    assert entries["T1"].company.name == "国网银川供电公司"
    evidence = list(entries["T1"].interruptions.all())
    assert len(evidence) == 6 and all(i.counted and i.cause == "unknown" for i in evidence)
    assert round(evidence[0].minutes) == 60
    assert {c["parameter"] for c in entries["T1"].basis} >= {"outage_year_max_count"}


def test_running_the_refresh_twice_changes_nothing(refreshed: Any, run_refresh: Any) -> None:
    before, audits = _state(), AuditEvent.objects.count()
    summary = run_refresh()
    assert not summary.changed
    assert _state() == before
    assert AuditEvent.objects.count() == audits


def test_a_new_interruption_updates_the_entry_without_reopening_it(
    refreshed: Any, run_refresh: Any
) -> None:
    refreshed.add("T1", at("2026-11-20"))
    summary = run_refresh()
    entry = LedgerEntry.objects.get(point_id="T1")
    assert entry.count_year == 7 and entry.status == EntryStatus.IDENTIFIED
    assert entry.number in summary.updated and not summary.reopened


def _rectify(entry: LedgerEntry, users: dict[str, Any], rectified_on: dt.date) -> LedgerEntry:
    entry = services.plan_rectification(
        users["staff_a"],
        entry,
        measures="整线成片改造：更换老旧导线3.2公里，加装分段开关",
        target_on=dt.date(2026, 12, 31),
        responsible_team="兴庆供电所运维班",
        budget_wan=Decimal("85.5"),
    )
    return services.record_rectification(
        users["staff_a"], entry, rectified_on=rectified_on, note="改造完成并送电"
    )


def test_the_whole_lifecycle_from_identified_to_closed(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    entry = LedgerEntry.objects.get(point_id="T1")
    entry = _rectify(entry, users, dt.date(2026, 9, 20))
    assert entry.status == EntryStatus.OBSERVATION and entry.observation_days == 60
    assert entry.observation_basis["parameter"] == "quality_observation_days"
    assert services.observation_end(entry) == dt.date(2026, 11, 19)
    entry = services.verify_entry(
        users["regulator"],
        entry,
        verified_on=dt.date(2026, 11, 25),
        inspection_kind="both",
        inspection_record="现场检查线路改造完成，走访用户12户，反映停电明显减少",
    )
    assert entry.status == EntryStatus.VERIFIED
    entry = services.close_entry(users["regulator"], entry)
    assert entry.status == EntryStatus.CLOSED and entry.closed_on == dt.date(2026, 11, 26)
    actions = list(
        AuditEvent.objects.filter(object_id=str(entry.pk), object_type="outages.ledgerentry")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "outages.identify",
        "outages.plan_rectification",
        "outages.record_rectification",
        "outages.verify",
        "outages.close",
    ]


def test_verification_waits_for_the_end_of_the_observation_period(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    entry = _rectify(LedgerEntry.objects.get(point_id="T1"), users, dt.date(2026, 10, 1))
    with pytest.raises(services.Conflict, match="观察期至2026-11-30"):
        services.verify_entry(
            users["regulator"],
            entry,
            verified_on=dt.date(2026, 11, 26),
            inspection_kind="site_visit",
            inspection_record="现场检查",
        )


def test_a_breach_with_an_interruption_after_the_rectified_date_reopens_a_closed_entry(
    refreshed: Any, users: dict[str, Any], frozen: Any, run_refresh: Any
) -> None:
    entry = _rectify(LedgerEntry.objects.get(point_id="T1"), users, dt.date(2026, 9, 20))
    entry = services.verify_entry(
        users["regulator"], entry, verified_on=dt.date(2026, 11, 25),
        inspection_kind="site_visit", inspection_record="现场检查合格",
    )  # fmt: skip
    services.close_entry(users["regulator"], entry)
    refreshed.add("T1", at("2026-11-24", 14))
    summary = run_refresh()
    entry.refresh_from_db()
    assert summary.reopened == [entry.number]
    assert entry.status == EntryStatus.REOPENED and entry.reopened_count == 1
    assert "2026-09-20" in entry.reopen_reason and "2026-11-24 14:00" in entry.reopen_reason
    assert "一年内停电超过5次" in entry.reopen_reason
    assert entry.closed_on is None and entry.verified_on is None
    assert run_refresh().reopened == []  # idempotent: it re-opens once


def test_interruptions_before_the_rectified_date_never_reopen_an_entry(
    refreshed: Any, users: dict[str, Any], frozen: Any, run_refresh: Any
) -> None:
    entry = _rectify(LedgerEntry.objects.get(point_id="T1"), users, dt.date(2026, 9, 20))
    refreshed.add("T1", at("2026-09-19"))  # a late-delivered event from before rectification
    summary = run_refresh()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.OBSERVATION and not summary.reopened
    assert entry.count_year == 7


def test_a_new_interruption_inside_the_observation_period_restarts_it(
    refreshed: Any, users: dict[str, Any], frozen: Any, run_refresh: Any
) -> None:
    # T2 broke the 60-day rule; one later interruption keeps it under both limits.
    entry = _rectify(LedgerEntry.objects.get(point_id="T2"), users, dt.date(2026, 9, 10))
    refreshed.add("T2", at("2026-10-20"))
    run_refresh()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.OBSERVATION
    assert services.observation_end(entry) == dt.date(2026, 12, 19)


def test_staff_of_another_company_cannot_plan_a_rectification(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    entry = LedgerEntry.objects.get(point_id="T1")
    with pytest.raises(services.NotAllowed):
        services.plan_rectification(
            users["staff_b"], entry, measures="x", target_on=dt.date(2026, 12, 1),
            responsible_team="y",
        )  # fmt: skip


@pytest.fixture
def drc_regulator(regions: dict[str, Any]) -> Any:
    """A regulator of 自治区发展改革委: reads the ledger, but L30 names another unit."""
    from getelec.accounts.models import Organisation, User

    drc = Organisation.objects.create(
        name="宁夏回族自治区发展和改革委员会",
        kind=Organisation.Kind.REGULATOR,
        region=regions["province"],
    )
    return User.objects.create_user(
        username="drc", role=User.Role.REGULATOR, organisation=drc, region=regions["province"]
    )


# L30 (附件2 row 30): 闭环销号 is the task of 国家能源局西北监管局 (quality_signoff_organisation).
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("staff_a", False),  # the company that rectifies never signs off its own work
        ("admin", False),  # platform admins read everything, but are no regulator
        ("drc", False),  # a regulator of another organisation
        ("regulator", True),  # 国家能源局西北监管局
    ],
)
def test_only_the_regulator_named_by_l30_verifies_and_closes(
    refreshed: Any,
    users: dict[str, Any],
    drc_regulator: Any,
    frozen: Any,
    who: str,
    allowed: bool,
) -> None:
    actor = drc_regulator if who == "drc" else users[who]
    entry = _rectify(LedgerEntry.objects.get(point_id="T1"), users, dt.date(2026, 9, 20))

    def verify() -> Any:
        return services.verify_entry(
            actor, entry, verified_on=dt.date(2026, 11, 25),
            inspection_kind="site_visit", inspection_record="现场检查，线路已改造",
        )  # fmt: skip

    if not allowed:
        with pytest.raises(services.NotAllowed, match="国家能源局西北监管局"):
            verify()
        assert LedgerEntry.objects.get(pk=entry.pk).status == EntryStatus.OBSERVATION
        return
    entry = verify()
    assert services.close_entry(actor, entry).status == EntryStatus.CLOSED


def test_a_regulator_of_another_organisation_sees_no_sign_off_form(
    refreshed: Any, users: dict[str, Any], drc_regulator: Any, frozen: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    entry = _rectify(LedgerEntry.objects.get(point_id="T1"), users, dt.date(2026, 9, 20))
    url = reverse("outages:entry", args=[entry.number])
    forms = {}
    for name, user in (("drc", drc_regulator), ("nea", users["regulator"])):
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        forms[name] = 'id="form-verify"' in response.content.decode()
    assert forms == {"drc": False, "nea": True}


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("measures", {"measures": " "}),
        ("responsible_team", {"responsible_team": ""}),
        ("target_on", {"target_on": dt.date(2026, 11, 1)}),
        ("target_on", {"target_on": None}),
        ("budget_wan", {"budget_wan": Decimal("-1")}),
    ],
)
def test_a_bad_rectification_plan_names_the_field_and_saves_nothing(
    refreshed: Any, users: dict[str, Any], frozen: Any, field: str, kwargs: dict[str, Any]
) -> None:
    entry = LedgerEntry.objects.get(point_id="T1")
    values = {"measures": "整线改造", "target_on": dt.date(2026, 12, 31),
              "responsible_team": "运维班", **kwargs}  # fmt: skip
    with pytest.raises(services.InvalidInput) as exc:
        services.plan_rectification(users["staff_a"], entry, **values)
    assert exc.value.field == field
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IDENTIFIED and entry.measures == ""


def test_the_early_warning_list_puts_the_soonest_breach_first(refreshed: Any) -> None:
    rows = services.warning_list(DistrictStatus.objects.filter(year=2026))
    assert [r.status.district.district_id for r in rows] == ["T4", "T3"]
    assert rows[0].margin == 2 and "warn_short" in rows[0].codes
    assert rows[1].margin == 2 and "warn_year" in rows[1].codes
