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


def generate(config: SynthConfig) -> dict[str, pa.Table]:
    rng = np.random.default_rng(config.seed)
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

    meter_ids = _ids("M", n, 8)
    district_ids = _ids("T", n_districts, 6)
    feeder_ids = _ids("F", n_feeders, 5)
    meters = pa.table(
        {
            "meter_id": meter_ids,
            "district_id": district_ids.take(pa.array(district_of)),
            "feeder_id": feeder_ids.take(pa.array(feeder_of_d[district_of])),
            "region": pa.array(REGIONS).take(pa.array(region_of_f[feeder_of_d[district_of]])),
            "area": pa.array(["urban", "rural"]).take(pa.array(rural_d[district_of].astype(int))),
        }
    )

    y0 = epoch_seconds(dt.date(config.year, 1, 1))
    y1 = epoch_seconds(dt.date(config.year + 1, 1, 1))

    def outages(count: int) -> tuple[np.ndarray, np.ndarray]:
        start = rng.integers(y0, y1 - 3600, count)  # may end in the next year
        dur = np.exp(rng.normal(np.log(45 * 60), 1.0, count)).astype(np.int64) + 300
        short = rng.random(count) < config.momentary_share
        dur[short] = rng.integers(30, 280, short.sum())
        return start, np.minimum(dur, 20 * 3600)

    # outage records: scope (0 meter, 1 district, 2 feeder), scope index, start, duration
    nf = rng.poisson(config.feeder_rate, n_feeders)
    bad = rng.random(n_districts) < config.bad_district_share
    nd = rng.poisson(np.where(bad, config.bad_district_rate, config.district_rate))
    nm = rng.poisson(config.meter_rate, n)
    scope = np.concatenate([np.full(nf.sum(), 2), np.full(nd.sum(), 1), np.full(nm.sum(), 0)])
    sidx = np.concatenate(
        [np.repeat(np.arange(n_feeders), nf), np.repeat(np.arange(n_districts), nd),
         np.repeat(np.arange(n), nm)]
    )  # fmt: skip
    start, dur = outages(len(scope))
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
    o_scope = np.concatenate([scope, scope[parent]])
    o_idx = np.concatenate([sidx, sidx[parent]])
    o_start = np.concatenate([start, c_start])
    o_dur = np.concatenate([dur, c_dur])

    # member meters of each outage
    m_start = np.where(o_scope == 2, f_start[np.minimum(o_idx, n_feeders - 1)], 0)
    m_start = np.where(o_scope == 1, d_start[np.minimum(o_idx, n_districts - 1)], m_start)
    m_start = np.where(o_scope == 0, o_idx, m_start)
    m_count = np.where(o_scope == 2, f_count[np.minimum(o_idx, n_feeders - 1)], 1)
    m_count = np.where(o_scope == 1, d_count[np.minimum(o_idx, n_districts - 1)], m_count)
    og, meter = _expand(m_start, m_count)
    keep = (o_scope[og] == 0) | (rng.random(len(og)) < 0.97)  # a few meters do not report
    og, meter = og[keep], meter[keep]
    off = o_start[og] + rng.integers(0, 30, len(og))
    on = o_start[og] + o_dur[og] + rng.integers(0, 30, len(og))
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
    events = pa.table(
        {
            "meter_id": pa.concat_arrays([meter_ids.take(pa.array(ev_meter)), unknown_ids]),
            "ts": pa.array(
                np.concatenate([ev_ts, rng.integers(y0, y1, n_unknown)]), pa.int64()
            ).cast(pa.timestamp("s")),
            "kind": pa.array(["off", "on"]).take(
                pa.array(np.concatenate([ev_kind, rng.integers(0, 2, n_unknown).astype(np.int8)]))
            ),
        }
    )

    # cause records: feeder/district outages mostly, covering their chatter; some meter ones
    main = np.arange(len(scope))
    end = start + dur + np.where(chat, 3600 * 2, 0)
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
        feeder_ids.take(pa.array(np.minimum(sidx[sel], n_feeders - 1))),
        pc.if_else(
            pa.array(scope[sel] == 1),
            district_ids.take(pa.array(np.minimum(sidx[sel], n_districts - 1))),
            meter_ids.take(pa.array(np.minimum(sid, n - 1))),
        ),
    )
    causes = pa.table(
        {
            "scope": scope_names.take(pa.array(scope[sel])),
            "scope_id": scope_ids,
            "start": pa.array(start[sel] - 300, pa.int64()).cast(pa.timestamp("s")),
            "end": pa.array(end[sel] + 600, pa.int64()).cast(pa.timestamp("s")),
            "cause": pa.array(CAUSES).take(pa.array(cause)),
        }
    )
    return {"meters": meters, "events": events, "causes": causes}


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
