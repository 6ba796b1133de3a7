"""Grid registry import (L29): feeders, districts and meters from CSV or Parquet.

The file is the engine's meter registry (`meter_id, district_id, feeder_id, region, area`) with
optional columns `feeder_name, district_name, served_area` (the areas/addresses a district
serves, published), `meter_address` (kept internal, never public), `customer_number` (户号: with
the meter number, what a customer types into the public outage lookup; never shown) and `remote`
(1: the district is a 特殊边远地区 for repair commitments). The engine's own reader validates it
first (getelec.analytics.inputs.load_meters: missing column, empty value, unknown area,
duplicate meter, a district on two feeders — each naming file, row and column); the platform then
checks that every region code is a known administrative division served by a supply company,
and that every value fits the column it is stored in (length from the model; no NUL bytes; no
control characters in ids). A file without data rows is refused.

The import is one transaction (nothing is saved on any error) and idempotent: rows that already
match are left alone, and an unchanged file writes nothing, not even an audit row. Meters missing
from the file are removed only as getelec.core.deletions allows (`--allow-deletions N` within
settings.REGISTRY_MAX_DELETE_SHARE of the active meters, or `--replace`); otherwise they are kept
and reported. Removing a meter retires it (Meter.retired_on): its notices, binding and history
stay, and a later file that lists it again brings it back. Feeders and districts are never
removed (ledger history refers to them); a district's meter count is its active meters.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from getelec.accounts.models import Organisation, Region
from getelec.analytics.inputs import (
    METER_COLUMNS,
    InputError,
    Source,
    load_meters,
    read_table,
)
from getelec.audit.services import record
from getelec.core.deletions import DeletionGuard, DeletionRefused, parse_share
from getelec.outages.models import Area, District, Feeder, Meter, RegistryImport

OPTIONAL_COLUMNS = (
    "feeder_name",
    "district_name",
    "served_area",
    "meter_address",
    "customer_number",
    "remote",
)
TRUE_VALUES = ("1", "true", "yes", "是")
FALSE_VALUES = ("", "0", "false", "no", "否")
ID_COLUMNS = ("meter_id", "district_id", "feeder_id")
# Where each text column is stored: its length is checked against the model before writing.
STORED_IN: dict[str, tuple[type[models.Model], str]] = {
    "meter_id": (Meter, "meter_id"),
    "district_id": (District, "district_id"),
    "feeder_id": (Feeder, "feeder_id"),
    "feeder_name": (Feeder, "name"),
    "district_name": (District, "name"),
    "served_area": (District, "served_area"),
    "meter_address": (Meter, "address"),
    "customer_number": (Meter, "customer_number"),
}
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
EMPTY_FILE = "no data rows (an empty registry file is refused: it could only remove meters)"
MISSING_SAMPLE = 20  # missing meter ids listed in the summary
CHUNK = 2000  # rows per statement when writing
UPDATE_FROM_VENDORS = ("postgresql", "sqlite")  # databases with UPDATE ... FROM (SQLite 3.33+)


@dataclass
class ImportSummary:
    file: str
    rows: int
    dry_run: bool = False
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    retired_meters: int = 0  # missing from the file and retired (deletions allowed)
    restored_meters: int = 0  # retired before, listed again: active again
    missing_meters: int = 0  # missing from the file and kept (deletions not allowed)
    missing_sample: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            sum(self.created.values())
            or sum(self.updated.values())
            or self.retired_meters
            or self.restored_meters
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "retired_meters": self.retired_meters,
            "restored_meters": self.restored_meters,
            "missing_meters": self.missing_meters,
            "missing_sample": self.missing_sample,
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


def max_delete_share() -> float:
    """settings.REGISTRY_MAX_DELETE_SHARE, checked (0–1)."""
    return parse_share(
        getattr(settings, "REGISTRY_MAX_DELETE_SHARE", 0.05), "REGISTRY_MAX_DELETE_SHARE"
    )


def _text_problem(column: str, value: str, limits: dict[str, int]) -> str | None:
    """Why a value cannot be stored as it is, or None."""
    if "\x00" in value:
        return "contains a NUL byte"
    if column in ID_COLUMNS and CONTROL_CHARS.search(value):
        return "contains a control character"
    if len(value) > limits[column]:
        return f"longer than {limits[column]} characters ({len(value)})"
    return None


IMPORT_ACTOR = "getelec outages registry import"


def import_registry(
    path: str | Path,
    actor: Any = IMPORT_ACTOR,
    *,
    guard: DeletionGuard | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Validate and import a registry file; raise InputError (file, row, column) on bad input.

    `guard` decides whether meters missing from the file are retired (default: never, they
    are reported). `dry_run`: compute the summary, write nothing."""
    path = Path(path)
    guard = guard or DeletionGuard(max_share=max_delete_share())
    source, cols = _read(path)
    rows = _collect(path, source.is_csv, source.table.num_rows, cols)
    summary = ImportSummary(str(path), source.table.num_rows, dry_run=dry_run)
    try:
        if dry_run:
            _plan(rows, guard, summary, lock=False)
            return summary
        with transaction.atomic():
            _write(_plan(rows, guard, summary, lock=True))
            if summary.changed:
                _record_run(path, rows, summary, actor)
    except DeletionRefused as exc:
        raise InputError(path, None, None, str(exc)) from exc
    return summary


def _read(path: Path) -> tuple[Source, dict[str, list[str]]]:
    """The file as read by the engine (its validation rules, unchanged) and its columns as text,
    every value checked against the column it is stored in."""
    load_meters(path)
    source = read_table(path, METER_COLUMNS, OPTIONAL_COLUMNS)
    t = source.table
    if t.num_rows == 0:
        raise InputError(path, None, None, EMPTY_FILE)
    cols = {name: _column(t, name) for name in (*METER_COLUMNS, *OPTIONAL_COLUMNS)}
    limits = {c: m._meta.get_field(f).max_length for c, (m, f) in STORED_IN.items()}
    stripped = ("feeder_name", "district_name", "served_area", "meter_address", "customer_number")
    for c in stripped:
        cols[c] = [v.strip() for v in cols[c]]
    for i in range(t.num_rows):
        for c in STORED_IN:
            problem = _text_problem(c, cols[c][i], limits)
            if problem:
                raise _fail(path, source.is_csv, i, c, problem)
    return source, cols


@dataclass
class _Rows:
    """The file's feeders, districts and meters, keyed by their ids, as they are to be stored."""

    feeders: dict[str, dict[str, Any]] = field(default_factory=dict)
    districts: dict[str, dict[str, Any]] = field(default_factory=dict)
    meters: dict[str, dict[str, Any]] = field(default_factory=dict)


def _collect(path: Path, is_csv: bool, count: int, cols: dict[str, list[str]]) -> _Rows:
    """Each row placed (`_place`), its feeder and district collected (a district keeps one area
    value) and its meter bound to the district."""
    fail = partial(_fail, path, is_csv)
    regions = {r.code: r for r in Region.objects.all()}
    companies: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY).order_by("pk"):
        companies.setdefault(org.region_id, org)
    rows = _Rows()
    for i in range(count):
        code, company, area = _place(fail, i, cols, regions, companies)
        fid, did = cols["feeder_id"][i], cols["district_id"][i]
        f = rows.feeders.setdefault(fid, {"name": "", "region_id": code, "company_id": company.pk})
        f["name"] = f["name"] or cols["feeder_name"][i]
        d = rows.districts.setdefault(
            did,
            {
                "name": "",
                "feeder": fid,
                "region_id": code,
                "company_id": company.pk,
                "area": area,
                "served_area": "",
            },
        )
        if d["area"] != area:
            raise fail(i, "area", f"district {did!r} has two area values")
        d["name"] = d["name"] or cols["district_name"][i]
        d["served_area"] = d["served_area"] or cols["served_area"][i]
        rows.meters[cols["meter_id"][i]] = {
            "district": did,
            "address": cols["meter_address"][i],
            "customer": cols["customer_number"][i],
        }
    return rows


def _place(
    fail: Callable[[int, str, str], InputError],
    i: int,
    cols: dict[str, list[str]],
    regions: dict[str, Region],
    companies: dict[str, Organisation],
) -> tuple[str, Organisation, str]:
    """Row `i`'s region code (a known division), the supply company serving it, and its area
    (a rural district flagged `remote` is a remote one)."""
    code = cols["region"][i].strip()
    region = regions.get(code)
    if region is None:
        raise fail(i, "region", f"unknown region code {code!r}")
    company = company_for(region, companies)
    if company is None:
        raise fail(i, "region", f"no supply company serves {code}")
    remote_raw = cols["remote"][i].strip().lower()
    if remote_raw not in TRUE_VALUES + FALSE_VALUES:
        raise fail(i, "remote", f"expected 1 or 0, got {remote_raw!r}")
    area = cols["area"][i]
    if remote_raw in TRUE_VALUES:
        if area != "rural":
            raise fail(i, "remote", "only a rural district is remote")
        area = Area.REMOTE
    return code, company, area


def _record_run(path: Path, rows: _Rows, summary: ImportSummary, actor: Any) -> None:
    """The import's own row (file, digest, counts, changes) and its audit row."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run = RegistryImport.objects.create(
        file_name=path.name,
        sha256=digest,
        feeders=len(rows.feeders),
        districts=len(rows.districts),
        meters=len(rows.meters),
        changes=summary.as_dict(),
    )
    record(actor, "outages.import_registry", run, new=summary.as_dict())


@dataclass
class _Plan:
    """What an import writes, worked out from the file and the database before any write."""

    new_f: list[Feeder] = field(default_factory=list)
    upd_f: list[Feeder] = field(default_factory=list)
    new_d: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # feeder as feeder_id
    upd_d: list[tuple[District, str]] = field(default_factory=list)  # with its feeder_id
    # meter, district, address, customer number
    new_m: list[tuple[str, str, str, str]] = field(default_factory=list)
    set_m: list[tuple[str, str, str, str]] = field(default_factory=list)  # changed or restored
    retire: list[str] = field(default_factory=list)


def _plan(rows: _Rows, guard: DeletionGuard, summary: ImportSummary, *, lock: bool) -> _Plan:
    """Compare the file with the database (rows locked when `lock`) and count what changes."""
    plan = _Plan()
    f_qs, d_qs = Feeder.objects.all(), District.objects.all()
    if lock:  # a second import waits for this one
        f_qs, d_qs = f_qs.select_for_update(), d_qs.select_for_update()
    existing_f = {f.feeder_id: f for f in f_qs}
    _plan_feeders(plan, rows.feeders, existing_f, summary)
    existing_d = {d.district_id: d for d in d_qs}
    did_of = {d.pk: did for did, d in existing_d.items()}
    counts = _plan_meters(plan, rows.meters, did_of, guard, summary)
    fid_of = {f.pk: fid for fid, f in existing_f.items()}
    _plan_districts(plan, rows.districts, existing_d, fid_of, counts, summary)
    return plan


def _plan_feeders(
    plan: _Plan,
    feeders: dict[str, dict[str, Any]],
    existing_f: dict[str, Feeder],
    summary: ImportSummary,
) -> None:
    for fid, values in feeders.items():
        f = existing_f.get(fid)
        if f is None:
            plan.new_f.append(Feeder(feeder_id=fid, **values))
        elif any(getattr(f, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(f, k, v)
            plan.upd_f.append(f)
    summary.created["feeders"] += len(plan.new_f)
    summary.updated["feeders"] += len(plan.upd_f)
    summary.unchanged["feeders"] += len(feeders) - len(plan.new_f) - len(plan.upd_f)


def _plan_meters(
    plan: _Plan,
    meters: dict[str, dict[str, Any]],
    did_of: dict[int, str],
    guard: DeletionGuard,
    summary: ImportSummary,
) -> Counter[str]:
    """New, changed and restored meters; the ones missing from the file retired as the guard
    allows. Returns each district's active meters after the import."""
    existing_m = {  # meter → (district, address, customer number, retired on)
        mid: (did_of[dk], addr, customer, retired)
        for mid, dk, addr, customer, retired in Meter.objects.values_list(
            "meter_id", "district_id", "address", "customer_number", "retired_on"
        ).iterator(chunk_size=20000)
    }
    restored = 0
    for mid, values in meters.items():
        have = existing_m.get(mid)
        wanted = (values["district"], values["address"], values["customer"])
        if have is None:
            plan.new_m.append((mid, *wanted))
        elif have[3] is not None or have[:3] != wanted:
            plan.set_m.append((mid, *wanted))
            restored += have[3] is not None
    missing = sorted(m for m, have in existing_m.items() if have[3] is None and m not in meters)
    active = sum(1 for have in existing_m.values() if have[3] is None)
    retire = guard.check(missing=len(missing), existing=active, incoming=len(meters), what="meters")
    counts = Counter(v["district"] for v in meters.values())
    if retire:
        plan.retire = missing
        summary.retired_meters = len(missing)
    else:
        counts.update(existing_m[m][0] for m in missing)
        summary.missing_meters = len(missing)
        summary.missing_sample = missing[:MISSING_SAMPLE]
    summary.created["meters"] += len(plan.new_m)
    summary.updated["meters"] += len(plan.set_m) - restored
    summary.restored_meters = restored
    summary.unchanged["meters"] += len(meters) - len(plan.new_m) - len(plan.set_m)
    return counts


def _plan_districts(
    plan: _Plan,
    districts: dict[str, dict[str, Any]],
    existing_d: dict[str, District],
    fid_of: dict[int, str],
    counts: Counter[str],
    summary: ImportSummary,
) -> None:
    updated_in_file = 0
    for did, values in districts.items():
        wanted = {k: v for k, v in values.items() if k != "feeder"}
        wanted["meter_count"] = counts[did]
        d = existing_d.get(did)
        if d is None:
            plan.new_d.append((values["feeder"], {"district_id": did, **wanted}))
        elif fid_of[d.feeder_id] != values["feeder"] or any(
            getattr(d, k) != v for k, v in wanted.items()
        ):
            for k, v in wanted.items():
                setattr(d, k, v)
            plan.upd_d.append((d, values["feeder"]))
            updated_in_file += 1
    for did, d in existing_d.items():  # not in the file: kept for history, active meters only
        if did not in districts and d.meter_count != counts[did]:
            d.meter_count = counts[did]
            plan.upd_d.append((d, fid_of[d.feeder_id]))
    summary.created["districts"] += len(plan.new_d)
    summary.updated["districts"] += len(plan.upd_d)
    summary.unchanged["districts"] += len(districts) - len(plan.new_d) - updated_in_file


def _write(plan: _Plan) -> None:
    Feeder.objects.bulk_create(plan.new_f, batch_size=CHUNK)
    Feeder.objects.bulk_update(plan.upd_f, ["name", "region_id", "company_id"], batch_size=CHUNK)
    fkeys = dict(Feeder.objects.values_list("feeder_id", "pk"))
    new_d = [District(feeder_id=fkeys[fid], **values) for fid, values in plan.new_d]
    for d, fid in plan.upd_d:
        d.feeder_id = fkeys[fid]
    District.objects.bulk_create(new_d, batch_size=CHUNK)
    fields = ["name", "feeder_id", "region_id", "company_id", "area", "served_area", "meter_count"]
    District.objects.bulk_update([d for d, _ in plan.upd_d], fields, batch_size=CHUNK)
    dkeys = dict(District.objects.values_list("district_id", "pk"))
    Meter.objects.bulk_create(
        [
            Meter(meter_id=m, district_id=dkeys[d], address=a, customer_number=c)
            for m, d, a, c in plan.new_m
        ],
        batch_size=CHUNK,
    )
    _set_meters([(m, dkeys[d], a, c) for m, d, a, c in plan.set_m])
    today = timezone.localdate()
    for start in range(0, len(plan.retire), CHUNK):
        Meter.objects.filter(meter_id__in=plan.retire[start : start + CHUNK]).update(
            retired_on=today
        )


def _set_meters(rows: list[tuple[str, int, str, str]]) -> None:
    """Set district, address and customer number (and make active) of existing meters: one
    UPDATE ... FROM per chunk of rows. Django's bulk_update builds a CASE with one branch per row
    that the database evaluates for every row: 50,000 changed addresses took over a minute on
    PostgreSQL, with the rows locked (benchmarks/outages/registry_import.py)."""
    if not rows:
        return
    vendor = connection.vendor if connection.vendor in UPDATE_FROM_VENDORS else ""
    if not vendor:
        objs = {m.meter_id: m for m in Meter.objects.filter(meter_id__in=[r[0] for r in rows])}
        for mid, dk, addr, customer in rows:
            m = objs[mid]
            m.district_id, m.address, m.customer_number, m.retired_on = dk, addr, customer, None
        Meter.objects.bulk_update(
            list(objs.values()),
            ["district_id", "address", "customer_number", "retired_on"],
            batch_size=200,
        )
        return
    qn = connection.ops.quote_name
    table = qn(Meter._meta.db_table)
    names = ("meter_id", "district", "address", "customer_number")
    fields = [Meter._meta.get_field(n) for n in names]
    types = [f.db_type(connection) for f in fields]
    m_col, d_col, a_col, c_col = (qn(f.column) for f in fields)
    update = (
        f"UPDATE {table} SET {d_col} = v.d, {a_col} = v.a, {c_col} = v.c, "
        f"{qn('retired_on')} = NULL FROM {{values}} WHERE {table}.{m_col} = v.m"
    )
    chunk = 10000 if vendor == "postgresql" else CHUNK
    with connection.cursor() as cur:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            if vendor == "postgresql":  # one array parameter per column
                arrays = ", ".join(f"%s::{t}[]" for t in types)
                sql = update.format(values=f"unnest({arrays}) AS v (m, d, a, c)")
                cur.execute(sql, [list(col) for col in zip(*part, strict=True)])
            else:  # SQLite (3.33+): a VALUES list, one parameter per column and row
                row_sql = "(" + ", ".join(f"CAST(%s AS {t})" for t in types) + ")"
                values = ", ".join([row_sql] * len(part))
                sql = f"WITH v (m, d, a, c) AS (VALUES {values}) " + update.format(values="v")
                cur.execute(sql, [x for row in part for x in row])


def export_registry(path: Path) -> int:
    """Write the registry's active meters in the engine's meter format (Parquet) for a refresh;
    remote → rural."""
    import pyarrow.parquet as pq

    rows = (
        Meter.objects.filter(retired_on__isnull=True)
        .order_by("meter_id")
        .values_list(
            "meter_id",
            "district__district_id",
            "district__feeder__feeder_id",
            "district__region_id",
            "district__area",
            "district__name",
            "district__feeder__name",
        )
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
