"""Fixtures of the supply-quality desk: regions, two supply companies, the regulators, one
user per role, and a tiny grid (CSV in tmp_path) with meter events the engine reads."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from getelec.accounts.models import Organisation, Region, User, department_type_for

PASSWORD = "pw-For-tests-1"
NOW = "2026-11-26 10:00 +0800"

# Two meters per district. T1–T3 on F1 (银川 兴庆区, company A), T4 on F2 (石嘴山, company B).
GRID = [
    # meter, district, feeder, region, area, feeder_name, district_name, served_area, address
    ("M01", "T1", "F1", "640104", "urban", "10千伏解放线", "解放西街1号台区", "解放西街一社区", "解放西街1号楼101"),  # noqa: E501
    ("M02", "T1", "F1", "640104", "urban", "10千伏解放线", "解放西街1号台区", "解放西街一社区", "解放西街1号楼102"),  # noqa: E501
    ("M03", "T2", "F1", "640104", "urban", "10千伏解放线", "新华街2号台区", "新华街二社区", "新华街2号楼1单元"),  # noqa: E501
    ("M04", "T2", "F1", "640104", "urban", "10千伏解放线", "新华街2号台区", "新华街二社区", "新华街2号楼2单元"),  # noqa: E501
    ("M05", "T3", "F1", "640104", "rural", "10千伏解放线", "掌政村3号台区", "掌政镇掌政村", "掌政村三组"),  # noqa: E501
    ("M06", "T3", "F1", "640104", "rural", "10千伏解放线", "掌政村3号台区", "掌政镇掌政村", "掌政村四组"),  # noqa: E501
    ("M07", "T4", "F2", "640202", "rural", "10千伏星海线", "星海村台区", "星海镇星海村", "星海村一组"),  # noqa: E501
    ("M08", "T4", "F2", "640202", "rural", "10千伏星海线", "星海村台区", "星海镇星海村", "星海村二组"),  # noqa: E501
]  # fmt: skip
DISTRICT_METERS = {"T1": ("M01", "M02"), "T2": ("M03", "M04"), "T3": ("M05", "M06"),
                   "T4": ("M07", "M08")}  # fmt: skip


def customer_number(meter_id: str) -> str:
    """The 户号 the test registry gives a meter: M07 → 6400000007 (other ids: none)."""
    digits = meter_id[1:]
    return f"64{int(digits):08d}" if digits.isdigit() and len(digits) <= 8 else ""


def write_registry(path: Path, rows: Iterable[tuple[str, ...]] = GRID) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["meter_id", "district_id", "feeder_id", "region", "area", "feeder_name",
                    "district_name", "served_area", "meter_address",
                    "customer_number"])  # fmt: skip
        w.writerows([*row, customer_number(row[0])] for row in rows)
    return path


def outage_rows(district: str, start: dt.datetime, minutes: int = 60) -> list[tuple[str, str, str]]:
    end = start + dt.timedelta(minutes=minutes)
    rows = []
    for meter in DISTRICT_METERS[district]:
        rows.append((meter, f"{start:%Y-%m-%d %H:%M:%S}", "off"))
        rows.append((meter, f"{end:%Y-%m-%d %H:%M:%S}", "on"))
    return rows


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour))


# Base year 2026 as of 2026-11-25:
#  T1: 6 outages (year_limit) — frequent; T2: 4 in 60 days (window_limit) — frequent
#  → F1 is a problem line; T3: 4 in the year (warn_year); T4: 2 in the last 30 days (warn_short).
BASE_OUTAGES = {
    "T1": ["2026-01-10", "2026-03-05", "2026-05-02", "2026-06-20", "2026-08-08", "2026-09-15"],
    "T2": ["2026-07-01", "2026-07-20", "2026-08-05", "2026-08-25"],
    "T3": ["2026-02-01", "2026-04-01", "2026-06-01", "2026-08-01"],
    "T4": ["2026-11-05", "2026-11-20"],
}


class Grid:
    """A data folder the refresh reads: <dir>/2026/events.csv; outages can be added."""

    def __init__(self, root: Path):
        self.root = root
        self.outages: dict[str, list[dt.datetime]] = {
            d: [at(day) for day in days] for d, days in BASE_OUTAGES.items()
        }
        self.registry = write_registry(root / "registry.csv")
        self.write()

    def add(self, district: str, when: dt.datetime) -> None:
        self.outages[district].append(when)
        self.write()

    def write(self) -> None:
        folder = self.root / "data" / "2026"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "events.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["meter_id", "ts", "kind"])
            for d, starts in sorted(self.outages.items()):
                for s in sorted(starts):
                    w.writerows(outage_rows(d, s))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"


@pytest.fixture
def regions(db: Any) -> dict[str, Region]:
    def region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
        return Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    lv = Region.Level
    province = region("640000", "宁夏回族自治区", lv.PROVINCE)
    yinchuan = region("640100", "银川市", lv.CITY, province)
    shizuishan = region("640200", "石嘴山市", lv.CITY, province)
    return {
        "province": province,
        "yinchuan": yinchuan,
        "xingqing": region("640104", "兴庆区", lv.COUNTY, yinchuan),
        "shizuishan": shizuishan,
        "dawukou": region("640202", "大武口区", lv.COUNTY, shizuishan),
    }


@pytest.fixture
def orgs(regions: dict[str, Region]) -> dict[str, Organisation]:
    def org(name: str, kind: str, region: Region) -> Organisation:
        department_type = department_type_for(name) if kind == Organisation.Kind.DEPARTMENT else ""
        return Organisation.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "region": region, "department_type": department_type},
        )[0]

    k = Organisation.Kind
    return {
        "company_a": org("国网银川供电公司", k.SUPPLY_COMPANY, regions["yinchuan"]),
        "company_b": org("国网石嘴山供电公司", k.SUPPLY_COMPANY, regions["shizuishan"]),
        "nea": org("国家能源局西北监管局", k.REGULATOR, regions["province"]),
        "housing": org("住房和城乡建设厅", k.DEPARTMENT, regions["province"]),
    }


@pytest.fixture
def users(orgs: dict[str, Organisation], regions: dict[str, Region]) -> dict[str, User]:
    def user(name: str, role: str, org: Organisation | None, region: Region | None = None) -> User:
        return User.objects.create_user(
            username=name,
            password=PASSWORD,
            role=role,
            organisation=org,
            region=region or (org.region if org else None),
            display_name=name,
            phone="13912345678",
            id_number="640104199001011234",
        )

    r = User.Role
    return {
        "customer": user("customer", r.APPLICANT, None),
        "other_customer": user("other_customer", r.APPLICANT, None),
        "staff_a": user("staff_a", r.STAFF, orgs["company_a"]),
        "staff_b": user("staff_b", r.STAFF, orgs["company_b"]),
        "regulator": user("regulator", r.REGULATOR, orgs["nea"]),
        "department": user("department", r.DEPARTMENT, orgs["housing"]),
        "admin": user("admin", r.ADMIN, None, regions["province"]),
    }


@pytest.fixture
def frozen() -> Iterator[Any]:
    """Today is Thursday 26 November 2026 (Asia/Shanghai)."""
    import time_machine

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def grid(tmp_path: Path, orgs: dict[str, Organisation]) -> Grid:
    """The registry imported and events written (not refreshed yet)."""
    from getelec.outages.registry import import_registry

    g = Grid(tmp_path)
    import_registry(g.registry)
    return g


@pytest.fixture
def refreshed(grid: Grid, frozen: Any) -> Grid:
    from getelec.outages.services import refresh

    refresh(2026, dt.date(2026, 11, 25), data_dir=grid.data_dir)
    return grid


@pytest.fixture
def run_refresh(grid: Grid) -> Callable[..., Any]:
    from getelec.outages.services import refresh

    def run(as_of: dt.date = dt.date(2026, 11, 25)) -> Any:
        return refresh(2026, as_of, data_dir=grid.data_dir)

    return run
