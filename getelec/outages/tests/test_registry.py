"""Grid registry import: the engine's validation rules, atomic and idempotent (L29)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from getelec.analytics.inputs import InputError
from getelec.audit.models import AuditEvent
from getelec.outages.models import District, Feeder, LedgerEntry, Meter
from getelec.outages.registry import import_registry
from getelec.outages.tests.conftest import GRID, write_registry

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


def test_a_meter_missing_from_a_new_file_leaves_the_grid(tmp_path: Path, orgs: Any) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    summary = import_registry(write_registry(tmp_path / "r2.csv", GRID[:-1]))
    assert summary.removed_meters == 1 and not Meter.objects.filter(meter_id="M08").exists()
    assert District.objects.get(district_id="T4").meter_count == 1


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
