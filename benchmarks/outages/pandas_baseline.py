"""A straightforward pandas implementation of the same counting rules (the benchmark baseline).

What a data analyst would write first: sort, groupby/shift to pair events, merge to find
causes, a cumulative sum per district for the share rule, a Python loop per point for the
sequential 6-hour merge and groupby().rolling("60D") for the 60-day rule. It computes the
meter and district tables (count_year, max_count_window with window_days, frequent, rule,
warning, momentary_count, excluded_count) and overall LV SAIFI/SAIDI; it skips feeders and most
of the reliability breakdowns, so the engine does strictly more work than this baseline.

Parameters are the shipped defaults (`default_params()`); inputs are read with pyarrow and an
explicit filesystem (pandas.read_parquet can abort at exit, apache/arrow#34314).

    python benchmarks/outages/pandas_baseline.py --data benchmarks/data/m1000000 \\
        --year 2026 --as-of 2026-12-31 --out benchmarks/out/pandas-1m
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from getelec.analytics.params import default_params


def read(path: Path) -> pd.DataFrame:
    return pq.read_table(str(path), filesystem=pafs.LocalFileSystem()).to_pandas()


def sequential_merge(starts: np.ndarray, window: pd.Timedelta) -> np.ndarray:
    counted = np.zeros(len(starts), dtype=bool)
    last = None
    for i, s in enumerate(starts):
        if last is None or s - last >= window:
            counted[i] = True
            last = s
    return counted


def count_points(ints: pd.DataFrame, key: str, p, year0: pd.Timestamp, as_of: pd.Timestamp):
    ints = ints[ints["start"] >= year0].copy()
    ints["momentary"] = (~ints["open"]) & (
        (ints["end"] - ints["start"]) < pd.Timedelta(minutes=p.outage_momentary_below_minutes)
    )
    ints["excluded"] = ~ints["momentary"] & ints["cause"].isin(p.outage_excluded_causes)
    ints["candidate"] = ~ints["momentary"] & ~ints["excluded"]
    ints = ints.sort_values([key, "start"])
    window = pd.Timedelta(hours=p.outage_merge_window_hours)
    cand = ints[ints["candidate"]]
    counted = cand.groupby(key, sort=False)["start"].transform(
        lambda s: sequential_merge(s.to_numpy(), window)
    )
    ints["counted"] = False
    ints.loc[cand.index, "counted"] = counted.astype(bool)
    stats = ints.groupby(key).agg(
        count_year=("counted", "sum"),
        momentary_count=("momentary", "sum"),
        excluded_count=("excluded", "sum"),
    )
    c = ints[ints["counted"]].copy()
    c["day"] = c["start"].dt.normalize()
    c["one"] = 1
    # windows [d, d + 59]: count backwards from each counted day, then take the max
    rolled = (
        c.set_index("day")
        .groupby(key)["one"]
        .rolling(f"{p.outage_window_days}D")
        .sum()
        .reset_index()
    )
    stats["max_count_window"] = rolled.groupby(key)["one"].max()
    last_day = as_of.normalize()
    long0 = last_day - pd.Timedelta(days=p.outage_warning_long_days - 1)
    short0 = last_day - pd.Timedelta(days=p.outage_warning_short_days - 1)
    stats["recent_long"] = c[c["day"] >= long0].groupby(key).size()
    stats["recent_short"] = c[c["day"] >= short0].groupby(key).size()
    stats = stats.fillna(0).astype(int)
    stats.insert(stats.columns.get_loc("max_count_window") + 1, "window_days", p.outage_window_days)
    year_rule = stats["count_year"] > p.outage_year_max_count
    window_rule = stats["max_count_window"] > p.outage_window_max_count
    stats["frequent"] = year_rule | window_rule
    stats["rule"] = [
        ",".join(x for x, on in (("year_limit", a), ("window_limit", b)) if on) or None
        for a, b in zip(year_rule, window_rule, strict=True)
    ]
    warn = []
    for cy, rl, rs, fr in zip(
        stats["count_year"],
        stats["recent_long"],
        stats["recent_short"],
        stats["frequent"],
        strict=True,
    ):
        codes = []
        if not fr:
            if p.outage_warning_year_min_count <= cy <= p.outage_year_max_count:
                codes.append("warn_year")
            if rl == p.outage_warning_long_count:
                codes.append("warn_long")
            if rs == p.outage_warning_short_count:
                codes.append("warn_short")
        warn.append(",".join(codes) or None)
    stats["warning"] = warn
    return stats.drop(columns=["recent_long", "recent_short"]), ints


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()
    p = default_params()
    started = time.perf_counter()
    as_of = pd.Timestamp(args.as_of)
    ae = as_of + pd.Timedelta(days=1)
    year0 = pd.Timestamp(dt.date(args.year, 1, 1))
    cap = pd.Timedelta(hours=p.outage_unrestored_cap_hours)

    meters = read(args.data / "meters.parquet")
    events = read(args.data / "events.parquet")
    causes = read(args.data / "causes.parquet")
    events = events[events["meter_id"].isin(meters["meter_id"]) & (events["ts"] < ae)]
    events = events.drop_duplicates()
    events["k"] = (events["kind"] == "on").astype(int)
    events = events.sort_values(["meter_id", "ts", "k"])
    g = events.groupby("meter_id", sort=False)
    events["next_kind"] = g["kind"].shift(-1)
    events["next_ts"] = g["ts"].shift(-1)
    offs = events[events["kind"] == "off"].copy()
    end = offs["next_ts"].where(offs["next_kind"] == "on")
    end = end.fillna(
        pd.concat([offs["next_ts"], offs["ts"] + cap], axis=1)
        .min(axis=1)
        .where(offs["next_kind"] == "off")
    )
    no_next = offs["next_kind"].isna()
    open_ = no_next & (ae - offs["ts"] <= cap)
    end = end.where(~(no_next & ~open_), offs["ts"] + cap)
    ints = pd.DataFrame(
        {"meter_id": offs["meter_id"], "start": offs["ts"], "end": end, "open": open_}
    ).merge(meters[["meter_id", "district_id", "feeder_id"]], on="meter_id")
    ints["end_eff"] = ints["end"].fillna(ae)
    ints = ints[ints["end_eff"] >= year0].reset_index(drop=True)
    ints["iid"] = np.arange(len(ints))

    # causes: per scope merge on the key, keep overlaps, narrowest scope then overlap, start
    cands = []
    for rank, (scope, col) in enumerate(
        (("meter", "meter_id"), ("district", "district_id"), ("feeder", "feeder_id"))
    ):
        cs = causes[causes["scope"] == scope].rename(
            columns={"scope_id": col, "start": "c_start", "end": "c_end"}
        )
        m = ints[["iid", col, "start", "end_eff"]].merge(cs, on=col)
        m = m[(m["c_start"] <= m["end_eff"]) & (m["c_end"] >= m["start"])]
        m["rank"] = rank
        m["overlap"] = m[["end_eff", "c_end"]].min(axis=1) - m[["start", "c_start"]].max(axis=1)
        cands.append(m[["iid", "rank", "overlap", "c_start", "cause"]])
    cand = pd.concat(cands).sort_values(
        ["iid", "rank", "overlap", "c_start"], ascending=[True, True, False, True]
    )
    best = cand.drop_duplicates("iid").set_index("iid")["cause"]
    ints["cause"] = ints["iid"].map(best).fillna("unknown")

    # district episodes: share of registered meters off at once
    size = meters.groupby("district_id").size()
    k = np.ceil(np.round(size * p.outage_district_share, 9)).astype(int)
    pts = pd.concat(
        [
            pd.DataFrame({"district_id": ints["district_id"], "t": ints["start"], "d": 1}),
            pd.DataFrame({"district_id": ints["district_id"], "t": ints["end_eff"], "d": -1}),
        ]
    ).sort_values(["district_id", "t", "d"], ascending=[True, True, False])
    pts["cnt"] = pts.groupby("district_id")["d"].cumsum()
    pts["k"] = pts["district_id"].map(k)
    pts["up"] = pts["cnt"] >= pts["k"]
    pts["was"] = (pts["cnt"] - pts["d"]) >= pts["k"]
    edges = pts[pts["up"] != pts["was"]].copy()
    edges["next_t"] = edges.groupby("district_id")["t"].shift(-1)
    eps = edges[edges["up"]].rename(columns={"t": "start", "next_t": "end"})
    eps = eps[eps["end"] > eps["start"]][["district_id", "start", "end"]].reset_index(drop=True)
    eps["open"] = eps["end"] >= ae
    eps["end"] = eps["end"].where(~eps["open"])
    # episode cause: majority of the members (meter interruptions overlapping it)
    mem = eps.reset_index().merge(
        ints[["district_id", "start", "end_eff", "cause"]].rename(columns={"start": "m_start"}),
        on="district_id",
    )
    mem = mem[(mem["m_start"] < mem["end"].fillna(ae)) & (mem["end_eff"] > mem["start"])]
    votes = mem.groupby(["index", "cause"]).agg(n=("m_start", "size"), first=("m_start", "min"))
    votes = votes.reset_index().sort_values(
        ["index", "n", "first", "cause"], ascending=[True, False, True, True]
    )
    eps["cause"] = eps.index.map(votes.drop_duplicates("index").set_index("index")["cause"])
    eps["cause"] = eps["cause"].fillna("unknown")

    meter_stats, meter_ints = count_points(ints, "meter_id", p, year0, as_of)
    district_stats, _ = count_points(eps, "district_id", p, year0, as_of)
    sustained = meter_ints[~meter_ints["momentary"]]
    n = len(meters)
    indices = {
        "SAIFI": len(sustained) / n,
        "SAIDI": (
            (sustained["end"] - sustained["start"]).dt.total_seconds().fillna(0).sum() / 60 / n
        ),
        "MAIFI": int(meter_ints["momentary"].sum()) / n,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    meter_stats.reset_index().to_parquet(args.out / "meters.parquet")
    district_stats.reset_index().to_parquet(args.out / "districts.parquet")
    took = time.perf_counter() - started
    (args.out / "summary.json").write_text(
        json.dumps(
            {
                "seconds": round(took, 2),
                "meters": len(meter_stats),
                "frequent_meters": int(meter_stats["frequent"].sum()),
                "districts": len(district_stats),
                "frequent_districts": int(district_stats["frequent"].sum()),
                "indices": {
                    k: (None if math.isnan(v) else round(v, 6)) for k, v in indices.items()
                },
            },
            indent=2,
        )
    )
    print(f"pandas baseline: {took:.1f} s, {len(meter_stats)} meters")


if __name__ == "__main__":
    main()
