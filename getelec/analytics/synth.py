"""A synthetic province-year of smart-meter outage events, in the analyser's input formats.

Vectorised NumPy; deterministic for a given seed. The default 4,000,000 meters sit in ~60,000
districts on ~2,000 feeders. Outages are mostly whole-feeder or whole-district (meters going off
within seconds of each other), some single-meter ones, a heavy tail of bad districts,
chattering restores, ~1 % missing `on` rows, ~0.5 % duplicate rows, a few events of meters
missing from the registry, and cause records (work orders) for most feeder/district outages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from getelec.analytics.inputs import epoch_seconds
from getelec.analytics.params import CAUSES

# Ningxia county-level administrative codes (银川, 石嘴山, 吴忠, 固原, 中卫).
REGIONS = (
    "640104", "640105", "640106", "640121", "640122", "640181", "640202", "640205", "640221",
    "640302", "640303", "640323", "640324", "640381", "640402", "640422", "640423", "640424",
    "640425", "640502", "640521", "640522",
)  # fmt: skip
CAUSE_WEIGHTS = (0.25, 0.45, 0.08, 0.12, 0.03, 0.07)  # same order as CAUSES


@dataclass(frozen=True)
class SynthConfig:
    meters: int = 4_000_000
    year: int = 2026
    seed: int = 1
    meters_per_district: float = 66.7
    districts_per_feeder: float = 30.0
    feeder_rate: float = 1.0  # outages per feeder-year
    district_rate: float = 0.8
    bad_district_share: float = 0.04
    bad_district_rate: float = 8.0
    meter_rate: float = 0.25
    chatter_share: float = 0.10
    momentary_share: float = 0.08
    missing_on_share: float = 0.01
    missing_off_share: float = 0.001
    duplicate_share: float = 0.005
    unknown_meter_share: float = 0.0001
    cause_record_share: float = 0.85
    meter_cause_record_share: float = 0.3


def _ids(prefix: str, n: int, width: int) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups with member ranges [start, start+count): (group index, member) per member."""
    group = np.repeat(np.arange(len(starts)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return group, np.repeat(starts, counts) + offsets


@dataclass(frozen=True)
class _Grid:
    """Meters sorted by district, districts sorted by feeder (contiguous ranges)."""

    n: int
    n_districts: int
    n_feeders: int
    district_of: np.ndarray
    feeder_of_d: np.ndarray
    d_start: np.ndarray
    d_count: np.ndarray
    f_start: np.ndarray
    f_count: np.ndarray
    region_of_f: np.ndarray
    rural_d: np.ndarray
    meter_ids: pa.Array
    district_ids: pa.Array
    feeder_ids: pa.Array


@dataclass(frozen=True)
class _Outages:
    """Outage records (scope 0 meter, 1 district, 2 feeder; scope index; start; duration) and
    with them (`o_*`) the chattering restores that follow some of them."""

    scope: np.ndarray
    sidx: np.ndarray
    start: np.ndarray
    dur: np.ndarray
    chat: np.ndarray
    o_scope: np.ndarray
    o_idx: np.ndarray
    o_start: np.ndarray
    o_dur: np.ndarray


def generate(config: SynthConfig) -> dict[str, pa.Table]:
    # one generator, drawn from in a fixed order: the same seed gives the same data
    rng = np.random.default_rng(config.seed)
    grid = _grid(rng, config)
    y0 = epoch_seconds(dt.date(config.year, 1, 1))
    y1 = epoch_seconds(dt.date(config.year + 1, 1, 1))
    outages = _outages(rng, config, grid, y0, y1)
    events = _events(rng, config, grid, outages, y0, y1)
    causes = _causes(rng, config, grid, outages)
    return {"meters": _meters(grid), "events": events, "causes": causes}


def _grid(rng: np.random.Generator, config: SynthConfig) -> _Grid:
    n = config.meters
    n_districts = max(1, round(n / config.meters_per_district))
    n_feeders = max(1, round(n_districts / config.districts_per_feeder))
    # hierarchy: meters sorted by district, districts sorted by feeder (contiguous ranges)
    district_of = np.sort(rng.integers(0, n_districts, n))
    used_d, district_of = np.unique(district_of, return_inverse=True)
    n_districts = len(used_d)
    feeder_of_d = np.sort(rng.integers(0, n_feeders, n_districts))
    used_f, feeder_of_d = np.unique(feeder_of_d, return_inverse=True)
    n_feeders = len(used_f)
    d_start = np.searchsorted(district_of, np.arange(n_districts))
    d_count = np.diff(np.append(d_start, n))
    f_dstart = np.searchsorted(feeder_of_d, np.arange(n_feeders))
    f_start = d_start[f_dstart]
    f_count = np.diff(np.append(f_start, n))
    region_of_f = rng.integers(0, len(REGIONS), n_feeders)
    rural_d = rng.random(n_districts) < 0.55
    return _Grid(
        n=n,
        n_districts=n_districts,
        n_feeders=n_feeders,
        district_of=district_of,
        feeder_of_d=feeder_of_d,
        d_start=d_start,
        d_count=d_count,
        f_start=f_start,
        f_count=f_count,
        region_of_f=region_of_f,
        rural_d=rural_d,
        meter_ids=_ids("M", n, 8),
        district_ids=_ids("T", n_districts, 6),
        feeder_ids=_ids("F", n_feeders, 5),
    )


def _meters(g: _Grid) -> pa.Table:
    return pa.table(
        {
            "meter_id": g.meter_ids,
            "district_id": g.district_ids.take(pa.array(g.district_of)),
            "feeder_id": g.feeder_ids.take(pa.array(g.feeder_of_d[g.district_of])),
            "region": pa.array(REGIONS).take(pa.array(g.region_of_f[g.feeder_of_d[g.district_of]])),
            "area": pa.array(["urban", "rural"]).take(
                pa.array(g.rural_d[g.district_of].astype(int))
            ),
        }
    )


def _outages(rng: np.random.Generator, config: SynthConfig, g: _Grid, y0: int, y1: int) -> _Outages:
    # outage records: scope (0 meter, 1 district, 2 feeder), scope index, start, duration
    nf = rng.poisson(config.feeder_rate, g.n_feeders)
    bad = rng.random(g.n_districts) < config.bad_district_share
    nd = rng.poisson(np.where(bad, config.bad_district_rate, config.district_rate))
    nm = rng.poisson(config.meter_rate, g.n)
    scope = np.concatenate([np.full(nf.sum(), 2), np.full(nd.sum(), 1), np.full(nm.sum(), 0)])
    sidx = np.concatenate(
        [np.repeat(np.arange(g.n_feeders), nf), np.repeat(np.arange(g.n_districts), nd),
         np.repeat(np.arange(g.n), nm)]
    )  # fmt: skip
    count = len(scope)
    start = rng.integers(y0, y1 - 3600, count)  # may end in the next year
    dur = np.exp(rng.normal(np.log(45 * 60), 1.0, count)).astype(np.int64) + 300
    short = rng.random(count) < config.momentary_share
    dur[short] = rng.integers(30, 280, short.sum())
    dur = np.minimum(dur, 20 * 3600)
    # chattering restores: 1-4 short extra cycles right after a feeder/district outage
    chat = (scope > 0) & (rng.random(len(scope)) < config.chatter_share)
    cycles = rng.integers(1, 5, chat.sum())
    parent = np.repeat(np.flatnonzero(chat), cycles)
    step = np.concatenate([np.arange(1, c + 1) for c in cycles]) if len(cycles) else np.array([])
    c_start = (
        start[parent]
        + dur[parent]
        + step.astype(np.int64) * 900
        + rng.integers(60, 600, len(parent))
    )
    c_dur = rng.integers(60, 1200, len(parent))  # some momentary, some merged
    return _Outages(
        scope=scope,
        sidx=sidx,
        start=start,
        dur=dur,
        chat=chat,
        o_scope=np.concatenate([scope, scope[parent]]),
        o_idx=np.concatenate([sidx, sidx[parent]]),
        o_start=np.concatenate([start, c_start]),
        o_dur=np.concatenate([dur, c_dur]),
    )


def _events(
    rng: np.random.Generator, config: SynthConfig, g: _Grid, o: _Outages, y0: int, y1: int
) -> pa.Table:
    """The off/on events of the member meters of every outage, with the flaws of a real
    export: missing rows, duplicates, meters missing from the registry."""
    o_scope, o_idx = o.o_scope, o.o_idx
    m_start = np.where(o_scope == 2, g.f_start[np.minimum(o_idx, g.n_feeders - 1)], 0)
    m_start = np.where(o_scope == 1, g.d_start[np.minimum(o_idx, g.n_districts - 1)], m_start)
    m_start = np.where(o_scope == 0, o_idx, m_start)
    m_count = np.where(o_scope == 2, g.f_count[np.minimum(o_idx, g.n_feeders - 1)], 1)
    m_count = np.where(o_scope == 1, g.d_count[np.minimum(o_idx, g.n_districts - 1)], m_count)
    og, meter = _expand(m_start, m_count)
    keep = (o_scope[og] == 0) | (rng.random(len(og)) < 0.97)  # a few meters do not report
    og, meter = og[keep], meter[keep]
    off = o.o_start[og] + rng.integers(0, 30, len(og))
    on = o.o_start[og] + o.o_dur[og] + rng.integers(0, 30, len(og))
    keep_off = rng.random(len(og)) >= config.missing_off_share
    keep_on = rng.random(len(og)) >= config.missing_on_share
    ev_meter = np.concatenate([meter[keep_off], meter[keep_on]])
    ev_ts = np.concatenate([off[keep_off], on[keep_on]])
    ev_kind = np.concatenate([np.zeros(keep_off.sum(), np.int8), np.ones(keep_on.sum(), np.int8)])
    dup = np.flatnonzero(rng.random(len(ev_ts)) < config.duplicate_share)
    ev_meter = np.concatenate([ev_meter, ev_meter[dup]])
    ev_ts = np.concatenate([ev_ts, ev_ts[dup]])
    ev_kind = np.concatenate([ev_kind, ev_kind[dup]])
    order = rng.permutation(len(ev_ts)) if len(ev_ts) < 2_000_000 else None
    if order is not None:  # small sets fully shuffled; large ones stay in outage order
        ev_meter, ev_ts, ev_kind = ev_meter[order], ev_ts[order], ev_kind[order]
    n_unknown = max(1, int(len(ev_ts) * config.unknown_meter_share))
    unknown_ids = pc.binary_join_element_wise(
        "X", pc.cast(pa.array(rng.integers(1, 10_000, n_unknown)), pa.string()), ""
    )
    unknown_ts = rng.integers(y0, y1, n_unknown)
    unknown_kind = rng.integers(0, 2, n_unknown).astype(np.int8)
    return pa.table(
        {
            "meter_id": pa.concat_arrays([g.meter_ids.take(pa.array(ev_meter)), unknown_ids]),
            "ts": pa.array(np.concatenate([ev_ts, unknown_ts]), pa.int64()).cast(pa.timestamp("s")),
            "kind": pa.array(["off", "on"]).take(pa.array(np.concatenate([ev_kind, unknown_kind]))),
        }
    )


def _causes(rng: np.random.Generator, config: SynthConfig, g: _Grid, o: _Outages) -> pa.Table:
    """Cause records: feeder/district outages mostly, covering their chatter; some meter ones."""
    scope, sidx = o.scope, o.sidx
    main = np.arange(len(scope))
    end = o.start + o.dur + np.where(o.chat, 3600 * 2, 0)
    has = np.where(
        scope > 0,
        rng.random(len(scope)) < config.cause_record_share,
        rng.random(len(scope)) < config.meter_cause_record_share,
    )
    sel = main[has]
    cause = rng.choice(len(CAUSES), len(sel), p=np.array(CAUSE_WEIGHTS))
    scope_names = pa.array(["meter", "district", "feeder"])
    sid = np.where(scope[sel] == 2, 0, sidx[sel])
    scope_ids = pc.if_else(
        pa.array(scope[sel] == 2),
        g.feeder_ids.take(pa.array(np.minimum(sidx[sel], g.n_feeders - 1))),
        pc.if_else(
            pa.array(scope[sel] == 1),
            g.district_ids.take(pa.array(np.minimum(sidx[sel], g.n_districts - 1))),
            g.meter_ids.take(pa.array(np.minimum(sid, g.n - 1))),
        ),
    )
    return pa.table(
        {
            "scope": scope_names.take(pa.array(scope[sel])),
            "scope_id": scope_ids,
            "start": pa.array(o.start[sel] - 300, pa.int64()).cast(pa.timestamp("s")),
            "end": pa.array(end[sel] + 600, pa.int64()).cast(pa.timestamp("s")),
            "cause": pa.array(CAUSES).take(pa.array(cause)),
        }
    )


def _as_text(table: pa.Table) -> pa.Table:
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_timestamp(col.type):
            col = pc.strftime(col, format="%Y-%m-%d %H:%M:%S")
        cols[name] = col
    return pa.table(cols)


def write(tables: dict[str, pa.Table], out: str | Path, fmt: str = "parquet") -> dict[str, Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, table in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            pacsv.write_csv(_as_text(table), path)
        else:
            pq.write_table(table, str(path), compression="zstd", compression_level=1)
        paths[name] = path
    return paths


def split_events(events: pa.Table, since: dt.date) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Events before `since`, from `since` on, and of `since` only (for incremental runs)."""
    cut = pa.scalar(dt.datetime.combine(since, dt.time()), pa.timestamp("s"))
    nxt = pa.scalar(dt.datetime.combine(since + dt.timedelta(days=1), dt.time()), pa.timestamp("s"))
    ts = events["ts"].cast(pa.timestamp("s"))
    before = pc.less(ts, cut)
    day = pc.and_(pc.invert(before), pc.less(ts, nxt))
    return events.filter(before), events.filter(pc.invert(before)), events.filter(day)
