"""Python API: `analyze(...)` returns the tables; `write_outputs` writes them atomically."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from getelec.analytics.engines import DuckDBEngine, Engine, make_engine
from getelec.analytics.inputs import (
    Causes,
    Events,
    InputError,
    Registry,
    empty_causes,
    events_into_duckdb,
    load_causes,
    load_events,
    load_meters,
)
from getelec.analytics.params import OutageParams, params_from_policy
from getelec.analytics.pipeline import (
    CAUSE_NAMES,
    LEVELS,
    ST_CAPPED,
    ST_NEXT_OFF,
    ST_OPEN,
    UNKNOWN_CODE,
    Pipeline,
    Window,
)

OUTPUT_FILES = (
    "meters.parquet",
    "districts.parquet",
    "feeders.parquet",
    "interruptions.parquet",  # a folder: YYYY-MM.parquet per month of interruption start
    "indices.json",
    "quality.json",
    "parameters.json",
)
RULE_CODES = {
    "year_limit": "count_year is above outage_year_max_count (L28: ≤ 5 a year)",
    "window_limit": "max_count_window (the most counted in any window_days consecutive days) is "
    "above outage_window_max_count (L28: ≤ 3 in 60 days)",
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


Progress = Callable[[str], None]

POINT_COLUMNS = (
    "count_year",
    "max_count_window",
    "frequent",
    "rule",
    "warning",
    "momentary_count",
    "excluded_count",
    "major_event_count",
    "merged_count",
)
_POINT_SQL = ", ".join(
    f"r.{c}" if c in ("rule", "warning") else f"CAST(COALESCE(r.{c}, 0) AS BIGINT) AS {c}"
    for c in POINT_COLUMNS
)
# Narrow, integer-keyed result queries (portable SQL, run by the engine); ids, names and
# timestamps are attached in Arrow afterwards, which is cheaper than joining strings in SQL.
RESULT_SQL: dict[str, str] = {
    "meters": f"SELECT r.pkey, {_POINT_SQL} FROM m_rule r ORDER BY r.pkey",
    "districts": f"""SELECT COALESCE(r.pkey, fm.dkey) AS pkey, {_POINT_SQL},
          CAST(COALESCE(fm.n, 0) AS BIGINT) AS frequent_meters
        FROM d_rule r
        FULL OUTER JOIN (SELECT m.dkey, COUNT(*) AS n FROM m_rule p
          JOIN meters m ON m.mkey = p.pkey WHERE p.frequent = 1 GROUP BY m.dkey) fm
          ON fm.dkey = r.pkey
        ORDER BY COALESCE(r.pkey, fm.dkey)""",
    "feeders": """SELECT x.fkey AS pkey, CAST(x.frequent_districts AS BIGINT) AS frequent_districts,
          CAST(COALESCE(r.count_year, 0) AS BIGINT) AS count_year,
          CAST(COALESCE(r.max_count_window, 0) AS BIGINT) AS max_count_window
        FROM (SELECT dd.fkey, SUM(r.frequent) AS frequent_districts FROM d_rule r
          JOIN districts dd ON dd.dkey = r.pkey GROUP BY dd.fkey) x
        LEFT JOIN f_rule r ON r.pkey = x.fkey ORDER BY x.fkey""",
}


# Interruption flags per level, with the position `mo` of the month they start in: the
# interruption output is one Parquet file per month, so that a daily run rewrites only the
# months it changed. `{src}` is the level's flag table, `{where}` narrows to some months.
_FLAGS = ", ".join(
    ["f.pkey", "f.s", "f.ee"]
    + [f"CAST(f.{c} AS TINYINT) AS {c}" for c in ("st", "cause", "cls", "counted", "merged")]
)
FLAG_SQL: dict[str, str] = {
    "meter": f"SELECT {_FLAGS}, 1 AS members, dm.mo FROM {{src}} f "
    "JOIN dmonth dm ON dm.dy = f.sd{where} ORDER BY dm.mo, f.pkey, f.s",
    "district": f"SELECT {_FLAGS}, e.members, dm.mo FROM {{src}} f "
    "JOIN dep e ON e.pkey = f.pkey AND e.s = f.s "
    "JOIN dmonth dm ON dm.dy = f.sd{where} ORDER BY dm.mo, f.pkey, f.s",
    "feeder": f"SELECT {_FLAGS}, e.members, dm.mo FROM {{src}} f "
    "JOIN fep e ON e.pkey = f.pkey AND e.s = f.s "
    "JOIN dmonth dm ON dm.dy = f.sd{where} ORDER BY dm.mo, f.pkey, f.s",
}
INTERRUPTIONS_DIR = "interruptions.parquet"  # a Parquet data set: one file per month
# the meter-level rows the incremental state keeps, per month (see incremental.py)
METER_FLAG_COLUMNS = ("pkey", "dkey", "fkey", "s", "ee", "st", "cause", "cls", "counted", "merged")


def _month_slices(mo: pa.ChunkedArray, months: int) -> list[tuple[int, int]]:
    """(offset, length) of each month in a column sorted by month position."""
    counts = [0] * months
    vc = pc.value_counts(mo)
    for value, count in zip(
        vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True
    ):
        counts[value] = count
    offsets = [0]
    for count in counts:
        offsets.append(offsets[-1] + count)
    return [(offsets[i], counts[i]) for i in range(months)]


def _dict(indices: pa.ChunkedArray | pa.Array, values: pa.Array) -> pa.ChunkedArray:
    """A dictionary column without copying the values (null index → null)."""
    if isinstance(indices, pa.Array):
        indices = pa.chunked_array([indices])
    chunks = [pa.DictionaryArray.from_arrays(c.cast(pa.int32()), values) for c in indices.chunks]
    return pa.chunked_array(chunks, type=pa.dictionary(pa.int32(), values.type))


def _const(value: str, n: int) -> pa.ChunkedArray:
    return _dict(pa.nulls(n, pa.int32()).fill_null(0), pa.array([value]))


def _window_days(window_days: int, n: int) -> pa.Array:
    """The window length behind max_count_window (policy data), on every row beside it."""
    return pa.repeat(pa.scalar(window_days, pa.int32()), n)


def _points(t: pa.Table, window_days: int) -> dict[str, pa.ChunkedArray | pa.Array]:
    cols: dict[str, pa.ChunkedArray | pa.Array] = {}
    for name in POINT_COLUMNS:
        col = t.column(name)
        if name == "max_count_window":
            cols[name] = col.cast(pa.int64())
            cols["window_days"] = _window_days(window_days, t.num_rows)
        elif name == "frequent":
            cols[name] = pc.equal(col, 1)
        elif name in ("rule", "warning"):
            cols[name] = col.cast(pa.string())
        else:
            cols[name] = col.cast(pa.int64())
    return cols


class Outcome:
    """A finished run: the engine still holds the result tables.

    `rebuild` (month positions) narrows the interruption months built from the engine; the
    others are linked from `reuse` (the previous output folder) when the files are written."""

    def __init__(
        self,
        engine: Engine,
        registry: Registry,
        params: OutageParams,
        indices: dict[str, Any],
        quality: dict[str, Any],
        parameters: dict[str, Any],
        months: list[str],
    ):
        self.engine, self.registry, self.params = engine, registry, params
        self.indices, self.quality, self.parameters = indices, quality, parameters
        self.months = months
        self.rebuild: list[int] | None = None
        self.reuse: Path | None = None
        # flag table per level (the incremental run offers one holding only rebuilt months)
        self.flag_sources = {"meter": "m_f", "district": "d_f", "feeder": "f_f"}
        self.unknown_ids: list[str] = []
        self.point_cache: dict[str, pa.Table] = {}
        self.meter_rows: pa.Table | None = None
        self.meter_flags: dict[int, pa.Table] = {}  # per built month, for the state

    def point_rows(self) -> pa.Table:
        """The meter rows by key (RESULT_SQL["meters"]); the incremental run sets them."""
        if self.meter_rows is None:
            self.meter_rows = self.engine.arrow(RESULT_SQL["meters"])
        return self.meter_rows

    def point_tables(self) -> dict[str, pa.Table]:
        """meters, districts and feeders, sorted by id. Id columns are dictionary-encoded
        views over the registry's id lists."""
        if self.point_cache:
            return self.point_cache
        reg, eng = self.registry, self.engine
        mdk = reg.table["dkey"].combine_chunks()
        mfk = reg.table["fkey"].combine_chunks()
        m = self.point_rows()
        keys = m["pkey"]
        meters = pa.table(
            {
                "meter_id": reg.meter_ids.take(keys),
                "district_id": _dict(mdk.take(keys), reg.district_ids),
                "feeder_id": _dict(mfk.take(keys), reg.feeder_ids),
                **_points(m, self.params.outage_window_days),
            }
        )
        d = eng.arrow(RESULT_SQL["districts"])
        keys = d["pkey"]
        districts = pa.table(
            {
                "district_id": reg.district_ids.take(keys),
                "feeder_id": _dict(reg.district_feeder.take(keys), reg.feeder_ids),
                **_points(d, self.params.outage_window_days),
                "frequent_meters": d["frequent_meters"].cast(pa.int64()),
            }
        )
        f = eng.arrow(RESULT_SQL["feeders"])
        feeders = pa.table(
            {
                "feeder_id": reg.feeder_ids.take(f["pkey"]),
                "frequent_districts": f["frequent_districts"],
                "problem_line": pc.greater_equal(
                    f["frequent_districts"], self.params.outage_problem_line_min_districts
                ),
                "count_year": f["count_year"],
                "max_count_window": f["max_count_window"],
                "window_days": _window_days(self.params.outage_window_days, f.num_rows),
            }
        )
        self.point_cache = {"meters": meters, "districts": districts, "feeders": feeders}
        return self.point_cache

    def _fetch_flags(self) -> tuple[list[int], list[tuple[str, pa.Table, list[tuple[int, int]]]]]:
        """The built months, and per level the flag rows of those months (sorted by month, id,
        start) with each month's (offset, length). Fills `meter_flags` for the state."""
        if self.rebuild is None:
            months, where = list(range(len(self.months))), ""
        elif not self.rebuild:
            return [], []
        else:
            months = sorted(self.rebuild)
            where = f" WHERE dm.mo IN ({', '.join(map(str, months))})"
        reg = self.registry
        fetched = []
        for level in LEVELS:
            sql = FLAG_SQL[level].format(src=self.flag_sources[level], where=where)
            t = self.engine.arrow(sql)
            slices = _month_slices(t["mo"], len(self.months))
            if level == "meter":  # their district and feeder: for the state and the output
                t = t.append_column("dkey", reg.table["dkey"].take(t["pkey"]))
                t = t.append_column("fkey", reg.table["fkey"].take(t["pkey"]))
                state = t.select(list(METER_FLAG_COLUMNS))
                self.meter_flags = {mo: state.slice(*slices[mo]) for mo in months}
            fetched.append((level, t, slices))
        return months, fetched

    def _part(
        self, fetched: list[tuple[str, pa.Table, list[tuple[int, int]]]], mo: int
    ) -> pa.Table:
        """One month of the interruption output: meters, districts, then feeders. Pure Arrow
        (no engine), so months are built on worker threads."""
        return pa.concat_tables(
            [
                _interruption_rows(self.registry, level, t.slice(*slices[mo]))
                for level, t, slices in fetched
            ],
            promote_options="permissive",
        )

    def interruption_parts(self) -> dict[int, pa.Table]:
        """The interruption rows of each built month (position → table)."""
        months, fetched = self._fetch_flags()
        return {mo: self._part(fetched, mo) for mo in months}

    def tables(self) -> dict[str, pa.Table]:
        """The four output tables; interruptions in month order (then level, id, start)."""
        parts = self.interruption_parts()
        return {
            **self.point_tables(),
            "interruptions": pa.concat_tables(
                [parts[mo] for mo in sorted(parts)], promote_options="permissive"
            ),
        }

    def result(self) -> AnalysisResult:
        """Plain (non-dictionary) columns, for callers that compare or convert tables."""
        tables = {name: _decode(t) for name, t in self.tables().items()}
        return AnalysisResult(
            **tables, indices=self.indices, quality=self.quality, parameters=self.parameters
        )

    def write_files(self, folder: Path, extra: Callable[[Path], None] | None = None) -> None:
        """Interruption months are built and written by two threads while this one builds the
        point tables and runs `extra` (the incremental state): the engine is only used from
        here. Months not rebuilt are hard links to the files of `reuse`."""
        months, fetched = self._fetch_flags()
        folder_i = folder / INTERRUPTIONS_DIR
        folder_i.mkdir()
        for mo, label in enumerate(self.months):
            if mo not in months:
                if self.reuse is None:
                    raise RuntimeError(f"month {label} was neither built nor reused")
                name = f"{label}.parquet"
                link_or_copy(self.reuse / INTERRUPTIONS_DIR / name, folder_i / name)

        def write_month(mo: int) -> None:
            write_parquet(self._part(fetched, mo), folder_i / f"{self.months[mo]}.parquet")

        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [pool.submit(write_month, mo) for mo in months]
            points = self.point_tables()
            jobs += [
                pool.submit(write_parquet, table, folder / f"{name}.parquet")
                for name, table in points.items()
            ]
            if extra:
                extra(folder)
            for job in jobs:
                job.result()
        _write_json(folder / "indices.json", self.indices)
        _write_json(folder / "quality.json", self.quality)
        _write_json(folder / "parameters.json", self.parameters)


CAUSE_VALUES = pa.array(CAUSE_NAMES)
EXCLUDED_REASONS = pa.array(["cause", "major_event_day"])


def _interruption_rows(reg: Registry, level: str, t: pa.Table) -> pa.Table:
    """Output rows of one level from fetched flag rows (FLAG_SQL; meters with dkey, fkey)."""
    keys, n = t["pkey"], t.num_rows
    if level == "meter":
        ids = reg.meter_ids.take(keys)
        dk, fk = t["dkey"], t["fkey"]
    elif level == "district":
        ids = reg.district_ids.take(keys)
        dk = keys
        fk = reg.district_feeder.take(keys)
    else:
        ids = reg.feeder_ids.take(keys)
        dk = pa.nulls(n, pa.int32())
        fk = keys
    open_ = pc.equal(t["st"], ST_OPEN)
    end = pc.if_else(open_, pa.scalar(None, pa.int64()), t["ee"])
    cls = t["cls"]
    excluded = pc.greater_equal(cls, 2)
    return pa.table(
        {
            "level": _const(level, n),
            "id": ids.cast(pa.string()),
            "district_id": _dict(dk, reg.district_ids),
            "feeder_id": _dict(fk, reg.feeder_ids),
            "start": t["s"].cast(pa.timestamp("s")),
            "end": end.cast(pa.timestamp("s")),
            "minutes": pc.divide(pc.subtract(end, t["s"]).cast(pa.float64()), 60.0),
            "cause": _dict(t["cause"], CAUSE_VALUES),
            "members": t["members"].cast(pa.int64()),
            "counted": pc.equal(t["counted"], 1),
            "momentary": pc.equal(cls, 1),
            "merged": pc.equal(t["merged"], 1),
            "excluded": excluded,
            "excluded_reason": _dict(
                pc.if_else(
                    excluded, pc.subtract(cls.cast(pa.int32()), 2), pa.scalar(None, pa.int32())
                ),
                EXCLUDED_REASONS,
            ),
            "unrestored": pc.is_in(
                t["st"], value_set=pa.array([ST_NEXT_OFF, ST_CAPPED], t["st"].type)
            ),
            "open": open_,
        }
    )


def _decode(table: pa.Table) -> pa.Table:
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        cols[name] = col
    return pa.table(cols)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Plain string types for readers (store_schema=False); Parquet still dictionary-encodes."""
    ids = {"id", "meter_id"}  # unique-ish: plain encoding is cheaper than a huge dictionary
    pq.write_table(
        table,
        str(path),
        filesystem=pafs.LocalFileSystem(),
        compression="snappy",
        use_dictionary=[c for c in table.column_names if c not in ids],
        # min/max only where readers filter (the first, sorted id column; start)
        write_statistics=[c for c in (table.column_names[0], "start") if c in table.column_names],
        store_schema=False,
    )


def run(
    meters: str | Path,
    events: str | Path,
    causes: str | Path | None,
    *,
    year: int,
    as_of: dt.date,
    params: OutageParams | None,
    engine: Engine,
    region: str | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Read and check the inputs, then run every stage on `engine`."""
    if as_of.year != year:
        raise InputError("--as-of", None, None, f"{as_of} is not in {year}")
    params = params or params_from_policy(as_of, region)
    progress = progress or (lambda _step: None)
    progress("reading")
    registry = load_meters(meters)
    ev = (
        events_into_duckdb(engine.con, events, registry)
        if isinstance(engine, DuckDBEngine)
        else None
    )
    if ev is None:
        ev = load_events(events, registry)
        engine.load("ev_in", ev.table)
        ev.table = ev.table.schema.empty_table()  # the engine has its copy: free the memory
    if ev.rows == 0:  # a whole period without one event is a broken export, not a clean grid
        raise InputError(
            events, None, None, "no data rows (a period without one event is a broken export)"
        )
    cz = load_causes(causes, registry) if causes else empty_causes()
    window = Window(year, as_of, params)
    engine.load("meters", registry.table)
    engine.load("causes", cz.table)
    pipe = Pipeline(engine, window, progress, meters=registry.size)
    pipe.districts()
    pipe.load_months()
    pipe.meter_interruptions()
    event_quality = pipe.event_quality()
    engine.drop("ev_in")  # tables are dropped as soon as they are dead: a lower peak
    pipe.assign_causes()
    pipe.keep_for_state()
    pipe.district_and_feeder_episodes()
    med = pipe.major_event_days()
    engine.drop("mi", "mint")
    pipe.counting(drop_mic=True)
    return finish(pipe, registry, ev, cz, event_quality, med)


def finish(
    pipe: Pipeline,
    registry: Registry,
    ev: Events,
    cz: Causes,
    event_quality: dict[str, int],
    med: dict[str, Any],
    sums_ready: bool = False,
    by_level: dict[str, dict[str, int]] | None = None,
) -> Outcome:
    """Indices, quality and parameters once the engine holds the result tables (and the
    index sums `iagg`, when `sums_ready`; the quality counts per level, when given)."""
    engine, window, params = pipe.e, pipe.w, pipe.p
    idx = pipe.indices(sums_ready)
    quality = collect_quality(engine, registry, ev, cz, event_quality, by_level)
    med_days = []
    if med.get("enabled"):
        med_days = [
            (dt.date(1970, 1, 1) + dt.timedelta(days=d)).isoformat()
            for d in engine.arrow("SELECT dy FROM med ORDER BY dy").column(0).to_pylist()
        ]
    indices = format_indices(idx, window, med, med_days)
    parameters = {
        "year": window.year,
        "as_of": window.as_of.isoformat(),
        "values": params.values(),
        "citations": list(params.citations),
        "rule_codes": RULE_CODES,
        "warning_codes": WARNING_CODES,
    }
    pipe.progress("writing")
    outcome = Outcome(engine, registry, params, indices, quality, parameters, pipe.month_labels)
    outcome.unknown_ids = ev.unknown_ids
    return outcome


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
    """Run the whole analysis and return the tables (Arrow) and reports (dicts).

    `params` defaults to the policy values in force on `as_of` (getelec/policy/outages.yaml).
    Raises InputError (file, row, column) on bad input."""
    eng = make_engine(engine) if isinstance(engine, str) else engine
    try:
        outcome = run(
            meters,
            events,
            causes,
            year=year,
            as_of=as_of,
            params=params,
            engine=eng,
            region=region,
            progress=progress,
        )
        return outcome.result()
    finally:
        if isinstance(engine, str):
            eng.close()


LEVEL_COUNTS = ("interruptions", "unrestored", "open", "momentary", "unknown_cause")


def level_counts(eng: Engine, sources: tuple[str, str, str]) -> dict[str, dict[str, int]]:
    """quality.json's counts per level over flag tables (meter, district, feeder)."""
    parts = " UNION ALL ".join(
        f"""SELECT '{level}' AS level, COUNT(*) AS n,
          SUM(CASE WHEN st IN ({ST_NEXT_OFF}, {ST_CAPPED}) THEN 1 ELSE 0 END) AS unrestored,
          SUM(CASE WHEN st = {ST_OPEN} THEN 1 ELSE 0 END) AS open_,
          SUM(CASE WHEN cls = 1 THEN 1 ELSE 0 END) AS momentary,
          SUM(CASE WHEN cause = {UNKNOWN_CODE} THEN 1 ELSE 0 END) AS unknown_cause
        FROM {source}"""
        for source, level in zip(sources, LEVELS, strict=True)
    )
    return {
        r["level"]: {
            "interruptions": int(r["n"]),
            "unrestored": int(r["unrestored"] or 0),
            "open": int(r["open_"] or 0),
            "momentary": int(r["momentary"] or 0),
            "unknown_cause": int(r["unknown_cause"] or 0),
        }
        for r in eng.arrow(parts).to_pylist()
    }


def collect_quality(
    eng: Engine,
    reg: Registry,
    ev: Events,
    cz: Causes,
    event_quality: dict[str, int],
    by_level: dict[str, dict[str, int]] | None = None,
) -> dict[str, Any]:
    if by_level is None:
        by_level = level_counts(eng, ("m_f", "d_f", "f_f"))
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
        "unrestored": by_level["meter"]["unrestored"],
        "interruptions": by_level,
    }


def _num(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), 6)


def index_block(r: dict[str, Any]) -> dict[str, Any]:
    """The reliability indices of one group from its integer sums: the only place the index
    formulas live (docs/outages.md "Indices").

    `r` holds `users` (N: registered meters for LV, districts for MV) and `hours` (the period's
    hours) and the sums of `Pipeline.measures`: `n1`/`nc`/`d1` sustained interruptions, closed
    ones and their seconds; `n2`/`d2`, `n3`/`d3` the same without the RS-2, RS-3 causes; `nm`
    momentary ones; `n_nomed`/`nc_nomed`/`d_nomed` outside major event days."""
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
            "by_region_month": {},
        }
    for r in idx.to_pylist():
        block = index_block(r)
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
        elif grp == "region_month":
            target["by_region_month"].setdefault(r["region"], {})[r["sm"]] = block
        elif grp == "month":
            target["by_month"][r["sm"]] = block
        else:
            raise ValueError(f"unknown index grouping {grp!r}")
    return out


def indices_by_region_month(indices: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """The indices by region and month of each level, from the engine's indices
    (`AnalysisResult.indices`, indices.json): ``{"lv": {region: {"YYYY-MM": block}}, "mv": …}``.
    What the supply-quality desk charts (getelec.outages.dashboard)."""
    return {level: indices[level]["by_region_month"] for level in ("lv", "mv")}


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link (no bytes copied; files are never changed in place), or a copy where the
    file system has no hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def remove_leftovers(out: Path) -> list[Path]:
    """Remove the temporary and replaced folders that an interrupted run left beside `out`
    (`.OUT.tmp-PID-*`, `.OUT.old-PID`), except those of a process that is still running."""
    removed = []
    for kind in ("tmp", "old"):
        for path in out.parent.glob(f".{out.name}.{kind}-*"):
            pid_text = path.name[len(f".{out.name}.{kind}-") :].split("-", 1)[0]
            if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def write_outputs(
    outcome: Outcome, out: str | Path, extra: Callable[[Path], None] | None = None
) -> Path:
    """Write every output into a fresh temporary folder beside `out`, then swap it in:
    `out` either keeps its previous content or gets the complete new one."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    try:
        outcome.write_files(tmp, extra)
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
