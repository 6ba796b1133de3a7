"""Reliability dashboards (L21, L22) and the yearly reward/penalty table by region (L27).

Figures come from the engine's indices (kept by the refresh in ReliabilitySnapshot); the
reward/penalty criteria from policy data (getelec/policy/quality.yaml).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from getelec.accounts.models import Region
from getelec.kernel.policy import param
from getelec.outages import rules
from getelec.outages.models import ReliabilitySnapshot

INDEX_KEYS = ("RS-1", "AIHC-1", "AITC-1", "SAIFI", "SAIDI", "CAIDI", "MAIFI")
AREA_LABELS = {"urban": _("城区"), "rural": _("农村")}
VERDICT_LABELS = {
    "reward": _("奖励"),
    "penalty": _("处罚"),
    "pass": _("达标"),
    "no_data": _("无数据"),
}
REASON_LABELS = {
    "rs1_below_penalty": _("RS-1低于处罚线"),
    "frequent_districts": _("频繁停电台区数达到处罚数"),
    "rs1_reward": _("RS-1达到奖励线"),
    "no_frequent_districts": _("无频繁停电台区"),
}


# Sums per (level, region, start month) from the engine's interruptions table, with the
# engine's own definitions (getelec.analytics.pipeline.Pipeline.indices): momentary ones count
# only toward MAIFI; an open interruption counts toward frequency, not duration; RS-2/RS-3
# leave out the causes the policy names; "nomed" leaves out major event days. Users are the
# registered meters (LV) and districts (MV) of the region, as in the engine.
REGION_MONTH_SQL = """
WITH reg AS (SELECT DISTINCT district_id, region FROM read_parquet($meters)),
users AS (
  SELECT 0 AS lv, region, COUNT(*) AS users FROM read_parquet($meters) GROUP BY region
  UNION ALL SELECT 1 AS lv, region, COUNT(*) AS users FROM reg GROUP BY region
),
months AS (
  SELECT strftime(m, '%Y-%m') AS sm,
    date_diff('second', m, LEAST(m + INTERVAL 1 MONTH, $period_end)) / 3600.0 AS hours
  FROM generate_series($period_start, $period_end - INTERVAL 1 SECOND, INTERVAL 1 MONTH) t(m)
),
f AS (
  SELECT CASE WHEN i.level = 'meter' THEN 0 ELSE 1 END AS lv, r.region,
    strftime(i.start, '%Y-%m') AS sm,
    NOT i.momentary AS sus, NOT i.open AS closed,
    CASE WHEN i.open THEN 0 ELSE date_diff('second', i.start, i."end") END AS dur,
    NOT list_contains(CAST($rs2 AS VARCHAR[]), CAST(i.cause AS VARCHAR)) AS rs2,
    NOT list_contains(CAST($rs3 AS VARCHAR[]), CAST(i.cause AS VARCHAR)) AS rs3,
    COALESCE(CAST(i.excluded_reason AS VARCHAR), '') <> 'major_event_day' AS nomed
  FROM interruptions i JOIN reg r ON r.district_id = CAST(i.district_id AS VARCHAR)
  WHERE i.level IN ('meter', 'district')
),
sums AS (
  SELECT lv, region, sm,
    SUM(CASE WHEN sus THEN 1 ELSE 0 END) AS n1,
    SUM(CASE WHEN sus AND closed THEN 1 ELSE 0 END) AS nc,
    SUM(CASE WHEN sus THEN dur ELSE 0 END) AS d1,
    SUM(CASE WHEN sus AND rs2 THEN 1 ELSE 0 END) AS n2,
    SUM(CASE WHEN sus AND rs2 THEN dur ELSE 0 END) AS d2,
    SUM(CASE WHEN sus AND rs3 THEN 1 ELSE 0 END) AS n3,
    SUM(CASE WHEN sus AND rs3 THEN dur ELSE 0 END) AS d3,
    SUM(CASE WHEN NOT sus THEN 1 ELSE 0 END) AS nm,
    SUM(CASE WHEN sus AND nomed THEN 1 ELSE 0 END) AS n_nomed,
    SUM(CASE WHEN sus AND nomed AND closed THEN 1 ELSE 0 END) AS nc_nomed,
    SUM(CASE WHEN sus AND nomed THEN dur ELSE 0 END) AS d_nomed
  FROM f GROUP BY lv, region, sm
)
SELECT u.lv, u.region, mo.sm, CAST(u.users AS BIGINT) AS users, mo.hours,
  {sums}
FROM users u CROSS JOIN months mo
LEFT JOIN sums s ON s.lv = u.lv AND s.region = u.region AND s.sm = mo.sm
ORDER BY u.lv, u.region, mo.sm
""".replace(
    "{sums}",
    ", ".join(
        f"CAST(COALESCE(s.{n}, 0) AS BIGINT) AS {n}"
        for n in ("n1", "nc", "d1", "n2", "d2", "n3", "d3", "nm", "n_nomed", "nc_nomed", "d_nomed")
    ),
)


def region_month_indices(
    interruptions: pa.Table, meters: Path, params: Any, year: int, as_of: dt.date
) -> dict[str, Any]:
    """Indices by region and month, for LV and MV users, computed inside DuckDB from the
    engine's interruptions table and the registry it analysed (meters Parquet). The index
    formulas are the engine's (getelec.analytics.api.index_block), applied to the sums."""
    import duckdb

    from getelec.analytics.api import index_block

    con = duckdb.connect()
    try:
        con.register("interruptions", interruptions)
        rows = con.execute(
            REGION_MONTH_SQL,
            {
                "meters": str(meters),
                "period_start": dt.datetime(year, 1, 1),
                "period_end": dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()),
                "rs2": list(params.rs2_excluded_causes),
                "rs3": list(params.rs3_excluded_causes),
            },
        ).to_arrow_table()
    finally:
        con.close()
    out: dict[str, Any] = {"lv": {}, "mv": {}}
    for r in rows.to_pylist():
        block = index_block(r)
        out["lv" if r["lv"] == 0 else "mv"].setdefault(r["region"], {})[r["sm"]] = block
    return out


def _row(label: str, block: dict[str, Any]) -> dict[str, Any]:
    return {"label": label, "users": block.get("users", 0), **{k: block.get(k) for k in INDEX_KEYS}}


def reward_penalty_table(snapshot: ReliabilitySnapshot) -> dict[str, Any]:
    on = snapshot.as_of
    names = {r.code: r.name for r in Region.objects.all()}
    rows = []
    by_region = snapshot.indices.get("mv", {}).get("by_region", {})
    criteria = {}
    for code in sorted(by_region):
        values = {
            n: param(n, on, code)
            for n in (
                "quality_reward_rs1_min_percent",
                "quality_penalty_rs1_below_percent",
                "quality_penalty_frequent_districts_min",
            )
        }
        criteria = {n: v.as_dict() for n, v in values.items()}
        rs1 = by_region[code].get("RS-1")
        frequent = int(snapshot.frequent_by_region.get(code, 0))
        verdict, reasons = rules.reward_penalty(
            rs1,
            frequent,
            values["quality_reward_rs1_min_percent"].value,
            values["quality_penalty_rs1_below_percent"].value,
            values["quality_penalty_frequent_districts_min"].value,
        )
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "rs1": rs1,
                "frequent": frequent,
                "verdict": verdict,
                "verdict_label": str(VERDICT_LABELS[verdict]),
                "reasons": [str(REASON_LABELS[r]) for r in reasons],
            }
        )
    return {"rows": rows, "criteria": list(criteria.values())}


def region_month_table(
    snapshot: ReliabilitySnapshot, level: str, index: str, names: dict[str, str]
) -> dict[str, Any]:
    """One index by region (rows) and month (columns), from the refresh's DuckDB breakdown."""
    data = (snapshot.by_region_month or {}).get(level, {})
    months = sorted({m for by_month in data.values() for m in by_month})
    rows = [
        {
            "code": code,
            "label": names.get(code, code),
            "values": [data[code].get(m, {}).get(index) for m in months],
        }
        for code in sorted(data)
    ]
    return {"index": index, "months": months, "rows": rows}


def dashboard_context(year: int | None, level: str, index: str = "SAIDI") -> dict[str, Any]:
    level = level if level in ("lv", "mv") else "mv"
    index = index if index in INDEX_KEYS else "SAIDI"
    snaps = ReliabilitySnapshot.objects.order_by("-year")
    snapshot = (snaps.filter(year=year).first() if year else None) or snaps.first()
    context: dict[str, Any] = {
        "snapshot": snapshot,
        "years": list(snaps.values_list("year", flat=True)),
        "level": level,
        "index": index,
        "index_keys": INDEX_KEYS,
        "chart": {},
    }
    if snapshot is None:
        return context
    names = {r.code: r.name for r in Region.objects.all()}
    data = snapshot.indices.get(level, {})
    overall = _row(gettext("全部"), data.get("overall", {}))
    regions = [_row(names.get(c, c), b) for c, b in sorted(data.get("by_region", {}).items())]
    by_area = sorted(data.get("by_area", {}).items())
    areas = [_row(str(AREA_LABELS.get(a, a)), b) for a, b in by_area]
    months = [_row(m, b) for m, b in sorted(data.get("by_month", {}).items())]
    table = [overall, *areas, *regions, *months]
    region_month = region_month_table(snapshot, level, index, names)
    context.update(
        overall_rows=[
            {"label": r["label"], "users": r["users"], "values": [r[k] for k in INDEX_KEYS]}
            for r in table
        ],
        overall=overall,
        regions=regions,
        areas=areas,
        months=months,
        quality=snapshot.quality,
        period=snapshot.indices.get("period", {}),
        reward=reward_penalty_table(snapshot),
        region_month=region_month,
        chart={
            "months": [m["label"] for m in months],
            "saidi": [m["SAIDI"] for m in months],
            "saifi": [m["SAIFI"] for m in months],
            "regions": [r["label"] for r in regions],
            "rs1": [r["RS-1"] for r in regions],
            "region_month": {
                "index": index,
                "months": region_month["months"],
                "series": [{"name": r["label"], "data": r["values"]} for r in region_month["rows"]],
            },
        },
    )
    return context
