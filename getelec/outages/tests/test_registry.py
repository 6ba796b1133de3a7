"""Grid registry import: the engine's validation rules, atomic and idempotent (L29)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from getelec.analytics.inputs import InputError
from getelec.audit.models import AuditEvent
from getelec.core.deletions import DeletionGuard
from getelec.outages import notify, registry, selectors, services
from getelec.outages.models import (
    CustomerNotice,
    District,
    Feeder,
    LedgerEntry,
    Meter,
    RegistryImport,
)
from getelec.outages.registry import import_registry
from getelec.outages.tests.conftest import GRID, customer_number, write_registry

pytestmark = pytest.mark.django_db


def test_import_creates_feeders_districts_and_meters_with_their_company(
    tmp_path: Path, orgs: Any
) -> None:
    summary = import_registry(write_registry(tmp_path / "r.csv"))
    assert summary.created == {"feeders": 2, "districts": 4, "meters": 8}
    t1 = District.objects.get(district_id="T1")
    assert (t1.name, t1.served_area, t1.meter_count) == ("解放西街1号台区", "解放西街一社区", 2)
    assert t1.company == orgs["company_a"] and t1.feeder.name == "10千伏解放线"
    assert District.objects.get(district_id="T4").company == orgs["company_b"]


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path, orgs: Any) -> None:
    path = write_registry(tmp_path / "r.csv")
    import_registry(path)
    audits = AuditEvent.objects.count()
    summary = import_registry(path)
    assert not summary.changed and AuditEvent.objects.count() == audits


def test_a_meter_missing_from_a_new_file_is_kept_and_reported_by_default(
    tmp_path: Path, orgs: Any
) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    audits = AuditEvent.objects.count()
    summary = import_registry(write_registry(tmp_path / "r2.csv", GRID[:-1]))
    assert (summary.missing_meters, summary.missing_sample, summary.retired_meters) == (
        1,
        ["M08"],
        0,
    )
    assert Meter.objects.get(meter_id="M08").retired_on is None
    assert District.objects.get(district_id="T4").meter_count == 2
    assert not summary.changed and AuditEvent.objects.count() == audits


def test_allowed_deletions_retire_the_meter_and_keep_its_notices_and_binding(
    tmp_path: Path, users: Any, frozen: Any
) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    m08 = Meter.objects.get(meter_id="M08")
    services.bind_meter(users["staff_b"], m08, users["customer"])
    CustomerNotice.objects.create(user=users["customer"], meter=m08, kind="planned", text="停电")
    guard = DeletionGuard(allow=1, max_share=0.2)
    summary = import_registry(write_registry(tmp_path / "r2.csv", GRID[:-1]), guard=guard)
    assert summary.retired_meters == 1 and summary.missing_meters == 0
    m08.refresh_from_db()
    assert m08.retired_on == dt.date(2026, 11, 26) and m08.account == users["customer"]
    assert m08.notices.count() == 1
    assert District.objects.get(district_id="T4").meter_count == 1
    assert AuditEvent.objects.filter(action="outages.import_registry").count() == 2
    again = import_registry(write_registry(tmp_path / "r3.csv", GRID[:-1]), guard=guard)
    assert not again.changed  # idempotent: a retired meter stays retired, nothing to report


@pytest.mark.parametrize(
    ("guard", "message"),
    [
        (DeletionGuard(allow=1, max_share=1.0), "more than --allow-deletions 1"),
        (DeletionGuard(allow=10, max_share=0.05), r"configured share \(5%, at most 0\)"),
    ],
)
def test_more_deletions_than_allowed_stop_the_import_and_change_nothing(
    tmp_path: Path, orgs: Any, guard: DeletionGuard, message: str
) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    audits = AuditEvent.objects.count()
    moved = [(*GRID[0][:8], "新地址"), *GRID[1:6]]  # M07, M08 missing; M01's address changed
    with pytest.raises(InputError, match=message):
        import_registry(write_registry(tmp_path / "r2.csv", moved), guard=guard)
    assert Meter.objects.filter(retired_on__isnull=True).count() == 8
    assert Meter.objects.get(meter_id="M01").address == GRID[0][8]
    assert District.objects.get(district_id="T4").meter_count == 2
    assert AuditEvent.objects.count() == audits


def test_replace_retires_every_missing_meter(tmp_path: Path, orgs: Any) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    summary = import_registry(
        write_registry(tmp_path / "r2.csv", GRID[:2]), guard=DeletionGuard(replace=True)
    )
    assert summary.retired_meters == 6
    assert list(Meter.objects.filter(retired_on__isnull=True).values_list("meter_id", flat=True))
    assert dict(District.objects.values_list("district_id", "meter_count")) == {
        "T1": 2,
        "T2": 0,
        "T3": 0,
        "T4": 0,
    }


def test_a_retired_meter_listed_again_is_active_again(tmp_path: Path, orgs: Any) -> None:
    path = write_registry(tmp_path / "r.csv")
    import_registry(path)
    import_registry(
        write_registry(tmp_path / "r2.csv", GRID[:-1]), guard=DeletionGuard(replace=True)
    )
    pk = Meter.objects.get(meter_id="M08").pk
    summary = import_registry(path)
    assert summary.restored_meters == 1 and summary.changed
    m08 = Meter.objects.get(meter_id="M08")
    assert m08.pk == pk and m08.retired_on is None
    assert District.objects.get(district_id="T4").meter_count == 2


@pytest.mark.parametrize(
    "guard", [DeletionGuard(), DeletionGuard(replace=True), DeletionGuard(allow=100, max_share=1)]
)
def test_a_file_without_rows_is_refused_whatever_the_flags(
    tmp_path: Path, orgs: Any, guard: DeletionGuard
) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    with pytest.raises(InputError, match=r"empty\.csv: no data rows"):
        import_registry(write_registry(tmp_path / "empty.csv", []), guard=guard)
    assert Meter.objects.filter(retired_on__isnull=True).count() == 8
    assert sum(District.objects.values_list("meter_count", flat=True)) == 8


def test_a_dry_run_counts_the_changes_and_writes_nothing(tmp_path: Path, orgs: Any) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    audits, imports = AuditEvent.objects.count(), RegistryImport.objects.count()
    rows = [
        (*GRID[0][:8], "新地址"),  # changed
        *GRID[1:7],  # unchanged; M08 missing
        ("M09", "T5", "F2", "640202", "rural", "10千伏星海线", "星海新村台区", "", ""),  # new
    ]
    summary = import_registry(
        write_registry(tmp_path / "r2.csv", rows),
        guard=DeletionGuard(allow=1, max_share=1.0),
        dry_run=True,
    )
    assert summary.as_dict() | {"file": ""} == {
        "file": "",
        "rows": 8,
        "dry_run": True,
        "created": {"feeders": 0, "districts": 1, "meters": 1},
        "updated": {"feeders": 0, "districts": 1, "meters": 1},  # T4: one meter fewer
        "unchanged": {"feeders": 2, "districts": 3, "meters": 6},
        "retired_meters": 1,
        "restored_meters": 0,
        "missing_meters": 0,
        "missing_sample": [],
    }
    assert (AuditEvent.objects.count(), RegistryImport.objects.count()) == (audits, imports)
    assert Meter.objects.filter(retired_on__isnull=True).count() == 8
    assert not District.objects.filter(district_id="T5").exists()
    assert Meter.objects.get(meter_id="M01").address == GRID[0][8]


def test_changed_addresses_and_moves_are_written(tmp_path: Path, orgs: Any) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    moved = [(m, "T2" if d == "T1" else d, *rest[:6], f"{rest[6]}（新）") for m, d, *rest in GRID]
    summary = import_registry(write_registry(tmp_path / "r2.csv", moved))
    assert summary.updated["meters"] == 8
    got = {m.meter_id: (m.district.district_id, m.address) for m in Meter.objects.all()}
    assert got == {m: (d, rest[6]) for m, d, *rest in moved}
    assert District.objects.get(district_id="T2").meter_count == 4


def test_the_portable_update_path_writes_the_same(
    tmp_path: Path, orgs: Any, monkeypatch: Any
) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    monkeypatch.setattr(registry, "UPDATE_FROM_VENDORS", ())
    moved = [(m, "T2" if d == "T1" else d, *rest[:6], f"{rest[6]}（新）") for m, d, *rest in GRID]
    import_registry(write_registry(tmp_path / "r2.csv", moved))
    got = {m.meter_id: (m.district.district_id, m.address) for m in Meter.objects.all()}
    assert got == {m: (d, rest[6]) for m, d, *rest in moved}


def test_a_retired_meter_no_longer_counts_as_current(
    tmp_path: Path, users: Any, frozen: Any
) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    m08 = Meter.objects.get(meter_id="M08")
    services.bind_meter(users["staff_b"], m08, users["customer"])
    assert selectors.lookup_districts("M08") and list(selectors.my_meters(users["customer"]))
    assert selectors.lookup_districts(customer_number("M08"))
    import_registry(
        write_registry(tmp_path / "r2.csv", GRID[:-1]), guard=DeletionGuard(replace=True)
    )
    assert registry.export_registry(tmp_path / "m.parquet") == 7  # the engine's registry
    exported = pq.read_table(tmp_path / "m.parquet").column("meter_id").to_pylist()
    assert "M08" not in exported
    t4 = District.objects.get(district_id="T4")
    assert notify.notify_districts([t4], "planned", "计划停电") == []  # no new notices
    assert selectors.lookup_districts("M08") == []  # public lookup by meter number
    assert selectors.lookup_districts(customer_number("M08")) == []  # ... and by its 户号
    assert list(selectors.my_meters(users["customer"])) == []
    m08.refresh_from_db()
    with pytest.raises(services.InvalidInput):
        services.bind_meter(users["staff_b"], m08, users["other_customer"])
    services.bind_meter(users["staff_b"], m08, None)  # unbinding stays possible


LONG = "长" * 300


@pytest.mark.parametrize(
    ("column", "index", "value", "message"),
    [
        ("meter_id", 0, "M" * 65, "longer than 64 characters (65)"),
        ("meter_id", 0, "M\x0001", "contains a NUL byte"),
        ("district_id", 1, "T1\x00", "contains a NUL byte"),
        ("feeder_id", 2, "F\x071", "contains a control character"),
        ("district_id", 1, "T" * 65, "longer than 64 characters"),
        ("feeder_name", 5, LONG[:129], "longer than 128 characters (129)"),
        ("district_name", 6, LONG[:129], "longer than 128 characters"),
        ("served_area", 7, LONG[:256], "longer than 255 characters (256)"),
        ("meter_address", 3, LONG[:256], "longer than 255 characters"),
        ("meter_address", 3, "地址\x00", "contains a NUL byte"),
    ],
)
@pytest.mark.parametrize("existing", [False, True], ids=["create", "update"])
def test_a_value_the_database_cannot_hold_is_refused_naming_row_and_column(
    tmp_path: Path, orgs: Any, column: str, index: int, value: str, message: str, existing: bool
) -> None:
    if existing:
        import_registry(write_registry(tmp_path / "r.csv"))
    before = list(Meter.objects.values_list("meter_id", "address", "district__name"))
    names = ["meter_id", "district_id", "feeder_id", "region", "area", "feeder_name",
             "district_name", "served_area", "meter_address"]  # fmt: skip
    rows = [list(r) for r in GRID]
    rows[index][names.index(column)] = value
    if column in ("district_id", "feeder_id"):  # every row of it: the engine's checks pass
        k = names.index(column)
        for r in rows:
            if r[k] == GRID[index][k]:
                r[k] = value
    path = write_registry(tmp_path / "bad.csv", [tuple(r) for r in rows])
    with pytest.raises(InputError, match=r"bad\.csv") as exc:
        import_registry(path)
    first = min(i for i, r in enumerate(rows) if r[names.index(column)] == value)
    assert (exc.value.row, exc.value.column) == (first + 1, column)
    assert message in str(exc.value)
    assert list(Meter.objects.values_list("meter_id", "address", "district__name")) == before


def test_a_parquet_id_with_a_nul_byte_is_refused(tmp_path: Path, orgs: Any) -> None:
    import pyarrow as pa

    cols = list(zip(*GRID, strict=True))
    names = ["meter_id", "district_id", "feeder_id", "region", "area", "feeder_name",
             "district_name", "served_area", "meter_address"]  # fmt: skip
    table = {n: list(c) for n, c in zip(names, cols, strict=True)}
    table["meter_id"][4] = "M\x0005"
    pq.write_table(pa.table(table), tmp_path / "r.parquet")
    with pytest.raises(InputError, match=r"r\.parquet, row 5, column meter_id: contains a NUL"):
        import_registry(tmp_path / "r.parquet")
    assert not Meter.objects.exists()


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ([(*GRID[0][:3], "659999", *GRID[0][4:])], "row 1, column region"),  # unknown region
        ([(*GRID[0][:4], "suburb", *GRID[0][5:])], "row 1, column area"),  # engine: bad area
        ([GRID[0], GRID[0]], "row 2, column meter_id"),  # engine: duplicate meter
        ([GRID[0], (GRID[1][0], "T1", "F2", *GRID[1][3:])], "row 2, column feeder_id"),
    ],
)
def test_a_bad_file_names_row_and_column_and_saves_nothing(
    tmp_path: Path, orgs: Any, rows: list[tuple[str, ...]], where: str
) -> None:
    path = write_registry(tmp_path / "bad.csv", [*GRID[2:], *rows])
    with pytest.raises(InputError, match=r"bad\.csv") as exc:
        import_registry(path)
    row = int(where.split(",")[0].split()[1]) + len(GRID) - 2
    column = where.split("column ")[1]
    assert exc.value.row == row and exc.value.column == column
    assert not Feeder.objects.exists() and not Meter.objects.exists()


def test_a_missing_column_is_named(tmp_path: Path, orgs: Any) -> None:
    path = tmp_path / "r.csv"
    path.write_text("meter_id,district_id,feeder_id,region\nM1,T1,F1,640104\n")
    with pytest.raises(InputError, match="column area: missing column"):
        import_registry(path)


def test_entries_are_identified_on_the_day_of_the_breach(refreshed: Any) -> None:
    days = dict(LedgerEntry.objects.values_list("point_id", "identified_on"))
    assert days == {
        "T1": dt.date(2026, 9, 15),  # the 6th outage of the year
        "T2": dt.date(2026, 8, 25),  # the 4th within 60 days
        "F1": dt.date(2026, 9, 15),  # its 2nd frequent district
    }
