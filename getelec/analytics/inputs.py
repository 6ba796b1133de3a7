"""Read and check the three inputs (CSV or Parquet) with Arrow, and normalise them for the engine.

Checks are vectorised Arrow compute calls; on the first problem an `InputError` names the file,
the row (1-based data row; for CSV also the line, the header being line 1) and the column.
The engine gets integer keys only: meters are numbered in `meter_id` order, districts and
feeders in id order, so sorting by key is sorting by id. Times become whole seconds of naive
local time (Asia/Shanghai wall clock, as the metering system reports it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from getelec.analytics.params import CAUSES

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

TS_FORMAT = "%Y-%m-%d %H:%M:%S"
LOCAL_TZ = "Asia/Shanghai"
KINDS = ("off", "on")  # code 0 = off, 1 = on: at equal times an off sorts first
SCOPES = ("meter", "district", "feeder")  # scope rank 1, 2, 3: the narrowest wins
AREAS = ("urban", "rural")

METER_COLUMNS = ("meter_id", "district_id", "feeder_id", "region", "area")
EVENT_COLUMNS = ("meter_id", "ts", "kind")
CAUSE_COLUMNS = ("scope", "scope_id", "start", "end", "cause")
# few distinct values: read as dictionaries, looked up once per value
CODED_COLUMNS = ("kind", "area", "scope", "cause", "region", "district_id", "feeder_id")


class InputError(ValueError):
    """Bad input; the message names file, row and column."""

    def __init__(self, file: str | Path, row: int | None, column: str | None, message: str):
        self.file, self.row, self.column = str(file), row, column
        where = [str(file)]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass
class Source:
    path: Path
    table: pa.Table
    is_csv: bool

    def row_label(self, index: int) -> int:
        """1-based data row number of a 0-based index."""
        return index + 1

    def fail(self, index: int | None, column: str | None, message: str) -> InputError:
        if index is None:
            return InputError(self.path, None, column, message)
        if self.is_csv:
            message = f"{message} (line {index + 2})"
        return InputError(self.path, self.row_label(index), column, message)


def read_table(path: str | Path, columns: Sequence[str], optional: Sequence[str] = ()) -> Source:
    """Read CSV (all text) or Parquet by extension; check the required columns exist."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(path, None, None, "file not found")
    try:
        if suffix == ".csv":
            with open(path, encoding="utf-8-sig") as fh:
                header = fh.readline().rstrip("\r\n").split(",")
            header = [h.strip().strip('"') for h in header]
            wanted = [c for c in (*columns, *optional) if c in header]
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(use_threads=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in header},
                    include_columns=wanted,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            is_csv = True
            missing_header = [c for c in columns if c not in header]
        elif suffix in (".parquet", ".pq"):
            names = pq.read_schema(path, filesystem=pafs.LocalFileSystem()).names
            wanted = [c for c in (*columns, *optional) if c in names]
            table = pq.read_table(
                str(path.resolve()),
                columns=wanted,
                filesystem=pafs.LocalFileSystem(),
                read_dictionary=[c for c in CODED_COLUMNS if c in wanted],
            )
            is_csv = False
            missing_header = [c for c in columns if c not in names]
        else:
            raise InputError(path, None, None, "unsupported file type (expected .csv or .parquet)")
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, OSError) as exc:
        raise InputError(path, None, None, f"cannot read: {exc}") from None
    source = Source(path, table, is_csv)
    if missing_header:
        raise InputError(path, 1 if is_csv else None, missing_header[0], "missing column")
    return source


def _first_true(mask: pa.ChunkedArray | pa.Array) -> int | None:
    """Index of the first true (null counts as true) value, or None."""
    mask = pc.fill_null(mask, True)
    if not pc.any(mask).as_py():
        return None
    return int(pc.index(mask, True).as_py())


def _text(
    source: Source, column: str, empty_check: bool = True, keep_dictionary: bool = False
) -> pa.ChunkedArray:
    """A column as non-empty text (ids may be stored as integers in Parquet). With
    `keep_dictionary`, a dictionary column stays one (checked through its dictionaries)."""
    col = source.table.column(column)
    if pa.types.is_dictionary(col.type):
        if keep_dictionary and pa.types.is_string(col.type.value_type):
            if col.null_count:
                raise source.fail(_first_true(pc.is_null(col)), column, "missing value")
            if empty_check and any(
                pc.any(pc.equal(pc.utf8_length(c.dictionary), 0)).as_py() for c in col.chunks
            ):
                bad = _first_true(pc.equal(pc.utf8_length(col.cast(pa.string())), 0))
                if bad is not None:
                    raise source.fail(bad, column, "missing value")
            return col
        col = col.cast(col.type.value_type)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        if pa.types.is_integer(col.type):
            col = col.cast(pa.string())
        else:
            raise source.fail(None, column, f"expected text, got {col.type}")
    if col.null_count:
        raise source.fail(_first_true(pc.is_null(col)), column, "missing value")
    if empty_check:
        bad = _first_true(pc.equal(pc.utf8_length(col), 0))
        if bad is not None:
            raise source.fail(bad, column, "missing value")
    return col


def _distinct(col: pa.ChunkedArray) -> pa.Array:
    """Sorted distinct values (through the dictionaries of a dictionary column)."""
    if pa.types.is_dictionary(col.type):
        values = pa.concat_arrays([c.dictionary for c in col.chunks]) if col.num_chunks else None
        if values is None:
            return pa.array([], pa.string())
        return pc.unique(values).sort()
    return pc.unique(col).sort()


def _keys(col: pa.ChunkedArray, value_set: pa.Array) -> pa.ChunkedArray:
    """Position of each value in `value_set` (int32, null when absent); a dictionary column
    is looked up once per dictionary value."""
    if pa.types.is_dictionary(col.type):
        chunks = [
            pc.index_in(c.dictionary, value_set=value_set).take(c.indices) for c in col.chunks
        ]
        return pa.chunked_array(chunks, type=pa.int32())
    return pc.index_in(col, value_set=value_set)


def _codes(source: Source, column: str, allowed: Sequence[str]) -> pa.ChunkedArray:
    """Position of each value in `allowed` (int8); an unknown value is an error."""
    raw = source.table.column(column)
    value_set = pa.array(allowed, pa.string())
    if pa.types.is_dictionary(raw.type) and raw.null_count == 0:
        # look the few dictionary values up, then gather: no string per row
        chunks = [
            pc.index_in(c.dictionary.cast(pa.string()), value_set=value_set).take(c.indices)
            for c in raw.chunks
        ]
        codes = pa.chunked_array(chunks, type=pa.int32())
        if codes.null_count == 0:
            return codes.cast(pa.int8())
    col = _text(source, column)
    codes = pc.index_in(col, value_set=value_set)
    bad = _first_true(pc.is_null(codes))
    if bad is not None:
        value = col[bad].as_py()
        raise source.fail(bad, column, f"unknown value {value!r} (expected {', '.join(allowed)})")
    return codes.cast(pa.int8())


def _seconds(source: Source, column: str) -> pa.ChunkedArray:
    """Timestamps as int64 seconds of naive local time."""
    col = source.table.column(column)
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_timestamp(col.type):
        if col.type.tz is not None:
            col = pc.local_timestamp(col.cast(pa.timestamp(col.type.unit, LOCAL_TZ)))
        parsed = col.cast(pa.timestamp("s"), safe=False)
        bad = _first_true(pc.is_null(parsed))
        if bad is not None:
            raise source.fail(bad, column, "missing timestamp")
    elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        parsed = pc.strptime(col, format=TS_FORMAT, unit="s", error_is_null=True)
        # strptime rolls impossible dates over (2026-02-30 → 03-02): compare the round trip
        again = pc.strftime(parsed, format=TS_FORMAT)
        bad = _first_true(pc.or_kleene(pc.is_null(parsed), pc.not_equal(again, col)))
        if bad is not None:
            value = col[bad].as_py()
            raise source.fail(
                bad, column, f"bad timestamp {value!r} (expected YYYY-MM-DD HH:MM:SS)"
            )
    else:
        raise source.fail(None, column, f"expected a timestamp, got {col.type}")
    return parsed.cast(pa.int64())


@dataclass
class Registry:
    """The supply hierarchy with integer keys (position in the sorted id lists)."""

    meter_ids: pa.Array  # sorted; key = position
    district_ids: pa.Array
    feeder_ids: pa.Array
    table: pa.Table  # mkey, dkey, fkey, region, area (sorted by mkey)
    district_feeder: pa.Array  # fkey of each dkey

    @property
    def size(self) -> int:
        return len(self.meter_ids)


def _sorted_order(source: Source, ids: pa.ChunkedArray, column: str) -> pa.Array | None:
    """None when `ids` is already strictly increasing (the usual export), else the sort order.
    A duplicate id is an error naming the later row."""
    arr = ids.combine_chunks()
    if len(arr) < 2 or pc.all(pc.less(arr[:-1], arr[1:])).as_py():
        return None
    order = pc.sort_indices(arr)
    sorted_ids = arr.take(order)
    pos = _first_true(pc.fill_null(pc.equal(sorted_ids[1:], sorted_ids[:-1]), False))
    if pos is not None:
        value = sorted_ids[pos].as_py()
        rows = pc.indices_nonzero(pc.equal(arr, value)).to_pylist()
        raise source.fail(rows[1], column, f"duplicate meter {value!r}")
    return order


def load_meters(path: str | Path) -> Registry:
    source = read_table(path, METER_COLUMNS, ("district_name", "feeder_name"))
    if source.table.num_rows == 0:  # a header-only export would wipe every result
        raise InputError(
            source.path,
            None,
            None,
            "no data rows (an empty meter registry would wipe every result)",
        )
    ids = {"meter_id": _text(source, "meter_id")}
    for c in ("district_id", "feeder_id", "region"):
        ids[c] = _text(source, c, keep_dictionary=True)
    area = _codes(source, "area", AREAS)
    order = _sorted_order(source, ids["meter_id"], "meter_id")
    district_ids = _distinct(ids["district_id"])
    feeder_ids = _distinct(ids["feeder_id"])
    dkey = _keys(ids["district_id"], district_ids)
    fkey = _keys(ids["feeder_id"], feeder_ids)
    # a district belongs to exactly one feeder
    spans = (
        pa.table({"dkey": dkey, "fkey": fkey})
        .group_by("dkey")
        .aggregate([("fkey", "min"), ("fkey", "max")])
        .sort_by("dkey")
    )
    split = pc.not_equal(spans["fkey_min"], spans["fkey_max"])
    if pc.any(split).as_py():
        d = spans.filter(split)["dkey"][0].as_py()
        first_f = spans.filter(split)["fkey_min"][0].as_py()
        row = _first_true(pc.and_(pc.equal(dkey, d), pc.not_equal(fkey, first_f)))
        raise source.fail(
            row,
            "feeder_id",
            f"district {district_ids[d].as_py()!r} is on more than one feeder "
            f"({feeder_ids[first_f].as_py()!r} and others)",
        )
    columns = {
        "meter_id": ids["meter_id"],
        "dkey": dkey,
        "fkey": fkey,
        "region": ids["region"].cast(pa.string()),
        "area": pc.take(pa.array(AREAS), area.cast(pa.int32())),
    }
    if order is not None:
        columns = {k: v.take(order) for k, v in columns.items()}
    n = source.table.num_rows
    table = pa.table(
        {
            "mkey": pa.array(range(n), pa.int32()),
            "dkey": columns["dkey"],
            "fkey": columns["fkey"],
            "region": columns["region"],
            "area": columns["area"],
        }
    )
    meter_ids = columns["meter_id"].combine_chunks()
    return Registry(meter_ids, district_ids, feeder_ids, table, spans["fkey_min"].combine_chunks())


@dataclass
class Events:
    table: pa.Table  # mkey, dkey, fkey (int32), ts (int64), k (int8): registry meters only
    rows: int
    unknown_meter_rows: int
    unknown_meters: int
    unknown_ids: list[str]


def load_events(path: str | Path, registry: Registry) -> Events:
    source = read_table(path, EVENT_COLUMNS)
    meter = _text(source, "meter_id", empty_check=False)
    ts = _seconds(source, "ts")
    kind = _codes(source, "kind", KINDS)
    if source.table.num_rows * 4 < registry.size:  # a day's events: hash those, not 4 M ids
        found = _lookup_few(meter, registry.meter_ids)  # a chunked array, maybe of no chunk
        mkey = pa.chunked_array(
            found.chunks if isinstance(found, pa.ChunkedArray) else [found], pa.int32()
        )
    else:
        mkey = pc.index_in(meter, value_set=registry.meter_ids)
    known = pc.is_valid(mkey)
    unknown_rows = mkey.null_count
    unknown_ids: list[str] = []
    if unknown_rows:  # an empty id is a missing value, not an unknown meter
        rows = pc.indices_nonzero(pc.invert(known))
        empty = _first_true(pc.equal(pc.utf8_length(meter.take(rows)), 0))
        if empty is not None:
            raise source.fail(rows[empty].as_py(), "meter_id", "missing value")
        unknown_ids = sorted(pc.unique(meter.filter(pc.invert(known))).to_pylist())
        mkey, ts, kind = mkey.filter(known), ts.filter(known), kind.filter(known)
    table = pa.table(
        {
            "mkey": mkey,
            "dkey": registry.table["dkey"].take(mkey),
            "fkey": registry.table["fkey"].take(mkey),
            "ts": ts,
            "k": kind,
        }
    )
    return Events(table, source.table.num_rows, unknown_rows, len(unknown_ids), unknown_ids)


@dataclass
class Causes:
    table: pa.Table  # crid, scope_rank, skey (null: unknown scope id), fkey, s, e, cause
    rows: int
    unknown_scope_rows: int


def empty_causes() -> Causes:
    schema = pa.schema(
        [
            ("crid", pa.int64()),
            ("scope_rank", pa.int8()),
            ("skey", pa.int32()),
            ("fkey", pa.int32()),
            ("s", pa.int64()),
            ("e", pa.int64()),
            ("cause", pa.int8()),
        ]
    )
    return Causes(schema.empty_table(), 0, 0)


def load_causes(path: str | Path, registry: Registry) -> Causes:
    source = read_table(path, CAUSE_COLUMNS)
    scope = _codes(source, "scope", SCOPES)
    scope_id = _text(source, "scope_id")
    start = _seconds(source, "start")
    end = _seconds(source, "end")
    cause_code = _codes(source, "cause", CAUSES)
    bad = _first_true(pc.less(end, start))
    if bad is not None:
        raise source.fail(bad, "end", "end is before start")
    n = source.table.num_rows
    skey: pa.ChunkedArray = pa.chunked_array([pa.nulls(n, pa.int32())])
    fkey: pa.ChunkedArray = pa.chunked_array([pa.nulls(n, pa.int32())])
    meter_fkey = registry.table["fkey"].combine_chunks()
    for rank, ids in enumerate((registry.meter_ids, registry.district_ids, registry.feeder_ids)):
        found = _lookup_few(scope_id, ids) if rank == 0 else pc.index_in(scope_id, value_set=ids)
        here = pc.equal(scope, rank)
        if rank == 0:
            feeder = meter_fkey.take(found)
        elif rank == 1:
            feeder = registry.district_feeder.take(found)
        else:
            feeder = found
        skey = pc.if_else(here, found, skey)
        fkey = pc.if_else(here, feeder, fkey)
    table = pa.table(
        {
            "crid": pa.array(range(source.table.num_rows), pa.int64()),
            "scope_rank": pc.add(scope, 1).cast(pa.int8()),
            "skey": skey,
            "fkey": fkey,
            "s": start,
            "e": end,
            "cause": cause_code,
        }
    )
    unknown = int(skey.null_count)
    return Causes(table, source.table.num_rows, unknown)


def _lookup_few(values: pa.ChunkedArray, ids: pa.Array) -> pa.Array:
    """index_in(values, ids) for few distinct values and many ids: hash the few values and
    scan the ids once, instead of hashing millions of ids (ids are unique)."""
    few = pc.unique(values)
    pos = pc.index_in(ids, value_set=few)  # position in `few` of each id, or null
    valid = pc.is_valid(pos)
    found_pos = pos.filter(valid)  # positions in `few` that are registry ids ...
    found_key = pc.indices_nonzero(valid)  # ... and their keys
    where = pc.index_in(pc.index_in(values, value_set=few), value_set=found_pos)
    return found_key.take(where).cast(pa.int32())


def epoch_seconds(day: dt.date) -> int:
    """Seconds from 1970-01-01 00:00 to the start of `day` (naive wall clock)."""
    return (day - dt.date(1970, 1, 1)).days * 86400


def write_arrow(table: pa.Table, path: Path) -> None:
    """Arrow IPC, uncompressed and in one record batch: a later run maps the file instead of
    decoding it, and its columns are contiguous."""
    import pyarrow.feather as feather

    feather.write_feather(
        table.combine_chunks(), path, compression="uncompressed", chunksize=max(1, table.num_rows)
    )


def save_registry(registry: Registry, folder: Path) -> None:
    """The registry with its keys, for incremental runs (Arrow IPC, memory-mapped on load)."""

    write_arrow(registry.table, folder / "registry.arrow")
    ids = {
        "meter_ids": registry.meter_ids,
        "district_ids": registry.district_ids,
        "feeder_ids": registry.feeder_ids,
        "district_feeder": registry.district_feeder,
    }
    for name, arr in ids.items():
        write_arrow(pa.table({name: arr}), folder / f"{name}.arrow")


def load_registry(folder: Path) -> Registry:
    import pyarrow.feather as feather

    def col(name: str) -> pa.Array:
        return (
            feather.read_table(folder / f"{name}.arrow", memory_map=True).column(0).combine_chunks()
        )

    table = feather.read_table(folder / "registry.arrow", memory_map=True)
    return Registry(
        col("meter_ids"), col("district_ids"), col("feeder_ids"), table, col("district_feeder")
    )


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def events_into_duckdb(
    con: DuckDBPyConnection, path: str | Path, registry: Registry
) -> Events | None:
    """The events of a Parquet file straight into DuckDB table `ev_in` (decoded and joined to
    the registry in parallel: about 3× faster than through Arrow at 22 M rows).

    Only for the plain layout (text or integer ids, naive timestamps, text kinds) and clean
    data: returns None otherwise, and the caller reads the file with `load_events`, which
    names the bad row and column — one set of error messages for both paths."""
    path = Path(path)
    if path.suffix.lower() not in (".parquet", ".pq") or not path.is_file():
        return None
    try:
        schema = pq.read_schema(path, filesystem=pafs.LocalFileSystem())
    except (pa.ArrowInvalid, OSError):
        return None
    if any(c not in schema.names for c in EVENT_COLUMNS):
        return None
    id_type, ts_type, kind_type = (schema.field(c).type for c in EVENT_COLUMNS)
    if not (
        (_is_text(id_type) or pa.types.is_integer(id_type))
        and pa.types.is_timestamp(ts_type)
        and ts_type.tz is None
        and _is_text(kind_type)
    ):
        return None
    ids = pa.table(
        {
            "meter_id": registry.meter_ids,
            "mkey": registry.table["mkey"],
            "dkey": registry.table["dkey"],
            "fkey": registry.table["fkey"],
        }
    )
    import duckdb

    con.register("__registry_ids", ids)
    try:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE ev_all AS SELECT i.mkey, i.dkey, i.fkey,
              epoch_ms(e.ts) // 1000 AS ts,
              CAST(CASE e.kind WHEN 'off' THEN 0 WHEN 'on' THEN 1 END AS TINYINT) AS k,
              CASE WHEN i.mkey IS NULL THEN CAST(e.meter_id AS VARCHAR) END AS unknown_id,
              e.meter_id IS NULL OR CAST(e.meter_id AS VARCHAR) = '' AS no_id
            FROM read_parquet(?) e
            LEFT JOIN __registry_ids i ON i.meter_id = CAST(e.meter_id AS VARCHAR)""",
            [str(path.resolve())],
        )
    except duckdb.Error:  # a file DuckDB cannot read: the Arrow reader reads it or says why
        return None
    finally:
        con.unregister("__registry_ids")
    counts = con.execute(
        """SELECT COUNT(*), COUNT(*) FILTER (WHERE k IS NULL OR ts IS NULL OR no_id),
          COUNT(*) FILTER (WHERE mkey IS NULL) FROM ev_all"""
    ).fetchone()
    if counts is None:  # an aggregate without GROUP BY always gives one row
        raise RuntimeError("DuckDB returned no row for the event counts")
    rows, bad, unknown_rows = counts
    if bad:
        con.execute("DROP TABLE ev_all")
        return None
    unknown_ids = sorted(
        r[0]
        for r in con.execute("SELECT DISTINCT unknown_id FROM ev_all WHERE mkey IS NULL").fetchall()
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ev_in AS "
        "SELECT mkey, dkey, fkey, ts, k FROM ev_all WHERE mkey IS NOT NULL"
    )
    con.execute("DROP TABLE ev_all")
    empty = pa.schema(
        [("mkey", pa.int32()), ("dkey", pa.int32()), ("fkey", pa.int32()), ("ts", pa.int64()),
         ("k", pa.int8())]
    ).empty_table()  # fmt: skip
    return Events(empty, int(rows), int(unknown_rows), len(unknown_ids), unknown_ids)
