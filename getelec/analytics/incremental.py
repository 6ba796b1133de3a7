"""Incremental daily runs (`--since`): add new events to a year already analysed.

A full run leaves its intermediate results in `<out>/.state/` (Arrow IPC, integer keys):
meter interruptions with their causes, the last `off` of every meter that had nothing after it
("tails"), district and feeder episodes, per-interruption flags and per-point counts, the
cause records, and the event-quality counters. An incremental run with `--since D`
(D = the previous as-of date + 1 day) then only recomputes what the new events can change:

- meters with new events, and every tail (an open `off` may close, or pass the cap);
- interruptions whose cause may change because cause records were added or removed;
- the districts and feeders of those meters, and the counts of all those points.

The as-of windows (warnings) and the indices are recomputed for everyone from the stored flags.
The result equals a full run over all events (tests prove it); the state is replaced with
the outputs, atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from getelec.analytics.engines import Engine
from getelec.analytics.inputs import Causes, Events, Registry, save_registry
from getelec.analytics.params import OutageParams
from getelec.analytics.pipeline import ST_CAPPED, ST_OPEN, UNKNOWN_CODE, Pipeline, Window

STATE_DIR = ".state"
STATE_VERSION = 1
STATE_TABLES = (
    "tails",
    "mic_pre",
    "dep",
    "fep",
    "m_f",
    "d_f",
    "f_f",
    "m_stat0",
    "d_stat0",
    "f_stat0",
    "causes",
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


FLAG_COLUMNS = ("pkey", "s", "ee", "st", "cause", "cls", "sd", "counted", "merged")


def save_state(
    engine: Engine,
    folder: Path,
    meta: dict[str, Any],
    unknown_ids: list[str],
    p0: int,
    flags: dict[str, pa.Table],
    registry: Registry,
) -> None:
    """Meter interruptions are kept once: those in the period are the rows of m_f (with the
    same start, end, status and cause); mic_pre holds the few that start before it. `flags`
    are the sorted flag tables the outputs were built from (fetched once)."""
    state = folder / STATE_DIR
    state.mkdir()
    engine.run(
        "tails",
        f"SELECT mkey, dkey, fkey, s FROM mint WHERE k = 0 AND st IN ({ST_CAPPED}, {ST_OPEN})",
    )
    engine.run("mic_pre", f"SELECT * FROM mic WHERE s < {p0}")
    save_registry(registry, state)
    for name in STATE_TABLES:
        if name in flags:
            table = flags[name].select([c for c in FLAG_COLUMNS if c != "sd"])
        else:
            table = engine.arrow(f"SELECT * FROM {name}")
        feather.write_feather(table, state / f"{name}.arrow", compression="lz4")
    (state / "meta.json").write_text(
        json.dumps({**meta, "version": STATE_VERSION, "unknown_meter_ids": unknown_ids}),
        encoding="utf-8",
    )


def load_state(folder: Path) -> tuple[dict[str, Any], dict[str, pa.Table]]:
    state = Path(folder) / STATE_DIR
    meta_path = state / "meta.json"
    if not meta_path.is_file():
        raise StateError(
            f"{folder}: no analysis state to continue from (run once with --keep-state)"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("version") != STATE_VERSION:
        raise StateError(f"{folder}: analysis state of another version; run a full analysis")
    tables = {
        name: feather.read_table(state / f"{name}.arrow", memory_map=True) for name in STATE_TABLES
    }
    return meta, tables


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
    if params.med_exclusion:
        raise StateError("major-event-day exclusion needs a full analysis (its threshold moves)")
    if meta["meters"] != meters_digest:
        raise StateError("the meter registry changed since the last run; run a full analysis")
    if meta["quality"]["events"]["after_as_of"]:
        raise StateError(
            "the previous run ignored events after its as-of date; run a full analysis"
        )


def _anti(old: str, keys: str, on: str = "pkey") -> str:
    return f"SELECT o.* FROM {old} o LEFT JOIN {keys} a ON a.{on} = o.{on} WHERE a.{on} IS NULL"


def run_incremental(
    engine: Engine,
    pipe: Pipeline,
    registry: Registry,
    ev: Events,
    cz: Causes,
    state: dict[str, pa.Table],
    causes_changed: bool,
) -> dict[str, int]:
    """Recompute what the new events (and changed cause records) touch. Leaves the same
    tables as a full run: mic, dep, fep, {m,d,f}_f, {m,d,f}_stat0, {m,d,f}_rule."""
    w: Window = pipe.w
    e = engine
    for name, table in state.items():
        if name in ("m_f", "d_f", "f_f"):  # the day column was left out of the files
            sd = pc.divide(table["s"], 86400)
            table = table.append_column("sd", sd).select(list(FLAG_COLUMNS))
        e.load(f"old_{name}", table, scan=True)  # read in place (memory-mapped)
    e.load("meters", registry.table)
    flags = state["m_f"]
    keys = flags["pkey"]
    main = pa.table(
        {
            "mkey": keys,
            "dkey": registry.table["dkey"].take(keys),
            "fkey": registry.table["fkey"].take(keys),
            "s": flags["s"],
            "ee": flags["ee"],
            "st": flags["st"],
            "cause": flags["cause"],
        }
    )
    pre = state["mic_pre"].cast(main.schema)
    e.load("old_mic", pa.concat_tables([main, pre]), scan=True)
    e.load("ev_in", ev.table)
    e.load("causes", cz.table)
    pipe.districts()
    pipe.load_months()
    pipe.progress("pairing")
    e.view(
        "ev_x",
        "SELECT mkey, dkey, fkey, ts, k FROM ev_in UNION ALL "
        "SELECT mkey, dkey, fkey, s AS ts, CAST(0 AS TINYINT) AS k FROM old_tails",
    )
    e.run("mint", pipe.pair_sql("ev_x"))
    quality = pipe.event_quality("ev_in")
    n_tails = state["tails"].num_rows
    quality["duplicates"] += n_tails  # tails are in mint but were not read again
    pipe.mi_view("mint")
    pipe.progress("causes")
    first = pipe.scalar("SELECT MIN(sd) FROM mi")
    first_old = pipe.scalar("SELECT MIN(s) FROM old_mic")
    days = [x // 86400 for x in (first, first_old) if x is not None]
    pipe.prepare_causes(min(days) if days else w.d0)
    e.run("mcause", pipe.cause_sql("mi"))
    # old interruptions that re-open: tails (re-paired above)
    e.view(
        "kept",
        f"SELECT * FROM old_mic WHERE st NOT IN ({ST_CAPPED}, {ST_OPEN})",
    )
    if causes_changed:
        e.load("causes_old", state["causes"])
        cols = "crid, scope_rank, skey, fkey, s, e, cause"
        e.run(
            "cdelta",
            f"(SELECT {cols} FROM causes EXCEPT SELECT {cols} FROM causes_old) UNION ALL "
            f"(SELECT {cols} FROM causes_old EXCEPT SELECT {cols} FROM causes)",
        )
        e.run(
            "cdelta_z",
            f"""SELECT crid, scope_rank, skey, fkey, s, e, cause, {_day("s")} AS sd,
              {_day("e")} AS ed, 0 AS crank FROM cdelta WHERE skey IS NOT NULL""",
        )
        e.view(
            "kept_i",
            f"SELECT mkey, dkey, fkey, s, ee, st, {_day('s')} AS sd, {_day('ee')} AS ed FROM kept",
        )
        e.run("touched", f"SELECT DISTINCT mkey, s FROM ({pipe.cause_sql('kept_i', 'cdelta_z')}) t")
        e.view(
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
    else:
        e.run("recaused", "SELECT * FROM old_mic WHERE 1 = 0")
    e.run(
        "mnew",
        f"""SELECT i.mkey, i.dkey, i.fkey, i.s, i.ee, i.st,
          COALESCE(c.cause, {UNKNOWN_CODE}) AS cause
        FROM mi i LEFT JOIN mcause c ON c.mkey = i.mkey AND c.s = i.s
        UNION ALL SELECT * FROM recaused""",
    )
    # changed meters: interruptions that differ from before (a tail that stays capped and has
    # no new event comes back identical and changes nothing)
    cols = "mkey, dkey, fkey, s, ee, st, cause"
    e.run(
        "old_tail_rows",
        f"SELECT {cols} FROM old_mic WHERE st IN ({ST_CAPPED}, {ST_OPEN}) AND ee >= {w.p0}",
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
    # episodes of the districts and feeders touched
    pipe.progress("districts")
    pipe.district_sizes()
    e.run("chg_d", "SELECT DISTINCT dkey AS pkey FROM chg_m")
    e.view(
        "dchild",
        "SELECT m.dkey AS pkey, m.mkey AS ckey, m.s, m.ee, m.st, m.cause FROM mic m "
        "JOIN chg_d c ON c.pkey = m.dkey",
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
    # counting for the touched points; as-of windows for all
    pipe.progress("counting")
    pipe.major_event_days()  # disabled in incremental runs: creates the empty `med`
    sources = {
        "m": (
            "chg_m",
            "SELECT m.mkey AS pkey, m.s, m.ee, m.st, m.cause FROM mic m "
            "JOIN chg_m c ON c.pkey = m.mkey",
        ),
        "d": ("chg_d", "SELECT pkey, s, ee, st, cause FROM dep_n"),
        "f": ("chg_f", "SELECT pkey, s, ee, st, cause FROM fep_n"),
    }
    for lv, (keys, sql) in sources.items():
        e.view(f"{lv}n_src", sql)
        pipe.count_level(f"{lv}n", f"{lv}n_src")
        e.view(f"{lv}_f", f"{_anti(f'old_{lv}_f', keys)} UNION ALL SELECT * FROM {lv}n_fx")
        e.view(
            f"{lv}_stat0",
            f"{_anti(f'old_{lv}_stat0', keys)} UNION ALL SELECT * FROM {lv}n_stat0",
        )
        pipe.point_rules(lv)
    return quality


def _day(expr: str) -> str:
    return f"CAST(FLOOR(({expr}) / 86400.0) AS BIGINT)"
