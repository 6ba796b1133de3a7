"""Demo content for the supply-quality desk: `load_demo()` (called by `getelec demo`).

Generates a small synthetic 2026 with the engine's generator (a few hundred 台区 in the Ningxia
counties), imports it as the grid registry with readable names, writes the events into the data
folder, runs the refresh as of yesterday, then moves entries through every ledger state
(identified, planned, observation, verified, closed and — through a second refresh — reopened),
announces planned outages and opens repair tickets. Idempotent: a second call changes nothing
it already did. Needs the reference data and demo accounts (getelec.demo) to exist.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.utils import timezone

from getelec.accounts.models import User
from getelec.analytics.synth import SynthConfig, generate, write
from getelec.outages import datasource, selectors, services
from getelec.outages.localtime import local_naive
from getelec.outages.models import (
    District,
    EntryStatus,
    LedgerEntry,
    Level,
    Meter,
    PlannedOutage,
    RepairTicket,
)
from getelec.outages.registry import import_registry

DEMO_METERS = 50_000  # ≈ 750 districts on ≈ 25 feeders
DEMO_SEED = 2026
VILLAGES = ("新华", "胜利", "团结", "光明", "幸福", "和平", "红星", "永丰", "春光", "金星")


# A daily refresh already running: wait for it rather than fail the demo set-up.
DEMO_REFRESH_WAIT = 600


def _registry(meters: pa.Table, folder: Path) -> Path:
    """The synthetic registry with names, served areas, 户号 and a few remote districts."""
    n = meters.num_rows
    did = meters["district_id"]
    fid = meters["feeder_id"]
    rng = np.random.default_rng(DEMO_SEED)
    dnum = pc.cast(pc.utf8_slice_codeunits(did, 1), pa.int64()).to_numpy()
    fnum = pc.cast(pc.utf8_slice_codeunits(fid, 1), pa.int64()).to_numpy()
    village = [VILLAGES[int(d) % len(VILLAGES)] for d in dnum]
    area = meters["area"].to_pylist()
    remote_d = {int(d) for d in np.unique(dnum) if rng.random() < 0.15}
    table = meters.append_column(
        "feeder_name",
        pa.array([f"10千伏{VILLAGES[int(f) % len(VILLAGES)]}{int(f)}线" for f in fnum]),
    )
    table = table.append_column(
        "district_name",
        pa.array(
            [
                f"{v}{'小区' if a == 'urban' else '村'}{int(d)}号台区"
                for v, a, d in zip(village, area, dnum, strict=True)
            ]
        ),
    )
    table = table.append_column(
        "served_area",
        pa.array(
            [
                f"{v}{'社区' if a == 'urban' else '村'}{int(d) % 7 + 1}"
                f"{'号楼一带' if a == 'urban' else '组'}"
                for v, a, d in zip(village, area, dnum, strict=True)
            ]
        ),
    )
    # 户号 (10 digits, one per meter here) for the public lookup; never shown on public pages.
    table = table.append_column(
        "customer_number", pa.array([f"64{i + 1:08d}" for i in range(n)], pa.string())
    )
    table = table.append_column(
        "remote",
        pa.array(
            [
                "1" if a == "rural" and int(d) in remote_d else "0"
                for a, d in zip(area, dnum, strict=True)
            ]
        ),
    )
    path = folder / "registry.csv"
    write({"registry": table.slice(0, n)}, folder, "csv")
    return path


def _staff(company_id: int) -> User | None:
    from getelec.demo.accounts import staff_by_company

    return staff_by_company().get(company_id)


def _regulator() -> User | None:
    from getelec.demo.reference import REGULATOR_NEA

    return (
        User.objects.filter(role=User.Role.REGULATOR, organisation__name=REGULATOR_NEA)
        .order_by("username")
        .first()
    )


def load_demo(today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    as_of = today - dt.timedelta(days=1)
    year = as_of.year
    tables = generate(SynthConfig(meters=DEMO_METERS, year=year, seed=DEMO_SEED))
    folder = datasource.year_dir(year)
    folder.mkdir(parents=True, exist_ok=True)
    write({"events": tables["events"], "causes": tables["causes"]}, folder, "parquet")
    with tempfile.TemporaryDirectory(prefix="getelec-demo-") as tmp:
        import_registry(_registry(tables["meters"], Path(tmp)), actor="getelec demo")
    services.refresh(year, as_of, actor="getelec demo", wait=DEMO_REFRESH_WAIT)
    _lifecycle(year, today)
    services.refresh(
        year, as_of, actor="getelec demo", wait=DEMO_REFRESH_WAIT
    )  # re-opens breaches after rectification
    _bind_demo_customers()  # before the work below, so their notices reach the customers
    _planned_and_repairs(today)
    counts = {s: LedgerEntry.objects.filter(status=s).count() for s in EntryStatus.values}
    return {
        "entries": counts,
        "planned": PlannedOutage.objects.count(),
        "repairs": RepairTicket.objects.count(),
    }


def _last_counted(entry: LedgerEntry) -> dt.date:
    return max(
        (local_naive(x.start).date() for x in entry.interruptions.filter(counted=True)),
        default=entry.identified_on,
    )


def _lifecycle(year: int, today: dt.date) -> None:
    """Entries whose last outage is long past are rectified right after it and verified (half
    of them closed); the others are spread over identified, planned and rectified soon after
    the breach (observation, or re-opened by the next refresh when outages went on)."""
    if LedgerEntry.objects.filter(year=year).exclude(status=EntryStatus.IDENTIFIED).exists():
        return  # already done: the demo is idempotent
    regulator = _regulator()
    entries = list(
        LedgerEntry.objects.filter(year=year, level=Level.DISTRICT, status=EntryStatus.IDENTIFIED)
        .select_related("company", "region")
        .order_by("identified_on", "point_id")
    )
    entries.sort(key=lambda e: (_last_counted(e), e.point_id))
    for i, entry in enumerate(entries):
        staff = _staff(entry.company_id)
        if staff is None:
            continue
        last = _last_counted(entry)
        settled = i < 6 and last + dt.timedelta(days=65) < today
        went_on = last > entry.identified_on + dt.timedelta(days=3)  # outages after the breach
        bucket = 2 if went_on and i % 2 else i % 3
        if not settled and bucket == 0:  # stays identified
            continue
        entry = services.plan_rectification(
            staff,
            entry,
            measures="问题台区“整线成片”标准化治理：更换老旧导线、加装智能开关",
            target_on=today + dt.timedelta(days=30 + i % 60),
            responsible_team=f"{entry.region.name}供电所运维班",
            budget_wan=Decimal(20 + (i * 7) % 80),
        )
        if not settled and bucket == 1:  # stays planned
            continue
        rectified_on = last + dt.timedelta(days=2) if settled else entry.identified_on
        rectified_on += dt.timedelta(days=1)
        if rectified_on > today:
            continue
        entry = services.record_rectification(
            staff, entry, rectified_on=rectified_on, note="改造完成，恢复正常供电"
        )
        end = selectors.observation_end(entry)
        if not settled or regulator is None or end is None or end >= today:
            continue
        entry = services.verify_entry(
            regulator,
            entry,
            verified_on=min(today, end + dt.timedelta(days=3)),
            inspection_kind="both",
            inspection_record="现场检查改造完成，走访用户，反映停电明显减少",
        )
        if i % 2 == 0:
            services.close_entry(regulator, entry, reason="观察期内未再发生频繁停电，同意销号")


def _planned_and_repairs(today: dt.date) -> None:
    if PlannedOutage.objects.exists() or RepairTicket.objects.exists():
        return
    tz = timezone.get_current_timezone()
    districts = list(District.objects.select_related("feeder").order_by("district_id")[:40])
    for i, d in enumerate(districts[:6]):
        staff = _staff(d.company_id)
        if staff is None:
            continue
        day = today + dt.timedelta(days=8 + i * 3)
        start = dt.datetime.combine(day, dt.time(8), tz)
        try:
            services.create_planned_outage(
                staff,
                feeder=d.feeder,
                districts=[d],
                start=start,
                end=start + dt.timedelta(hours=4),
                work="10千伏线路检修、更换配电变压器",
                confirm_warning=True,
            )
        except services.ServiceError:
            continue
    now = timezone.now()
    for i, d in enumerate(districts[10:18]):
        staff = _staff(d.company_id)
        if staff is None:
            continue
        accepted = now - dt.timedelta(hours=6 - i * 0.5)
        ticket = services.open_repair(
            staff, district=d, description="用户报修：整片停电", accepted_at=accepted
        )
        steps = [
            ("dispatched", 10),
            ("arrived", 40 + i * 15),
            ("repairing", 50 + i * 15),
            ("restored", 120 + i * 15),
        ][: 1 + i % 4]
        for stage, minutes in steps:
            at = accepted + dt.timedelta(minutes=minutes)
            if at > now:
                break
            ticket = services.advance_repair(staff, ticket, stage=stage, at=at)


def _bind_demo_customers() -> None:
    """Link the demo applicants to a meter each: demo-applicant in a 台区 that gets a repair
    ticket, demo-enterprise in one with planned maintenance (see `_planned_and_repairs`)."""
    from getelec.demo.accounts import DEMO_USERNAME_PREFIX

    customers = User.objects.filter(
        role=User.Role.APPLICANT, username__startswith=DEMO_USERNAME_PREFIX
    ).order_by("username")
    districts = list(District.objects.order_by("district_id")[:40])
    if len(districts) <= 10:
        return
    for customer, district in zip(customers, (districts[10], districts[0]), strict=False):
        if Meter.objects.filter(account=customer).exists():
            continue
        meter = (
            Meter.objects.filter(district=district, retired_on__isnull=True)
            .order_by("meter_id")
            .first()
        )
        staff = _staff(district.company_id)
        if meter is not None and staff is not None:
            services.bind_meter(staff, meter, customer)
