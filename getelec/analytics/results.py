"""The result of a run: `Outcome` (the engine still holds the result tables) builds the
output tables in Arrow — meters, districts, feeders and the interruption rows per month."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from getelec.analytics.engines import Engine
from getelec.analytics.inputs import Registry
from getelec.analytics.outputs import link_or_copy, write_json, write_parquet
from getelec.analytics.params import OutageParams
from getelec.analytics.pipeline import CAUSE_NAMES, LEVELS, ST_CAPPED, ST_NEXT_OFF, ST_OPEN


@dataclass
class AnalysisResult:
    meters: pa.Table
    districts: pa.Table
    feeders: pa.Table
    interruptions: pa.Table
    indices: dict[str, Any]
    quality: dict[str, Any]
    parameters: dict[str, Any]


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
        write_json(folder / "indices.json", self.indices)
        write_json(folder / "quality.json", self.quality)
        write_json(folder / "parameters.json", self.parameters)


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
