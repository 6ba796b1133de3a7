"""Where the platform keeps meter events and outage work orders for the daily refresh.

Choice: files, not database tables. The metering system (用电信息采集系统) delivers a
province-year of off/on events as tens of millions of rows; the engine reads CSV/Parquet with
DuckDB far faster than any ORM table could feed it, and keeping them as files means the refresh
and `getelec outages analyze` read exactly the same inputs. Layout of the data folder
(settings.OUTAGE_DATA_DIR, else the env var GETELEC_OUTAGE_DATA_DIR, else var/outages/):

    <data>/<year>/events*.parquet | events*.csv   (one file, or several daily deliveries)
    <data>/<year>/causes*.parquet | causes*.csv   (optional outage work orders)

Several files of one kind are concatenated (in name order) into one temporary Parquet file.
The registry itself lives in the database (imported with `getelec outages registry import`)
and is exported to the engine's meter format at each refresh.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings

from getelec.analytics.inputs import CAUSE_COLUMNS, EVENT_COLUMNS, InputError, read_table


def data_dir() -> Path:
    configured = getattr(settings, "OUTAGE_DATA_DIR", None) or os.environ.get(
        "GETELEC_OUTAGE_DATA_DIR"
    )
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", Path("var"))) / "outages"


def year_dir(year: int, base: Path | None = None) -> Path:
    return (base or data_dir()) / str(year)


def _files(folder: Path, kind: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.name.startswith(kind) and p.suffix in (".csv", ".parquet")
    )


def _as_text_ts(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    out = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        if pa.types.is_timestamp(col.type):
            col = pc.strftime(col, format="%Y-%m-%d %H:%M:%S")
        elif not pa.types.is_string(col.type):
            col = col.cast(pa.string())
        out[name] = col
    return pa.table({c: out[c] for c in columns})


def input_file(year: int, kind: str, tmp: Path, base: Path | None = None) -> Path | None:
    """The one file the engine reads for `kind` ("events" or "causes"), or None if there is none.
    Several deliveries are joined into `tmp/<kind>.parquet` (columns checked per file)."""
    files = _files(year_dir(year, base), kind)
    if not files:
        return None
    if len(files) == 1:
        return files[0]
    columns = EVENT_COLUMNS if kind == "events" else CAUSE_COLUMNS
    tables = [_as_text_ts(read_table(p, columns).table, columns) for p in files]
    joined = pa.concat_tables(tables)
    out = tmp / f"{kind}.parquet"
    pq.write_table(joined, str(out))
    return out


def require_events(year: int, tmp: Path, base: Path | None = None) -> Path:
    found = input_file(year, "events", tmp, base)
    if found is None:
        raise InputError(year_dir(year, base), None, None, "no events file (events*.parquet|csv)")
    return found
