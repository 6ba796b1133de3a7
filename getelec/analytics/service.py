"""Full and incremental runs that write an output folder (used by `getelec outages analyze`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from getelec.analytics.api import Outcome, Progress, finish, run, write_outputs
from getelec.analytics.engines import Engine, make_engine
from getelec.analytics.incremental import (
    STATE_DIR,
    check_state,
    file_digest,
    load_state,
    run_incremental,
    save_state,
)
from getelec.analytics.inputs import (
    Causes,
    Events,
    InputError,
    empty_causes,
    epoch_seconds,
    load_causes,
    load_events,
    load_registry,
)
from getelec.analytics.params import OutageParams, params_from_policy
from getelec.analytics.pipeline import Pipeline, Window


def analyze_to_folder(
    *,
    meters: str | Path,
    events: str | Path,
    causes: str | Path | None,
    year: int,
    as_of: dt.date,
    out: str | Path,
    engine: str = "duckdb",
    spark_master: str | None = None,
    since: dt.date | None = None,
    keep_state: bool = True,
    region: str | None = None,
    params: OutageParams | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Analyse and write `out` atomically (with the state a later `since` run continues)."""
    if as_of.year != year:
        raise InputError("--as-of", None, None, f"{as_of} is not in {year}")
    params = params or params_from_policy(as_of, region)
    progress = progress or (lambda _step: None)
    options: dict[str, Any] = {"master": spark_master} if engine == "spark" else {}
    eng = make_engine(engine, **options)
    try:
        if since is None:
            outcome = run(
                meters,
                events,
                causes,
                year=year,
                as_of=as_of,
                params=params,
                engine=eng,
                progress=progress,
            )
            unknown_ids = outcome.unknown_ids
        else:
            outcome, unknown_ids = _incremental(
                eng, meters, events, causes, year, as_of, since, Path(out), params, progress
            )
        meta = {
            "year": year,
            "as_of": as_of.isoformat(),
            "params": params.fingerprint(),
            "meters": file_digest(meters),
            "causes": file_digest(causes),
            "quality": outcome.quality,
        }
        reuse = Path(out).resolve() / STATE_DIR if since is not None else None

        def state(tmp: Path) -> None:
            save_state(eng, tmp, meta, unknown_ids, outcome, reuse)

        write_outputs(outcome, out, extra=state if keep_state else None)
        return summary(outcome, Path(out))
    finally:
        eng.close()


def _incremental(
    eng: Engine,
    meters: str | Path,
    events: str | Path,
    causes: str | Path | None,
    year: int,
    as_of: dt.date,
    since: dt.date,
    out: Path,
    params: OutageParams,
    progress: Progress,
) -> tuple[Outcome, list[str]]:
    meta, state, month_tables = load_state(out)
    check_state(
        meta, year=year, as_of=as_of, since=since, params=params, meters_digest=file_digest(meters)
    )
    progress("reading")
    registry = load_registry(out / STATE_DIR)  # unchanged: check_state compared its digest
    ev = load_events(events, registry)
    # events before --since are already in the analysis
    keep = pc.greater_equal(ev.table["ts"], epoch_seconds(since))
    ev = Events(
        ev.table.filter(keep), ev.rows, ev.unknown_meter_rows, ev.unknown_meters, ev.unknown_ids
    )
    changed = meta["causes"] != file_digest(causes)
    if not changed:  # the same file as last time: its checked records are in the state
        counts = meta["quality"]
        cz = Causes(
            state["causes"], counts["rows_read"]["causes"], counts["causes"]["unknown_scope_rows"]
        )
    else:
        cz = load_causes(causes, registry) if causes else empty_causes()
    window = Window(year, as_of, params)
    pipe = Pipeline(eng, window, progress, meters=registry.size)
    event_quality, months, by_level, points = run_incremental(
        eng, pipe, registry, ev, cz, state, changed, meta, month_tables
    )
    old = meta["quality"]["events"]
    unknown_ids = sorted(set(meta["unknown_meter_ids"]) | set(ev.unknown_ids))
    merged = Events(
        ev.table,
        meta["quality"]["rows_read"]["events"] + ev.rows,
        old["unknown_meter_rows"] + ev.unknown_meter_rows,
        len(unknown_ids),
        unknown_ids,
    )
    event_quality = {
        "duplicates": old["duplicates"] + event_quality["duplicates"],
        "orphans": old["orphans"] + event_quality["orphans"],
        "after_as_of": event_quality["after_as_of"],
    }
    med = {"enabled": False}
    outcome = finish(pipe, registry, merged, cz, event_quality, med, True, by_level)
    outcome.rebuild, outcome.reuse = months, out.resolve()
    outcome.flag_sources["meter"] = "m_f_rebuild"
    outcome.meter_rows = points
    return outcome, unknown_ids


def summary(outcome: Outcome, out: Path) -> dict[str, Any]:
    e = outcome.engine
    counts = e.arrow(
        """SELECT (SELECT COUNT(*) FROM m_rule) AS meters,
          (SELECT COALESCE(SUM(frequent), 0) FROM m_rule) AS frequent_meters,
          (SELECT COUNT(*) FROM d_rule) AS districts,
          (SELECT COALESCE(SUM(frequent), 0) FROM d_rule) AS frequent_districts"""
    ).to_pylist()[0]
    feeders = outcome.point_cache.get("feeders")
    problem = (
        int(pc.sum(feeders["problem_line"].cast(pa.int64())).as_py() or 0)
        if feeders is not None
        else 0
    )
    return {"out": str(out), **{k: int(v) for k, v in counts.items()}, "problem_lines": problem}
