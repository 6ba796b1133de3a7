"""The reports of a run: quality.json's counts and indices.json, with the index formulas
(`index_block`: their only home)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pyarrow as pa

from getelec.analytics.engines import Engine
from getelec.analytics.inputs import Causes, Events, Registry
from getelec.analytics.pipeline import LEVELS, ST_CAPPED, ST_NEXT_OFF, ST_OPEN, UNKNOWN_CODE, Window

RULE_CODES = {
    "year_limit": "count_year is above outage_year_max_count (L28: ≤ 5 a year)",
    "window_limit": "max_count_window (the most counted in any window_days consecutive days) is "
    "above outage_window_max_count (L28: ≤ 3 in 60 days)",
}
WARNING_CODES = {
    "warn_year": "count_year between outage_warning_year_min_count and outage_year_max_count",
    "warn_long": "exactly outage_warning_long_count in the outage_warning_long_days to the as-of",
    "warn_short": "exactly outage_warning_short_count in the outage_warning_short_days to as-of",
}


LEVEL_COUNTS = ("interruptions", "unrestored", "open", "momentary", "unknown_cause")


def level_counts(eng: Engine, sources: tuple[str, str, str]) -> dict[str, dict[str, int]]:
    """quality.json's counts per level over flag tables (meter, district, feeder)."""
    parts = " UNION ALL ".join(
        f"""SELECT '{level}' AS level, COUNT(*) AS n,
          SUM(CASE WHEN st IN ({ST_NEXT_OFF}, {ST_CAPPED}) THEN 1 ELSE 0 END) AS unrestored,
          SUM(CASE WHEN st = {ST_OPEN} THEN 1 ELSE 0 END) AS open_,
          SUM(CASE WHEN cls = 1 THEN 1 ELSE 0 END) AS momentary,
          SUM(CASE WHEN cause = {UNKNOWN_CODE} THEN 1 ELSE 0 END) AS unknown_cause
        FROM {source}"""
        for source, level in zip(sources, LEVELS, strict=True)
    )
    return {
        r["level"]: {
            "interruptions": int(r["n"]),
            "unrestored": int(r["unrestored"] or 0),
            "open": int(r["open_"] or 0),
            "momentary": int(r["momentary"] or 0),
            "unknown_cause": int(r["unknown_cause"] or 0),
        }
        for r in eng.arrow(parts).to_pylist()
    }


def collect_quality(
    eng: Engine,
    reg: Registry,
    ev: Events,
    cz: Causes,
    event_quality: dict[str, int],
    by_level: dict[str, dict[str, int]] | None = None,
) -> dict[str, Any]:
    if by_level is None:
        by_level = level_counts(eng, ("m_f", "d_f", "f_f"))
    return {
        "rows_read": {"meters": reg.table.num_rows, "events": ev.rows, "causes": cz.rows},
        "events": {
            "duplicates": event_quality["duplicates"],
            "orphans": event_quality["orphans"],
            "unknown_meter_rows": ev.unknown_meter_rows,
            "unknown_meters": ev.unknown_meters,
            "after_as_of": event_quality["after_as_of"],
        },
        "causes": {"unknown_scope_rows": cz.unknown_scope_rows},
        "unrestored": by_level["meter"]["unrestored"],
        "interruptions": by_level,
    }


def _num(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), 6)


def index_block(r: dict[str, Any]) -> dict[str, Any]:
    """The reliability indices of one group from its integer sums: the only place the index
    formulas live (docs/outages.md "Indices").

    `r` holds `users` (N: registered meters for LV, districts for MV) and `hours` (the period's
    hours) and the sums of `Pipeline.measures`: `n1`/`nc`/`d1` sustained interruptions, closed
    ones and their seconds; `n2`/`d2`, `n3`/`d3` the same without the RS-2, RS-3 causes; `nm`
    momentary ones; `n_nomed`/`nc_nomed`/`d_nomed` outside major event days."""
    users, hours = r["users"], r["hours"]
    if not users:
        return {"users": 0}
    aihc = [r[d] / 3600 / users for d in ("d1", "d2", "d3")]
    return {
        "users": users,
        "interruptions": r["n1"],
        "customer_hours": _num(r["d1"] / 3600),
        "RS-1": _num((1 - aihc[0] / hours) * 100),
        "RS-2": _num((1 - aihc[1] / hours) * 100),
        "RS-3": _num((1 - aihc[2] / hours) * 100),
        "AIHC-1": _num(aihc[0]),
        "AIHC-2": _num(aihc[1]),
        "AIHC-3": _num(aihc[2]),
        "AITC-1": _num(r["n1"] / users),
        "AITC-2": _num(r["n2"] / users),
        "AITC-3": _num(r["n3"] / users),
        "SAIFI": _num(r["n1"] / users),
        "SAIDI": _num(r["d1"] / 60 / users),
        "CAIDI": _num(r["d1"] / 60 / r["nc"]) if r["nc"] else None,
        "MAIFI": _num(r["nm"] / users),
        "SAIFI_excluding_major_event_days": _num(r["n_nomed"] / users),
        "SAIDI_excluding_major_event_days": _num(r["d_nomed"] / 60 / users),
        "CAIDI_excluding_major_event_days": (
            _num(r["d_nomed"] / 60 / r["nc_nomed"]) if r["nc_nomed"] else None
        ),
        "period_hours": _num(hours),
    }


def format_indices(
    idx: pa.Table, window: Window, med: dict[str, Any], med_days: list[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "period": {
            "start": dt.date(window.year, 1, 1).isoformat(),
            "as_of": window.as_of.isoformat(),
            "hours": _num(window.period_hours()),
        },
        "units": {
            "AIHC": "hours per user",
            "SAIDI": "minutes per user",
            "CAIDI": "minutes per interruption (closed ones)",
            "RS": "percent",
            "AITC/SAIFI/MAIFI": "interruptions per user",
        },
        "major_event_days": {
            **{k: _num(v) if isinstance(v, float) else v for k, v in med.items()},
            "days": med_days,
        },
    }
    for name in ("lv", "mv"):
        out[name] = {
            "overall": {},
            "by_region": {},
            "by_area": {},
            "by_region_area": {},
            "by_month": {},
            "by_region_month": {},
        }
    for r in idx.to_pylist():
        block = index_block(r)
        target = out["lv" if r["lv"] == 0 else "mv"]
        grp = r["grp"]
        if grp == "overall":
            target["overall"] = block
        elif grp == "region":
            target["by_region"][r["region"]] = block
        elif grp == "area":
            target["by_area"][r["area"]] = block
        elif grp == "region_area":
            target["by_region_area"].setdefault(r["region"], {})[r["area"]] = block
        elif grp == "region_month":
            target["by_region_month"].setdefault(r["region"], {})[r["sm"]] = block
        elif grp == "month":
            target["by_month"][r["sm"]] = block
        else:
            raise ValueError(f"unknown index grouping {grp!r}")
    return out


def indices_by_region_month(indices: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """The indices by region and month of each level, from the engine's indices
    (`AnalysisResult.indices`, indices.json): ``{"lv": {region: {"YYYY-MM": block}}, "mv": …}``.
    What the supply-quality desk charts (getelec.outages.dashboard)."""
    return {level: indices[level]["by_region_month"] for level in ("lv", "mv")}
