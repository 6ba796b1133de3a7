"""The state an analysis keeps for incremental runs (`<out>/.state/`): saved after a full or
incremental run, loaded and checked before the next `--since` run (see incremental.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.feather as feather

from getelec.analytics.engines import Engine
from getelec.analytics.inputs import save_registry, write_arrow
from getelec.analytics.outputs import link_or_copy
from getelec.analytics.params import OutageParams
from getelec.analytics.results import Outcome

STATE_DIR = ".state"
STATE_VERSION = 4  # 3: max_count_60 renamed max_count_window; 4: same-second pairs, 300 s momentary
METER_FLAGS_DIR = "m_f"  # one file per month
STATE_TABLES = (
    "tails",
    "mic_pre",
    "dep",
    "fep",
    "d_f",
    "f_f",
    "m_points",  # the meter rows of the output, by key (RESULT_SQL["meters"])
    "d_stat0",
    "f_stat0",
    "causes",
    "iagg",
)
STORED_FLAGS = "pkey, s, ee, st, cause, cls, counted, merged"  # + dkey, fkey for meters
REGISTRY_FILES = (
    "registry.arrow",
    "meter_ids.arrow",
    "district_ids.arrow",
    "feeder_ids.arrow",
    "district_feeder.arrow",
)


class StateError(ValueError):
    """The folder holds no usable analysis to continue from."""


def file_digest(path: str | Path | None) -> str | None:
    if path is None:
        return None
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_state(
    engine: Engine,
    folder: Path,
    meta: dict[str, Any],
    unknown_ids: list[str],
    outcome: Outcome,
    reuse: Path | None = None,
) -> None:
    """Write `folder/.state`. Meter interruptions are kept once: those in the period are the
    meter flag rows (same start, end, status and cause) written per month as the outputs
    were built; mic_pre holds the few that start before the period. Months not built, and
    the registry, are hard links into `reuse` (the previous state) when given."""
    state = folder / STATE_DIR
    (state / METER_FLAGS_DIR).mkdir(parents=True)
    if reuse is not None:
        for name in REGISTRY_FILES:
            link_or_copy(reuse / name, state / name)
    else:
        save_registry(outcome.registry, state)
    for mo, label in enumerate(outcome.months):
        path = state / METER_FLAGS_DIR / f"{label}.arrow"
        if mo in outcome.meter_flags:
            write_arrow(outcome.meter_flags[mo], path)
        else:
            if reuse is None:
                raise RuntimeError(f"month {label} was neither built nor reused")
            link_or_copy(reuse / METER_FLAGS_DIR / path.name, path)
    columns = {"d_f": STORED_FLAGS, "f_f": STORED_FLAGS}
    for name in STATE_TABLES:
        if name == "m_points":
            table = _narrow(outcome.point_rows())
        else:
            table = engine.arrow(f"SELECT {columns.get(name, '*')} FROM {name}")
        write_arrow(table, state / f"{name}.arrow")
    (state / "meta.json").write_text(
        json.dumps(
            {
                **meta,
                "version": STATE_VERSION,
                "months": outcome.months,
                "unknown_meter_ids": unknown_ids,
            }
        ),
        encoding="utf-8",
    )


def _narrow(points: pa.Table) -> pa.Table:
    """Meter rows with 32-bit counts (half the state; outputs widen them again)."""
    schema = pa.schema(
        [pa.field(f.name, pa.int32()) if pa.types.is_integer(f.type) else f for f in points.schema]
    )
    return points.cast(schema)


def load_state(folder: Path) -> tuple[dict[str, Any], dict[str, pa.Table], list[pa.Table]]:
    """meta.json, the state tables (memory-mapped) and the meter flag rows per month."""
    state = Path(folder) / STATE_DIR
    meta_path = state / "meta.json"
    if not meta_path.is_file():
        raise StateError(
            f"{folder}: no analysis state to continue from (run once with --keep-state)"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("version") != STATE_VERSION:
        raise StateError(
            f"{folder}: analysis state of version {meta.get('version')}, this engine keeps "
            f"version {STATE_VERSION}; run a full analysis (with --keep-state) to rebuild it"
        )
    tables = {
        name: feather.read_table(state / f"{name}.arrow", memory_map=True) for name in STATE_TABLES
    }
    months = [
        feather.read_table(state / METER_FLAGS_DIR / f"{label}.arrow", memory_map=True)
        for label in meta["months"]
    ]
    tables["m_f"] = pa.concat_tables(months)
    return meta, tables, months


def check_state(
    meta: dict[str, Any],
    *,
    year: int,
    as_of: dt.date,
    since: dt.date,
    params: OutageParams,
    meters_digest: str | None,
) -> None:
    previous = dt.date.fromisoformat(meta["as_of"])
    if meta["year"] != year:
        raise StateError(f"the previous analysis is for {meta['year']}, not {year}")
    if since != previous + dt.timedelta(days=1):
        raise StateError(
            f"--since must be the day after the previous as-of date ({previous}), got {since}"
        )
    if as_of < since:
        raise StateError(f"--as-of {as_of} is before --since {since}")
    if meta["params"] != params.fingerprint():
        raise StateError("the policy parameters changed since the last run; run a full analysis")
    if params.outage_major_event_day_exclusion:
        raise StateError("major-event-day exclusion needs a full analysis (its threshold moves)")
    if meta["meters"] != meters_digest:
        raise StateError("the meter registry changed since the last run; run a full analysis")
    if meta["quality"]["events"]["after_as_of"]:
        raise StateError(
            "the previous run ignored events after its as-of date; run a full analysis"
        )
