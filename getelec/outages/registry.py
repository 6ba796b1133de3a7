"""Grid registry import (L29): feeders, districts and meters from CSV or Parquet.

The file is the engine's meter registry (`meter_id, district_id, feeder_id, region, area`) with
optional columns `feeder_name, district_name, served_area` (the areas/addresses a district
serves, published), `meter_address` (kept internal, never public), `customer_number` (户号: with
the meter number, what a customer types into the public outage lookup; never shown) and
`remote` (1: the district is a 特殊边远地区 for repair commitments). The engine's own reader
validates it first (getelec.analytics.inputs.load_meters: missing column, empty value, unknown
area, duplicate meter, a district on two feeders — each naming file, row and column); the
platform then checks that every region code is a known administrative division served by a
supply company, and that a customer number has at most 32 characters.

The import is one transaction (nothing is saved on any error) and idempotent: rows that already
match are left alone, and an unchanged file writes nothing, not even an audit row. Meters missing
from the file are removed (they left the grid); feeders and districts stay (ledger history
refers to them) with a meter count of 0.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction

from getelec.accounts.models import Organisation, Region
from getelec.analytics.inputs import METER_COLUMNS, InputError, load_meters, read_table
from getelec.audit.services import record
from getelec.outages.models import Area, District, Feeder, Meter, RegistryImport

OPTIONAL_COLUMNS = (
    "feeder_name",
    "district_name",
    "served_area",
    "meter_address",
    "customer_number",
    "remote",
)
CUSTOMER_NUMBER_MAX = 32
TRUE_VALUES = ("1", "true", "yes", "是")
FALSE_VALUES = ("", "0", "false", "no", "否")


@dataclass
class ImportSummary:
    file: str
    rows: int
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    removed_meters: int = 0

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or self.removed_meters)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "removed_meters": self.removed_meters,
        }


def _column(table: pa.Table, name: str) -> list[str]:
    if name not in table.column_names:
        return [""] * table.num_rows
    col = table.column(name)
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if not pa.types.is_string(col.type):
        col = col.cast(pa.string())
    return [v or "" for v in pc.fill_null(col, "").to_pylist()]


def company_for(region: Region, companies: dict[str, Organisation]) -> Organisation | None:
    """The supply company serving a region: the most specific one up the region chain."""
    for code in (region.code, region.code[:4] + "00", region.code[:2] + "0000"):
        if code in companies:
            return companies[code]
    return None


def _fail(path: Path, is_csv: bool, index: int, column: str, message: str) -> InputError:
    if is_csv:
        message = f"{message} (line {index + 2})"
    return InputError(path, index + 1, column, message)


IMPORT_ACTOR = "getelec outages registry import"


def import_registry(path: str | Path, actor: Any = IMPORT_ACTOR) -> ImportSummary:
    """Validate and import a registry file; raise InputError (file, row, column) on bad input."""
    path = Path(path)
    load_meters(path)  # the engine's validation rules, unchanged
    source = read_table(path, METER_COLUMNS, OPTIONAL_COLUMNS)
    t = source.table
    cols = {name: _column(t, name) for name in (*METER_COLUMNS, *OPTIONAL_COLUMNS)}
    regions = {r.code: r for r in Region.objects.all()}
    companies: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY).order_by("pk"):
        companies.setdefault(org.region_id, org)

    feeders: dict[str, dict[str, Any]] = {}
    districts: dict[str, dict[str, Any]] = {}
    meters: dict[str, dict[str, Any]] = {}
    for i in range(t.num_rows):
        code = cols["region"][i].strip()
        region = regions.get(code)
        if region is None:
            raise _fail(path, source.is_csv, i, "region", f"unknown region code {code!r}")
        company = company_for(region, companies)
        if company is None:
            raise _fail(path, source.is_csv, i, "region", f"no supply company serves {code}")
        remote_raw = cols["remote"][i].strip().lower()
        if remote_raw not in TRUE_VALUES + FALSE_VALUES:
            raise _fail(path, source.is_csv, i, "remote", f"expected 1 or 0, got {remote_raw!r}")
        area = cols["area"][i]
        if remote_raw in TRUE_VALUES:
            if area != "rural":
                raise _fail(path, source.is_csv, i, "remote", "only a rural district is remote")
            area = Area.REMOTE
        fid, did = cols["feeder_id"][i], cols["district_id"][i]
        f = feeders.setdefault(fid, {"name": "", "region_id": code, "company_id": company.pk})
        f["name"] = f["name"] or cols["feeder_name"][i].strip()
        d = districts.setdefault(
            did,
            {
                "name": "",
                "feeder": fid,
                "region_id": code,
                "company_id": company.pk,
                "area": area,
                "served_area": "",
                "meter_count": 0,
            },
        )
        if d["area"] != area:
            raise _fail(path, source.is_csv, i, "area", f"district {did!r} has two area values")
        d["name"] = d["name"] or cols["district_name"][i].strip()
        d["served_area"] = d["served_area"] or cols["served_area"][i].strip()[:255]
        d["meter_count"] += 1
        customer = cols["customer_number"][i].strip()
        if len(customer) > CUSTOMER_NUMBER_MAX:
            raise _fail(
                path,
                source.is_csv,
                i,
                "customer_number",
                f"longer than {CUSTOMER_NUMBER_MAX} characters: {customer!r}",
            )
        meters[cols["meter_id"][i]] = {
            "district": did,
            "address": cols["meter_address"][i].strip()[:255],
            "customer": customer,
        }
    summary = ImportSummary(str(path), t.num_rows)
    with transaction.atomic():
        _apply(feeders, districts, meters, summary)
        if summary.changed:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            run = RegistryImport.objects.create(
                file_name=path.name,
                sha256=digest,
                feeders=len(feeders),
                districts=len(districts),
                meters=len(meters),
                changes=summary.as_dict(),
            )
            record(actor, "outages.import_registry", run, new=summary.as_dict())
    return summary


def _apply(
    feeders: dict[str, dict[str, Any]],
    districts: dict[str, dict[str, Any]],
    meters: dict[str, dict[str, Any]],
    summary: ImportSummary,
) -> None:
    existing_f = {f.feeder_id: f for f in Feeder.objects.select_for_update()}
    new_f, upd_f = [], []
    for fid, values in feeders.items():
        f = existing_f.get(fid)
        if f is None:
            new_f.append(Feeder(feeder_id=fid, **values))
        elif any(getattr(f, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(f, k, v)
            upd_f.append(f)
    Feeder.objects.bulk_create(new_f, batch_size=2000)
    Feeder.objects.bulk_update(upd_f, ["name", "region_id", "company_id"], batch_size=2000)
    summary.created["feeders"] += len(new_f)
    summary.updated["feeders"] += len(upd_f)
    fkeys = dict(Feeder.objects.values_list("feeder_id", "pk"))

    existing_d = {d.district_id: d for d in District.objects.select_for_update()}
    fields = ["name", "feeder_id", "region_id", "company_id", "area", "served_area", "meter_count"]
    new_d, upd_d = [], []
    for did, values in districts.items():
        wanted = {**values, "feeder_id": fkeys[values["feeder"]]}
        wanted.pop("feeder")
        d = existing_d.get(did)
        if d is None:
            new_d.append(District(district_id=did, **wanted))
        elif any(getattr(d, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(d, k, v)
            upd_d.append(d)
    for did, d in existing_d.items():  # left the grid: kept for history, no meters
        if did not in districts and d.meter_count:
            d.meter_count = 0
            upd_d.append(d)
    District.objects.bulk_create(new_d, batch_size=2000)
    District.objects.bulk_update(upd_d, fields, batch_size=2000)
    summary.created["districts"] += len(new_d)
    summary.updated["districts"] += len(upd_d)
    dkeys = dict(District.objects.values_list("district_id", "pk"))

    existing_m = {
        mid: (dk, addr, customer)
        for mid, dk, addr, customer in Meter.objects.values_list(
            "meter_id", "district_id", "address", "customer_number"
        )
    }
    new_m, upd_m = [], []
    for mid, values in meters.items():
        wanted = (dkeys[values["district"]], values["address"], values["customer"])
        have = existing_m.get(mid)
        if have is None:
            new_m.append(
                Meter(
                    meter_id=mid,
                    district_id=wanted[0],
                    address=wanted[1],
                    customer_number=wanted[2],
                )
            )
        elif have != wanted:
            upd_m.append((mid, wanted))
    gone = [mid for mid in existing_m if mid not in meters]
    Meter.objects.bulk_create(new_m, batch_size=5000)
    if upd_m:
        objs = {m.meter_id: m for m in Meter.objects.filter(meter_id__in=[u[0] for u in upd_m])}
        for mid, (dk, addr, customer) in upd_m:
            objs[mid].district_id, objs[mid].address = dk, addr
            objs[mid].customer_number = customer
        Meter.objects.bulk_update(
            list(objs.values()), ["district_id", "address", "customer_number"], batch_size=5000
        )
    if gone:
        for start in range(0, len(gone), 5000):
            Meter.objects.filter(meter_id__in=gone[start : start + 5000]).delete()
    summary.created["meters"] += len(new_m)
    summary.updated["meters"] += len(upd_m)
    summary.removed_meters = len(gone)


def export_registry(path: Path) -> int:
    """Write the registry in the engine's meter format (Parquet) for a refresh; remote → rural."""
    import pyarrow.parquet as pq

    rows = Meter.objects.order_by("meter_id").values_list(
        "meter_id",
        "district__district_id",
        "district__feeder__feeder_id",
        "district__region_id",
        "district__area",
        "district__name",
        "district__feeder__name",
    )
    cols: dict[str, list[str]] = {
        k: []
        for k in (
            "meter_id",
            "district_id",
            "feeder_id",
            "region",
            "area",
            "district_name",
            "feeder_name",
        )
    }
    for mid, did, fid, region, area, dname, fname in rows.iterator(chunk_size=20000):
        cols["meter_id"].append(mid)
        cols["district_id"].append(did)
        cols["feeder_id"].append(fid)
        cols["region"].append(region)
        cols["area"].append("urban" if area == Area.URBAN else "rural")
        cols["district_name"].append(dname)
        cols["feeder_name"].append(fname)
    pq.write_table(pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()}), str(path))
    return len(cols["meter_id"])
