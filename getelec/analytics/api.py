"""Python API: `analyze(...)` returns the tables; `write_outputs` writes them atomically.

`run` reads the inputs and runs every stage; `finish` builds the reports. The result tables are
in `getelec.analytics.results`, the reports (quality, indices) in `getelec.analytics.reports`,
the writing of files in `getelec.analytics.outputs`; their public names are importable from
here as before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
from getelec.analytics.outputs import (
    OUTPUT_FILES,
    link_or_copy,
    remove_leftovers,
    write_json,
    write_outputs,
    write_parquet,
)
from getelec.analytics.params import OutageParams, params_from_policy
from getelec.analytics.pipeline import Pipeline, Window
from getelec.analytics.reports import (
    LEVEL_COUNTS,
    RULE_CODES,
    WARNING_CODES,
    collect_quality,
    format_indices,
    index_block,
    indices_by_region_month,
    level_counts,
)
from getelec.analytics.results import (
    CAUSE_VALUES,
    EXCLUDED_REASONS,
    FLAG_SQL,
    INTERRUPTIONS_DIR,
    METER_FLAG_COLUMNS,
    POINT_COLUMNS,
    RESULT_SQL,
    AnalysisResult,
    Outcome,
)

__all__ = [
    "CAUSE_VALUES",
    "EXCLUDED_REASONS",
    "FLAG_SQL",
    "INTERRUPTIONS_DIR",
    "LEVEL_COUNTS",
    "METER_FLAG_COLUMNS",
    "OUTPUT_FILES",
    "POINT_COLUMNS",
    "RESULT_SQL",
    "RULE_CODES",
    "WARNING_CODES",
    "AnalysisResult",
    "Outcome",
    "Progress",
    "analyze",
    "collect_quality",
    "finish",
    "format_indices",
    "index_block",
    "indices_by_region_month",
    "level_counts",
    "link_or_copy",
    "remove_leftovers",
    "run",
    "write_json",
    "write_outputs",
    "write_parquet",
]

Progress = Callable[[str], None]


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
