"""Incremental daily runs (`--since`): add new events to a year already analysed.

A full run leaves its intermediate results in `<out>/.state/` (Arrow IPC, integer keys):
the meter-level interruption flags one file per month (`m_f/YYYY-MM.arrow`, as the output's
`interruptions.parquet/YYYY-MM.parquet`), the last `off` of every meter that had nothing
after it ("tails"), district and feeder episodes and flags, per-point counts, the index sums
per (level, region, area, month), the cause records and the event-quality counters. An
incremental run with `--since D` (D = the previous as-of date + 1 day) then only recomputes
what the new events can change:

- meters with new events, and every tail (an open `off` may close, or pass the cap);
- interruptions whose cause may change because cause records were added or removed;
- the districts and feeders of those meters, and the counts of all those points;
- the index sums, by subtracting the old rows of those points and adding their new rows.

Warnings are recomputed for the points recounted and for those with a counted interruption
that left an as-of window since the last run; every other point keeps its row. Only the months
whose rows changed (or that are new) are written again; the other month files of the output
and of the state are hard links to the previous ones. The result equals a full run over all
events (tests prove it); the output folder with its state is replaced atomically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from getelec.analytics.api import LEVEL_COUNTS, RESULT_SQL, level_counts
from getelec.analytics.engines import Engine
from getelec.analytics.inputs import (
    Causes,
    Events,
    Registry,
    epoch_seconds,
)
from getelec.analytics.pipeline import (
    DAY,
    ST_CAPPED,
    ST_NEXT_OFF,
    UNKNOWN_CODE,
    Pipeline,
    Window,
    day_of,
)
from getelec.analytics.state import (
    METER_FLAGS_DIR,
    REGISTRY_FILES,
    STATE_DIR,
    STATE_TABLES,
    STATE_VERSION,
    STORED_FLAGS,
    StateError,
    check_state,
    file_digest,
    load_state,
    save_state,
)

__all__ = [
    "METER_FLAGS_DIR",
    "REGISTRY_FILES",
    "STATE_DIR",
    "STATE_TABLES",
    "STATE_VERSION",
    "STORED_FLAGS",
    "StateError",
    "check_state",
    "file_digest",
    "load_state",
    "run_incremental",
    "save_state",
]


def _anti(old: str, keys: str, on: str = "pkey") -> str:
    return f"SELECT o.* FROM {old} o LEFT JOIN {keys} a ON a.{on} = o.{on} WHERE a.{on} IS NULL"


@dataclass(frozen=True)
class _Run:
    """What every phase of an incremental run reads: the engine, the pipeline, the registry
    and the previous state (tables, meter flag rows per month, meta.json)."""

    e: Engine
    pipe: Pipeline
    registry: Registry
    state: dict[str, pa.Table]
    month_tables: list[pa.Table]
    meta: dict[str, Any]

    @property
    def w(self) -> Window:
        return self.pipe.w


def run_incremental(
    engine: Engine,
    pipe: Pipeline,
    registry: Registry,
    ev: Events,
    cz: Causes,
    state: dict[str, pa.Table],
    causes_changed: bool,
    meta: dict[str, Any],
    month_tables: list[pa.Table],
) -> tuple[dict[str, int], list[int], dict[str, dict[str, int]], pa.Table]:
    """Recompute what the new events (and changed cause records) touch. Leaves the same
    tables as a full run (mic, dep, fep, {m,d,f}_f, {m,d,f}_stat0, {m,d,f}_rule, iagg), and
    `m_f_rebuild`: the meter flags of the months to write again. Returns the event quality,
    the positions of those months, the interruption counts per level for quality.json and the
    meter rows of the output (also registered as `m_rule`)."""
    run = _Run(engine, pipe, registry, state, month_tables, meta)
    _load_state_tables(run, ev, cz)
    quality = _pair_new_events(run)
    _assign_causes(run, causes_changed)
    _changed_meters(run)
    _touched_episodes(run)
    _count_touched(run)
    points = _meter_rules(run)
    by_level = _update_index_sums(run)
    months = _changed_months(pipe, meta["months"])
    _rebuild_months(run, months)
    pipe.keep_for_state()
    return quality, months, by_level, points


def _load_state_tables(run: _Run, ev: Events, cz: Causes) -> None:
    """The previous state, the registry and the new events and cause records as tables."""
    e, pipe = run.e, run.pipe
    for name, table in run.state.items():
        e.load(f"old_{name}", table, scan=True)  # only scanned: no copy
    for lv in ("m", "d", "f"):
        e.view(f"old_{lv}_fv", _flags(f"old_{lv}_f"))
    e.load("meters", run.registry.table, scan=True)
    e.view(
        "old_mic",
        "SELECT pkey AS mkey, dkey, fkey, s, ee, st, cause FROM old_m_f "
        "UNION ALL SELECT mkey, dkey, fkey, s, ee, st, cause FROM old_mic_pre",
    )
    e.load("ev_in", ev.table)
    e.load("causes", cz.table)
    pipe.districts()
    pipe.load_months()


def _pair_new_events(run: _Run) -> dict[str, int]:
    """Pair the new events with the open tails into interruptions (`mint`, `mi`); the event
    quality counters."""
    e, pipe = run.e, run.pipe
    pipe.progress("pairing")
    e.view(
        "ev_x",
        "SELECT mkey, dkey, fkey, ts, k FROM ev_in UNION ALL "
        "SELECT mkey, dkey, fkey, s AS ts, CAST(0 AS TINYINT) AS k FROM old_tails",
    )
    pipe.pair_events("ev_x")
    quality = pipe.event_quality("ev_in")
    n_tails = run.state["tails"].num_rows
    quality["duplicates"] += n_tails  # tails are in mint but were not read again
    pipe.mi_view("mint")
    return quality


def _assign_causes(run: _Run, causes_changed: bool) -> None:
    """Causes of the new interruptions and, when cause records changed, of the old ones they
    may touch (`recaused`); `mnew` holds both, `kept` the old interruptions but the tails."""
    e, pipe, w = run.e, run.pipe, run.w
    pipe.progress("causes")
    # the day table and the cause records must reach back to the earliest interruption that
    # may be re-examined: new ones (re-paired tails too), district members that started before
    # the period, and — when cause records changed — every old one (the period's first day:
    # older ones are the members before the period)
    days = [
        pipe.scalar("SELECT MIN(sd) FROM mi"),
        pipe.scalar(f"SELECT MIN({day_of('s')}) FROM old_mic_pre"),
        w.d0 if causes_changed else None,
    ]
    known = [int(d) for d in days if d is not None]  # type: ignore[call-overload]
    pipe.prepare_causes(min(known) if known else w.d0)
    e.run("mcause", pipe.cause_sql("mi"))
    # old interruptions other than the tails (re-paired above). Tails are found by key, not
    # by status: a month file not rewritten may keep a capped tail's status 2 after a later
    # `off` made it 1 — both are "unrestored" and the outputs cannot tell them apart
    e.view(
        "kept",
        "SELECT o.* FROM old_mic o LEFT JOIN old_tails t ON t.mkey = o.mkey AND t.s = o.s "
        "WHERE t.mkey IS NULL",
    )
    if causes_changed:
        _recause(run)
    else:
        e.run("recaused", "SELECT * FROM old_mic WHERE 1 = 0")
    e.run(
        "mnew",
        f"""SELECT i.mkey, i.dkey, i.fkey, i.s, i.ee, i.st,
          COALESCE(c.cause, {UNKNOWN_CODE}) AS cause
        FROM mi i LEFT JOIN mcause c ON c.mkey = i.mkey AND c.s = i.s
        UNION ALL SELECT * FROM recaused""",
    )


def _recause(run: _Run) -> None:
    """`recaused`: the old interruptions whose cause the added or removed records may change,
    with their cause assigned again."""
    e, pipe = run.e, run.pipe
    e.load("causes_old", run.state["causes"])
    # A record's file position only breaks ties between records that start at the same
    # moment (the rank is by start, then position): compare records by content and by
    # their order among those, so that a record inserted into the file changes nothing else
    cols = "scope_rank, skey, fkey, s, e, cause"
    for name in ("causes", "causes_old"):
        e.view(
            f"{name}_pos",
            f"SELECT {cols}, ROW_NUMBER() OVER (PARTITION BY s ORDER BY crid) AS pos FROM {name}",
        )
    cols += ", pos"
    e.run(
        "cdelta",
        f"(SELECT {cols} FROM causes_pos EXCEPT SELECT {cols} FROM causes_old_pos) "
        f"UNION ALL (SELECT {cols} FROM causes_old_pos EXCEPT SELECT {cols} FROM causes_pos)",
    )
    e.run(
        "cdelta_z",
        f"""SELECT 0 AS crid, scope_rank, skey, fkey, s, e, cause, {day_of("s")} AS sd,
          {day_of("e")} AS ed, 0 AS crank FROM cdelta WHERE skey IS NOT NULL""",
    )
    # only interruptions on the feeders of changed records can overlap them: their meters'
    # old rows, by binary search in the month files (plus those before the period)
    feeders = e.arrow("SELECT DISTINCT fkey FROM cdelta_z")["fkey"].combine_chunks()
    near = pc.indices_nonzero(pc.is_in(run.registry.table["fkey"], value_set=feeders))
    e.load("old_near", _rows_of(run.month_tables, near.to_numpy()), scan=True)
    e.run(
        "kept_i",
        f"""SELECT k.mkey, k.dkey, k.fkey, k.s, k.ee, k.st, {day_of("k.s")} AS sd,
          {day_of("k.ee")} AS ed
        FROM (SELECT pkey AS mkey, dkey, fkey, s, ee, st FROM old_near
          UNION ALL SELECT mkey, dkey, fkey, s, ee, st FROM old_mic_pre) k
        LEFT JOIN old_tails t ON t.mkey = k.mkey AND t.s = k.s WHERE t.mkey IS NULL""",
    )
    e.run("touched", f"SELECT DISTINCT mkey, s FROM ({pipe.cause_sql('kept_i', 'cdelta_z')}) t")
    e.run(
        "retouch",
        "SELECT k.* FROM kept_i k JOIN touched t ON t.mkey = k.mkey AND t.s = k.s",
    )
    e.run("recause", pipe.cause_sql("retouch"))
    e.run(
        "recaused",
        f"""SELECT k.mkey, k.dkey, k.fkey, k.s, k.ee, k.st,
          COALESCE(c.cause, {UNKNOWN_CODE}) AS cause
        FROM retouch k LEFT JOIN recause c ON c.mkey = k.mkey AND c.s = k.s""",
    )


def _changed_meters(run: _Run) -> None:
    """`chg_m`: the meters whose interruptions differ from before (a tail that stays capped
    and has no new event comes back identical and changes nothing); `mic`: all of them now."""
    e, w = run.e, run.w
    cols = "mkey, dkey, fkey, s, ee, st, cause"
    tail_keys = np.unique(run.state["tails"]["mkey"].to_numpy())
    e.load("old_tail_m", _rows_of(run.month_tables, tail_keys), scan=True)
    e.run(
        "old_tail_rows",
        f"""SELECT o.{cols.replace(", ", ", o.")} FROM (
          SELECT pkey AS mkey, dkey, fkey, s, ee, st, cause FROM old_tail_m
          UNION ALL SELECT * FROM old_mic_pre) o
        JOIN old_tails t ON t.mkey = o.mkey AND t.s = o.s WHERE o.ee >= {w.p0}""",
    )
    e.run(
        "chg_m",
        f"""SELECT DISTINCT mkey AS pkey, dkey FROM (
          (SELECT {cols} FROM mnew EXCEPT SELECT {cols} FROM old_tail_rows)
          UNION ALL (SELECT {cols} FROM old_tail_rows EXCEPT SELECT {cols} FROM mnew)) x""",
    )
    e.view(
        "mic",
        "SELECT k.* FROM kept k LEFT JOIN (SELECT mkey, s FROM recaused) r "
        "ON r.mkey = k.mkey AND r.s = k.s WHERE r.mkey IS NULL "
        "UNION ALL SELECT * FROM mnew",
    )


def _touched_episodes(run: _Run) -> None:
    """Episodes of the districts (`chg_d`) and feeders (`chg_f`) of the changed meters."""
    e, pipe, registry = run.e, run.pipe, run.registry
    pipe.progress("districts")
    pipe.district_sizes()
    e.run("chg_d", "SELECT DISTINCT dkey AS pkey FROM chg_m")
    # the old rows of every meter in those districts, looked up in the sorted month files
    chg_d = e.arrow("SELECT pkey FROM chg_d")["pkey"]
    in_chg_d = pc.is_in(registry.table["dkey"], value_set=chg_d.combine_chunks())
    e.load(
        "old_chg", _rows_of(run.month_tables, pc.indices_nonzero(in_chg_d).to_numpy()), scan=True
    )
    e.view("old_chg_fv", _flags("old_chg"))
    e.run(
        "mic_chg",
        """SELECT k.* FROM (SELECT pkey AS mkey, dkey, fkey, s, ee, st, cause FROM old_chg
            UNION ALL SELECT p.* FROM old_mic_pre p JOIN chg_d c ON c.pkey = p.dkey) k
          LEFT JOIN old_tails t ON t.mkey = k.mkey AND t.s = k.s
          LEFT JOIN (SELECT mkey, s FROM recaused) r ON r.mkey = k.mkey AND r.s = k.s
          WHERE t.mkey IS NULL AND r.mkey IS NULL
        UNION ALL SELECT m.* FROM mnew m JOIN chg_d c ON c.pkey = m.dkey""",
    )
    e.view(
        "dchild",
        "SELECT dkey AS pkey, mkey AS ckey, s, ee, st, cause FROM mic_chg",
    )
    pipe.episodes("dep_n", "dchild", "dsize")
    e.run("dep", f"{_anti('old_dep', 'chg_d')} UNION ALL SELECT * FROM dep_n")
    e.run(
        "chg_f",
        "SELECT DISTINCT d.fkey AS pkey FROM chg_d c JOIN districts d ON d.dkey = c.pkey",
    )
    pipe.progress("feeders")
    e.view(
        "fchild",
        "SELECT d.fkey AS pkey, x.pkey AS ckey, x.s, x.ee, x.st, x.cause FROM dep x "
        "JOIN districts d ON d.dkey = x.pkey JOIN chg_f c ON c.pkey = d.fkey",
    )
    pipe.episodes("fep_n", "fchild", "fsize")
    e.run("fep", f"{_anti('old_fep', 'chg_f')} UNION ALL SELECT * FROM fep_n")


def _count_touched(run: _Run) -> None:
    """Counting for the touched points (`{lv}n_fx`, `{lv}n_stat0`), their old rows
    (`{lv}_was`), and the level tables with the untouched points' old rows."""
    e, pipe = run.e, run.pipe
    pipe.progress("counting")
    pipe.major_event_days()  # disabled in incremental runs: creates the empty `med`
    sources = {
        "m": (
            "chg_m",
            "SELECT m.mkey AS pkey, m.s, m.ee, m.st, m.cause FROM mic_chg m "
            "JOIN chg_m c ON c.pkey = m.mkey",
        ),
        "d": ("chg_d", "SELECT pkey, s, ee, st, cause FROM dep_n"),
        "f": ("chg_f", "SELECT pkey, s, ee, st, cause FROM fep_n"),
    }
    for lv, (keys, sql) in sources.items():
        e.view(f"{lv}n_src", sql)
        pipe.count_level(f"{lv}n", f"{lv}n_src")
        e.view(f"{lv}_f", f"{_anti(f'old_{lv}_fv', keys)} UNION ALL SELECT * FROM {lv}n_fx")
        old_fv = "old_chg_fv" if lv == "m" else f"old_{lv}_fv"
        e.run(f"{lv}_was", f"SELECT o.* FROM {old_fv} o JOIN {keys} k ON k.pkey = o.pkey")
        if lv != "m":
            e.run(
                f"{lv}_stat0",
                f"{_anti(f'old_{lv}_stat0', keys)} UNION ALL SELECT * FROM {lv}n_stat0",
            )


def _meter_rules(run: _Run) -> pa.Table:
    """The as-of window rules; returns the meter rows of the output (registered as `m_rule`).

    Only points redone, or with a counted row that left an as-of window since the last run,
    can change (rows only enter the windows as new rows of redone points); the others keep
    their row. The windows look at recent rows only."""
    e, pipe, w, meta = run.e, run.pipe, run.w, run.meta
    first, short = pipe.window_first_days()
    step = (w.as_of - dt.date.fromisoformat(meta["as_of"])).days
    first_old, short_old = first - step, short - step
    recent = [
        t.filter(pc.greater_equal(t["s"], first_old * DAY))
        for label, t in zip(meta["months"], run.month_tables, strict=True)
        if _month_end(label) > first_old * DAY
    ]
    old = run.state["m_f"]
    e.load("old_m_recent", pa.concat_tables(recent) if recent else old.slice(0, 0), scan=True)
    e.view(
        "m_recent",
        f"""SELECT o.pkey, o.counted, {day_of("o.s")} AS sd FROM old_m_recent o
        LEFT JOIN chg_m c ON c.pkey = o.pkey WHERE c.pkey IS NULL
        UNION ALL SELECT pkey, counted, sd FROM mn_fx WHERE sd >= {first}""",
    )
    e.run(
        "m_aff",
        f"""SELECT pkey FROM chg_m UNION SELECT pkey FROM old_m_recent WHERE counted = 1
        AND ((s >= {first_old * DAY} AND s < {first * DAY})
          OR (s >= {short_old * DAY} AND s < {short * DAY}))""",
    )
    stat = "pkey, count_year, max_count_window, momentary_count, excluded_count, "
    stat += "major_event_count, merged_count"
    e.view(
        "ma_stat0",
        f"""SELECT {stat} FROM (SELECT o.* FROM old_m_points o JOIN m_aff a ON a.pkey = o.pkey
          LEFT JOIN chg_m c ON c.pkey = o.pkey WHERE c.pkey IS NULL) x
        UNION ALL SELECT {stat} FROM mn_stat0""",
    )
    pipe.point_rules("ma", "m_recent")
    for lv in ("d", "f"):
        pipe.point_rules(lv)
    redone = e.arrow(RESULT_SQL["meters"].replace("m_rule", "ma_rule"))
    old_points = run.state["m_points"]
    kept = old_points.filter(
        pc.invert(pc.is_in(old_points["pkey"], value_set=redone["pkey"].combine_chunks()))
    )
    points = pa.concat_tables([kept, redone.cast(kept.schema)])
    points = points.take(pc.sort_indices(points["pkey"]))
    e.load("m_rule", points, scan=True)
    return points


def _update_index_sums(run: _Run) -> dict[str, dict[str, int]]:
    """`iagg`: the old sums, less the old rows of the points redone, plus their new rows;
    returns the interruption counts per level (for quality.json), updated likewise."""
    e, pipe, registry = run.e, run.pipe, run.registry
    chg_m = e.arrow("SELECT pkey FROM chg_m")["pkey"]
    e.load("chg_mg", registry.table.select(["mkey", "region", "area"]).take(chg_m))
    sums = ", ".join(f"SUM({m}) AS {m}" for m in pipe.measures())
    e.run(
        "iagg",
        f"""SELECT lv, region, area, sm, {sums}
        FROM (SELECT * FROM old_iagg UNION ALL {pipe.index_sums("mn_fx", "dn_fx", 1, "chg_mg")}
          UNION ALL {pipe.index_sums("m_was", "d_was", -1, "chg_mg")}) x
        GROUP BY lv, region, area, sm""",
    )
    new = level_counts(e, ("mn_fx", "dn_fx", "fn_fx"))
    was = level_counts(e, ("m_was", "d_was", "f_was"))
    return {
        level: {k: counts[k] + new[level][k] - was[level][k] for k in LEVEL_COUNTS}
        for level, counts in run.meta["quality"]["interruptions"].items()
    }


def _rebuild_months(run: _Run, months: list[int]) -> None:
    """`m_f_rebuild`: the meter flag rows of the months to write again, for the outputs and
    the state."""
    e = run.e
    old = run.state["m_f"]
    old_months = [run.month_tables[mo] for mo in months if mo < len(run.month_tables)]
    e.load(
        "old_m_rebuild", pa.concat_tables(old_months) if old_months else old.slice(0, 0), scan=True
    )
    e.view("old_m_rebuild_fv", _flags("old_m_rebuild"))
    e.view("m_f_rebuild", f"{_anti('old_m_rebuild_fv', 'chg_m')} UNION ALL SELECT * FROM mn_fx")


def _flags(source: str) -> str:
    """Stored flag rows (no day column in the files) as the counting stage's flag tables."""
    return f"SELECT pkey, s, ee, st, cause, cls, {day_of('s')} AS sd, counted, merged FROM {source}"


def _rows_of(tables: list[pa.Table], keys: np.ndarray) -> pa.Table:
    """The rows whose pkey is one of `keys`, from tables sorted by pkey (the month files):
    a binary search per key and table instead of a scan."""
    parts = []
    for table in tables:
        pkey = table["pkey"].to_numpy()
        lo = np.searchsorted(pkey, keys, "left")
        n = np.searchsorted(pkey, keys, "right") - lo
        lo, n = lo[n > 0], n[n > 0]
        # lo[i], lo[i] + 1, ..., lo[i] + n[i] - 1 for every i
        starts = np.repeat(lo - np.cumsum(n) + n, n)
        parts.append(table.take(starts + np.arange(int(n.sum()))))
    return pa.concat_tables(parts) if parts else pa.table({})


def _month_end(label: str) -> int:
    """Epoch seconds of the start of the month after `label` (YYYY-MM)."""
    year, month = map(int, label.split("-"))
    return epoch_seconds(dt.date(year + month // 12, month % 12 + 1, 1))


def _changed_months(pipe: Pipeline, previous_months: list[str]) -> list[int]:
    """Months with a flag row or episode row that differs from before, and new months."""
    st = f"CASE WHEN st = {ST_CAPPED} THEN {ST_NEXT_OFF} ELSE st END AS st"  # both unrestored
    flags = f"pkey, s, ee, {st}, cause, cls, counted, merged"
    episodes = f"pkey, s, ee, {st}, cause, members"
    diffs = []
    for new, old, cols in (
        ("mn_fx", "m_was", flags),
        ("dn_fx", "d_was", flags),
        ("fn_fx", "f_was", flags),
        ("dep_n", "dep_was", episodes),
        ("fep_n", "fep_was", episodes),
    ):
        diffs.append(
            f"(SELECT {cols} FROM {new} EXCEPT SELECT {cols} FROM {old}) UNION ALL "
            f"(SELECT {cols} FROM {old} EXCEPT SELECT {cols} FROM {new})"
        )
    pipe.e.view("dep_was", "SELECT o.* FROM old_dep o JOIN chg_d k ON k.pkey = o.pkey")
    pipe.e.view("fep_was", "SELECT o.* FROM old_fep o JOIN chg_f k ON k.pkey = o.pkey")
    union = " UNION ALL ".join(f"SELECT s FROM ({d}) x" for d in diffs)
    changed = pipe.e.arrow(
        f"SELECT DISTINCT dm.mo FROM ({union}) c JOIN dmonth dm ON dm.dy = {day_of('c.s')}"
    )
    months = set(changed.column(0).to_pylist())
    known = set(previous_months)
    months |= {mo for mo, label in enumerate(pipe.month_labels) if label not in known}
    return sorted(months)
