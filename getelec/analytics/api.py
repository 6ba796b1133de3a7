"""Python API: `analyze(...)` returns the tables; `write_outputs` writes them atomically."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from getelec.analytics.engines import Engine, make_engine
from getelec.analytics.inputs import (
    Causes,
    Events,
    InputError,
    Registry,
    empty_causes,
    load_causes,
    load_events,
    load_meters,
)
from getelec.analytics.params import OutageParams, params_from_policy
from getelec.analytics.pipeline import LEVELS, Pipeline, Window

OUTPUT_FILES = (
    "meters.parquet",
    "districts.parquet",
    "feeders.parquet",
    "interruptions.parquet",
    "indices.json",
    "quality.json",
    "parameters.json",
)
RULE_CODES = {
    "year_limit": "count_year is above outage_year_max_count (L28: ≤ 5 a year)",
    "window_limit": "max_count_60 is above outage_window_max_count (L28: ≤ 3 in 60 days)",
}
WARNING_CODES = {
    "warn_year": "count_year between outage_warning_year_min_count and outage_year_max_count",
    "warn_long": "exactly outage_warning_long_count in the outage_warning_long_days to the as-of",
    "warn_short": "exactly outage_warning_short_count in the outage_warning_short_days to as-of",
}


@dataclass
class AnalysisResult:
    meters: pa.Table
    districts: pa.Table
    feeders: pa.Table
    interruptions: pa.Table
    indices: dict[str, Any]
    quality: dict[str, Any]
    parameters: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


Progress = Callable[[str], None]


def analyze(
    meters: str | Path,
    events: str | Path,
    causes: str | Path | None = None,
    *,
    year: int,
    as_of: dt.date,
    params: OutageParams | None = None,
    engine: str | Engine = "duckdb",
    region: str | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Run the whole analysis. `params` defaults to the policy values in force on `as_of`.

    Raises InputError (file, row, column) on bad input."""
    if as_of.year != year:
        raise InputError("--as-of", None, None, f"{as_of} is not in {year}")
    params = params or params_from_policy(as_of, region)
    progress = progress or (lambda _step: None)
    progress("reading")
    registry = load_meters(meters)
    ev = load_events(events, registry)
    cz = load_causes(causes, registry) if causes else empty_causes()
    eng = make_engine(engine) if isinstance(engine, str) else engine
    try:
        return run_pipeline(eng, registry, ev, cz, year, as_of, params, progress)
    finally:
        if isinstance(engine, str):
            eng.close()


def run_pipeline(
    eng: Engine,
    registry: Registry,
    ev: Events,
    cz: Causes,
    year: int,
    as_of: dt.date,
    params: OutageParams,
    progress: Progress,
) -> AnalysisResult:
    window = Window(year, as_of, params)
    eng.load("meters", registry.table)
    eng.load("ev_in", ev.table)
    eng.load("causes", cz.table)
    pipe = Pipeline(eng, window, progress)
    pipe.districts()
    pipe.load_months()
    pipe.meter_interruptions()
    event_quality = pipe.event_quality()
    pipe.assign_causes()
    pipe.district_and_feeder_episodes()
    med = pipe.major_event_days()
    pipe.classify()
    pipe.merge()
    pipe.point_stats()
    idx = pipe.indices()
    progress("writing")
    tables = collect_tables(eng, registry, params)
    quality = collect_quality(eng, registry, ev, cz, event_quality)
    med_days = []
    if med.get("enabled"):
        med_days = [
            (dt.date(1970, 1, 1) + dt.timedelta(days=d)).isoformat()
            for d in eng.arrow("SELECT dy FROM med ORDER BY dy").column(0).to_pylist()
        ]
    indices = format_indices(idx, window, med, med_days)
    parameters = {
        "year": year,
        "as_of": as_of.isoformat(),
        "engine": eng.name,
        "values": params.values(),
        "citations": list(params.citations),
        "rule_codes": RULE_CODES,
        "warning_codes": WARNING_CODES,
    }
    return AnalysisResult(**tables, indices=indices, quality=quality, parameters=parameters)


def _ids(ids: pa.Array, keys: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pc.take(ids, keys)


def _bool(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.equal(col, 1)


def _ts(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return col.cast(pa.timestamp("s"))


POINT_COLUMNS = (
    "count_year, max_count_60, frequent, rule, warning, momentary_count, excluded_count, "
    "major_event_count, merged_count"
)


def _points(table: pa.Table, first: dict[str, pa.Array]) -> pa.Table:
    cols: dict[str, pa.Array | pa.ChunkedArray] = dict(first)
    for name in POINT_COLUMNS.split(", "):
        col = table.column(name)
        if name == "frequent":
            cols[name] = _bool(col)
        elif name in ("rule", "warning"):
            cols[name] = col.cast(pa.string())
        else:
            cols[name] = col.cast(pa.int64())
    return pa.table(cols)


def collect_tables(eng: Engine, reg: Registry, params: OutageParams) -> dict[str, pa.Table]:
    m = eng.arrow(
        f"""SELECT r.pkey AS mkey, m.dkey, m.fkey, {POINT_COLUMNS} FROM prule r
        JOIN meters m ON m.mkey = r.pkey WHERE r.lv = 0 ORDER BY r.pkey"""
    )
    meters = _points(
        m,
        {
            "meter_id": _ids(reg.meter_ids, m["mkey"]),
            "district_id": _ids(reg.district_ids, m["dkey"]),
            "feeder_id": _ids(reg.feeder_ids, m["fkey"]),
        },
    )
    d = eng.arrow(
        f"""SELECT dd.dkey, dd.fkey, {
            ", ".join(
                f"COALESCE(r.{c}, 0) AS {c}" if c not in ("rule", "warning") else f"r.{c}"
                for c in POINT_COLUMNS.split(", ")
            )
        }, COALESCE(fm.n, 0) AS frequent_meters
        FROM (SELECT * FROM prule WHERE lv = 1) r
        FULL OUTER JOIN (SELECT m.dkey, SUM(p.frequent) AS n FROM prule p
          JOIN meters m ON m.mkey = p.pkey WHERE p.lv = 0 GROUP BY m.dkey
          HAVING SUM(p.frequent) > 0) fm ON fm.dkey = r.pkey
        JOIN districts dd ON dd.dkey = COALESCE(r.pkey, fm.dkey)
        ORDER BY dd.dkey"""
    )
    districts = _points(
        d,
        {
            "district_id": _ids(reg.district_ids, d["dkey"]),
            "feeder_id": _ids(reg.feeder_ids, d["fkey"]),
        },
    ).append_column("frequent_meters", d["frequent_meters"].cast(pa.int64()))
    eng.run(
        "fd",
        """SELECT dd.fkey, SUM(r.frequent) AS frequent_districts FROM prule r
        JOIN districts dd ON dd.dkey = r.pkey WHERE r.lv = 1 GROUP BY dd.fkey""",
    )
    f = eng.arrow(
        """SELECT fd.fkey, fd.frequent_districts, COALESCE(r.count_year, 0) AS count_year,
          COALESCE(r.max_count_60, 0) AS max_count_60 FROM fd
        LEFT JOIN prule r ON r.lv = 2 AND r.pkey = fd.fkey ORDER BY fd.fkey"""
    )
    minimum = params.problem_line_min_districts
    feeders = pa.table(
        {
            "feeder_id": _ids(reg.feeder_ids, f["fkey"]),
            "frequent_districts": f["frequent_districts"].cast(pa.int64()),
            "problem_line": pc.greater_equal(f["frequent_districts"], minimum),
            "count_year": f["count_year"].cast(pa.int64()),
            "max_count_60": f["max_count_60"].cast(pa.int64()),
        }
    )
    parts = []
    for lv, level in enumerate(LEVELS):
        key_ids = (reg.meter_ids, reg.district_ids, reg.feeder_ids)[lv]
        context = {
            0: "m.dkey AS dkey, m.fkey AS fkey FROM flags f JOIN meters m ON m.mkey = f.pkey",
            1: "f.pkey AS dkey, dd.fkey AS fkey FROM flags f JOIN districts dd ON dd.dkey = f.pkey",
            2: "CAST(NULL AS BIGINT) AS dkey, f.pkey AS fkey FROM flags f",
        }[lv]
        t = eng.arrow(
            f"""SELECT f.pkey, f.s, f.e, f.cause, f.members, f.counted, f.momentary, f.merged,
              f.excluded_reason, f.unrestored, f.is_open, {context}
            WHERE f.lv = {lv} ORDER BY f.pkey, f.s"""
        )
        n = t.num_rows
        dkey, fkey = t["dkey"], t["fkey"]
        parts.append(
            pa.table(
                {
                    "level": pa.nulls(n, pa.string()).fill_null(level),
                    "id": _ids(key_ids, t["pkey"]),
                    "district_id": _ids(reg.district_ids, dkey),
                    "feeder_id": _ids(reg.feeder_ids, fkey),
                    "start": _ts(t["s"]),
                    "end": _ts(t["e"]),
                    "minutes": pc.divide(pc.subtract(t["e"], t["s"]).cast(pa.float64()), 60.0),
                    "cause": t["cause"].cast(pa.string()),
                    "members": t["members"].cast(pa.int64()),
                    "counted": _bool(t["counted"]),
                    "momentary": _bool(t["momentary"]),
                    "merged": _bool(t["merged"]),
                    "excluded": pc.is_valid(t["excluded_reason"]),
                    "excluded_reason": t["excluded_reason"].cast(pa.string()),
                    "unrestored": _bool(t["unrestored"]),
                    "open": _bool(t["is_open"]),
                }
            )
        )
    interruptions = pa.concat_tables(parts)
    return {
        "meters": meters,
        "districts": districts,
        "feeders": feeders,
        "interruptions": interruptions,
    }


def collect_quality(
    eng: Engine, reg: Registry, ev: Events, cz: Causes, event_quality: dict[str, int]
) -> dict[str, Any]:
    t = eng.arrow(
        """SELECT lv, COUNT(*) AS n, SUM(unrestored) AS unrestored, SUM(is_open) AS open_,
          SUM(momentary) AS momentary, SUM(CASE WHEN cause = 'unknown' THEN 1 ELSE 0 END)
          AS unknown_cause FROM flags GROUP BY lv ORDER BY lv"""
    ).to_pylist()
    by_level = {
        LEVELS[r["lv"]]: {
            "interruptions": int(r["n"]),
            "unrestored": int(r["unrestored"]),
            "open": int(r["open_"]),
            "momentary": int(r["momentary"]),
            "unknown_cause": int(r["unknown_cause"]),
        }
        for r in t
    }
    zero = {"interruptions": 0, "unrestored": 0, "open": 0, "momentary": 0, "unknown_cause": 0}
    return {
        "rows_read": {"meters": reg.table.num_rows, "events": ev.rows, "causes": cz.rows},
        "events": {
            "duplicates": event_quality["duplicates"],
            "orphans": event_quality["orphans"],
            "unknown_meter_rows": ev.unknown_meter_rows,
            "unknown_meters": ev.unknown_meters,
            "after_as_of": event_quality["after_as_of"],
        },
        "causes": {"unknown_scope_rows": cz.unknown_scope_rows},
        "unrestored": by_level.get("meter", zero)["unrestored"],
        "interruptions": {level: by_level.get(level, zero) for level in LEVELS},
    }


def _num(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), 6)


def _index_block(r: dict[str, Any]) -> dict[str, Any]:
    users, hours = r["users"], r["hours"]
    if not users:
        return {"users": 0}
    aihc = [r[d] / 3600 / users for d in ("d1", "d2", "d3")]
    return {
        "users": users,
        "interruptions": r["n1"],
        "customer_hours": _num(r["d1"] / 3600),
        "RS-1": _num((1 - aihc[0] / hours) * 100),
        "RS-2": _num((1 - aihc[1] / hours) * 100),
        "RS-3": _num((1 - aihc[2] / hours) * 100),
        "AIHC-1": _num(aihc[0]),
        "AIHC-2": _num(aihc[1]),
        "AIHC-3": _num(aihc[2]),
        "AITC-1": _num(r["n1"] / users),
        "AITC-2": _num(r["n2"] / users),
        "AITC-3": _num(r["n3"] / users),
        "SAIFI": _num(r["n1"] / users),
        "SAIDI": _num(r["d1"] / 60 / users),
        "CAIDI": _num(r["d1"] / 60 / r["nc"]) if r["nc"] else None,
        "MAIFI": _num(r["nm"] / users),
        "SAIFI_excluding_major_event_days": _num(r["n_nomed"] / users),
        "SAIDI_excluding_major_event_days": _num(r["d_nomed"] / 60 / users),
        "CAIDI_excluding_major_event_days": (
            _num(r["d_nomed"] / 60 / r["nc_nomed"]) if r["nc_nomed"] else None
        ),
        "period_hours": _num(hours),
    }


def format_indices(
    idx: pa.Table, window: Window, med: dict[str, Any], med_days: list[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "period": {
            "start": dt.date(window.year, 1, 1).isoformat(),
            "as_of": window.as_of.isoformat(),
            "hours": _num(window.period_hours()),
        },
        "units": {
            "AIHC": "hours per user",
            "SAIDI": "minutes per user",
            "CAIDI": "minutes per interruption (closed ones)",
            "RS": "percent",
            "AITC/SAIFI/MAIFI": "interruptions per user",
        },
        "major_event_days": {
            **{k: _num(v) if isinstance(v, float) else v for k, v in med.items()},
            "days": med_days,
        },
    }
    for name in ("lv", "mv"):
        out[name] = {
            "overall": {},
            "by_region": {},
            "by_area": {},
            "by_region_area": {},
            "by_month": {},
        }
    for r in idx.to_pylist():
        block = _index_block(r)
        target = out["lv" if r["lv"] == 0 else "mv"]
        grp = r["grp"]
        if grp == "overall":
            target["overall"] = block
        elif grp == "region":
            target["by_region"][r["region"]] = block
        elif grp == "area":
            target["by_area"][r["area"]] = block
        elif grp == "region_area":
            target["by_region_area"].setdefault(r["region"], {})[r["area"]] = block
        else:
            target["by_month"][r["sm"]] = block
    return out


def _write_json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(
        table, str(path), filesystem=pafs.LocalFileSystem(), compression="zstd", compression_level=1
    )


def write_outputs(
    result: AnalysisResult, out: str | Path, extra: Callable[[Path], None] | None = None
) -> Path:
    """Write every output into a fresh temporary folder beside `out`, then swap it in."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        write_parquet(result.meters, tmp / "meters.parquet")
        write_parquet(result.districts, tmp / "districts.parquet")
        write_parquet(result.feeders, tmp / "feeders.parquet")
        write_parquet(result.interruptions, tmp / "interruptions.parquet")
        _write_json(tmp / "indices.json", result.indices)
        _write_json(tmp / "quality.json", result.quality)
        _write_json(tmp / "parameters.json", result.parameters)
        if extra:
            extra(tmp)
        os.chmod(tmp, 0o755)
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
